// An OpenAI-compatible server for tests and benchmarks that speaks vLLM's wire format, with configurable
// latencies (time to first token, time per output token) and injected faults. Built on cpp-httplib.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "answer_source.hpp"
#include "fault_schedule.hpp"

namespace httplib {
class Server;
}

namespace evalflow::test_server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string model = "test-model";
  std::string api_key;  // when set, requests need `Authorization: Bearer <api_key>`
  AnswerSource answers = AnswerSource::fixed("The answer is \\boxed{4}.");
  // As vLLM's reasoning parsers do: the text before "</think>" streams as reasoning, the rest as content.
  bool reasoning = false;
  std::string reasoning_field = "reasoning_content";  // newer vLLM: "reasoning"
  std::chrono::microseconds ttft{0};
  std::chrono::microseconds tpot{0};
  std::vector<FaultRule> faults;
  uint64_t seed = 1;
  int retry_after_s = 1;                    // sent with 429 answers
  std::chrono::milliseconds stall{30'000};  // how long a stall lasts before the server drops the connection
  double fault_at = 0.5;                    // mid-stream faults strike after this fraction of the tokens
  // The first token's text is the server's send time (Unix nanoseconds), for the TTFT benchmark.
  bool stamp_first_token = false;
  int threads = 512;  // cpp-httplib serves each connection on a thread of its pool
};

class OpenAiTestServer {
 public:
  explicit OpenAiTestServer(ServerOptions options);
  ~OpenAiTestServer();
  OpenAiTestServer(const OpenAiTestServer&) = delete;
  OpenAiTestServer& operator=(const OpenAiTestServer&) = delete;

  // Binds and serves on a background thread. Returns the port; throws std::runtime_error if binding fails.
  int start();
  void stop();

  [[nodiscard]] std::string base_url() const;  // http://host:port/v1
  [[nodiscard]] int64_t completion_requests() const { return completion_requests_; }
  [[nodiscard]] int64_t faults_injected() const { return faults_injected_; }
  // The most completion requests that were being answered at the same time.
  [[nodiscard]] int64_t max_concurrent_requests() const { return max_concurrent_; }

 private:
  class Handlers;
  ServerOptions options_;
  FaultSchedule schedule_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int64_t> completion_requests_{0};
  std::atomic<int64_t> faults_injected_{0};
  std::atomic<int64_t> concurrent_{0};
  std::atomic<int64_t> max_concurrent_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace evalflow::test_server
