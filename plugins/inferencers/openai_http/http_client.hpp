// The event loop: one thread drives every transfer through libcurl's multi interface (keep-alive
// connections, hundreds of concurrent streams), under a concurrency limit and an optional rate limit, with
// retries, idle timeouts and least-outstanding-requests balancing over the endpoints.
#pragma once

#include <evalflow/plugin.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client_config.hpp"
#include "completion.hpp"
#include "request_timing.hpp"

namespace evalflow::openai_http {

struct CompletionResult {
  ef_code code = EF_OK;  // EF_OK, or why the request failed after its retries
  std::string error;     // what happened, where, and what to do; never contains the API key
  Completion completion;
  RequestTiming timing;
};

// Called exactly once per submitted request, on the event-loop thread: keep it short.
using CompletionCallback = std::function<void(CompletionResult&& result)>;

struct ClientStats {
  int64_t submitted = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t attempts = 0;
  int64_t retries = 0;
};

class HttpClient {
 public:
  // Starts the event-loop thread. `path` is appended to each base URL (RequestBuilder::path()).
  HttpClient(ClientConfig config, const std::string& path);
  // Stops the loop: requests still queued or in flight complete with EF_CANCELLED.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Thread-safe. `body` is the JSON request body.
  void submit(std::string body, CompletionCallback done);
  // Blocks until every submitted request has completed.
  void wait_idle();

  [[nodiscard]] ClientStats stats() const;
  [[nodiscard]] const WallClock& wall_clock() const;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace evalflow::openai_http
