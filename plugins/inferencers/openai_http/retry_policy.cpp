#include "retry_policy.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace evalflow::openai_http {

bool RetryPolicy::is_retryable(AttemptError error, long http_status) {
  switch (error) {
    case AttemptError::kConnect:
    case AttemptError::kInterrupted:
    case AttemptError::kIdleTimeout:
    case AttemptError::kProtocol:
      return true;
    case AttemptError::kHttpStatus:
      return http_status == 408 || http_status == 429 || http_status >= 500;
    case AttemptError::kNone:
    case AttemptError::kTls:
    case AttemptError::kOther:
      return false;
  }
  return false;
}

bool RetryPolicy::is_outage(AttemptError error, long http_status) {
  if (error == AttemptError::kConnect) return true;
  return error == AttemptError::kHttpStatus &&
         (http_status == 429 || http_status == 502 || http_status == 503 || http_status == 504);
}

bool RetryPolicy::should_retry(AttemptError error, long http_status, int retries,
                               Milliseconds failing_for) const {
  if (!is_retryable(error, http_status)) return false;
  if (retries < max_retries) return true;
  return is_outage(error, http_status) && failing_for < outage;
}

AttemptError classify_curl_error(CURLcode code, bool received_bytes) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      return received_bytes ? AttemptError::kInterrupted : AttemptError::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
      return AttemptError::kTls;
    default:
      return AttemptError::kOther;
  }
}

Milliseconds RetryPolicy::backoff(int retry, std::optional<Milliseconds> retry_after,
                                  std::mt19937_64& random) const {
  if (retry_after) return *retry_after;
  const double exponent = std::max(0, retry - 1);
  const double base = std::min(max_backoff.count(), initial_backoff.count() * std::pow(multiplier, exponent));
  std::uniform_real_distribution<double> spread(1.0 - std::clamp(jitter, 0.0, 1.0), 1.0);
  return Milliseconds(base * spread(random));
}

std::optional<Milliseconds> parse_retry_after(std::string_view value, int64_t now_unix_seconds) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() &&
         (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' || value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  double seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return Milliseconds(seconds * 1000.0);
  }
  // curl_getdate parses the HTTP date formats (RFC 9110 section 5.6.7).
  const std::string date(value);
  const time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const int64_t seconds_left = std::max<int64_t>(0, static_cast<int64_t>(when) - now_unix_seconds);
  return Milliseconds(static_cast<double>(seconds_left) * 1000.0);
}

}  // namespace evalflow::openai_http
