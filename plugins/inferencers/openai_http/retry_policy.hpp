// When a failed attempt is tried again, and after how long: exponential backoff with jitter, honouring a
// server's Retry-After. Retried: connection failures, timeouts, interrupted or malformed streams, 429 and
// 5xx answers. Other 4xx answers are the request's fault and are reported at once. A server that is down
// or overloaded (refused connections, 429, 502-504) is waited for up to `outage` whatever the retry count,
// so a restart of the model server costs time, not samples.
#pragma once

#include <curl/curl.h>
#include <chrono>
#include <cstdint>
#include <optional>

#include <random>
#include <string_view>

namespace evalflow::openai_http {

using Milliseconds = std::chrono::duration<double, std::milli>;

// How one attempt ended.
enum class AttemptError {
  kNone,
  kConnect,      // could not connect or resolve, or the connection broke before an answer
  kInterrupted,  // the connection broke during the answer
  kIdleTimeout,  // no byte for longer than the idle timeout
  kHttpStatus,   // a non-200 status; see the status code
  kProtocol,     // malformed JSON, a stream without its end, an error event inside the stream
  kTls,          // certificate or TLS setup failure: configuration, not retried
  kOther,        // any other transport failure: not retried
};

struct RetryPolicy {
  int max_retries = 2;  // AISBench's `retry`: attempts = max_retries + 1
  Milliseconds initial_backoff{500.0};
  Milliseconds max_backoff{30'000.0};
  double multiplier = 2.0;
  double jitter = 0.5;             // the delay is drawn from [base * (1 - jitter), base]
  Milliseconds outage{600'000.0};  // how long a down or overloaded server is waited for

  [[nodiscard]] static bool is_retryable(AttemptError error, long http_status);
  // The server is not answering at all, or says it is overloaded: a restart or a burst, not this request.
  [[nodiscard]] static bool is_outage(AttemptError error, long http_status);
  // Whether to try again after `retries` retries, the request having failed since `failing_for` ago.
  [[nodiscard]] bool should_retry(AttemptError error, long http_status, int retries,
                                  Milliseconds failing_for) const;

  // The wait before retry number `retry` (1 for the first retry). A Retry-After from the server wins.
  [[nodiscard]] Milliseconds backoff(int retry, std::optional<Milliseconds> retry_after,
                                     std::mt19937_64& random) const;
};

// How a libcurl failure counts, `received_bytes` telling a refused connection from one that broke mid-answer.
AttemptError classify_curl_error(CURLcode code, bool received_bytes);

// Parses a Retry-After header value: delta-seconds or an HTTP date (relative to `now_unix_seconds`).
std::optional<Milliseconds> parse_retry_after(std::string_view value, int64_t now_unix_seconds);

}  // namespace evalflow::openai_http
