// The engine against the test server: every answer shape, and every injected fault ending either in a
// completed request or in a reported failure.
#include "http_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <optional>
#include <thread>

#include "model_discovery.hpp"
#include "request_builder.hpp"
#include "test_server.hpp"

namespace evalflow::openai_http {
namespace {

using nlohmann::json;
using test_server::AnswerSource;
using test_server::OpenAiTestServer;
using test_server::ServerOptions;
using namespace std::chrono_literals;

const json kMessages = json::array({{{"role", "user"}, {"content", "What is 2+2?"}}});

ClientConfig fast_config(const std::vector<std::string>& base_urls, bool stream) {
  ClientConfig config;
  config.base_urls = base_urls;
  config.model = "test-model";
  config.stream = stream;
  config.concurrency = 8;
  config.retry.max_retries = 3;
  config.retry.initial_backoff = Milliseconds(5);
  config.retry.max_backoff = Milliseconds(20);
  config.timeouts.connect = Milliseconds(2000);
  config.timeouts.idle = Milliseconds(300);
  config.timeouts.discovery = Milliseconds(1000);
  config.retry.outage = Milliseconds(0);
  return config;
}

// Runs `count` identical requests through a client and returns their results in completion order.
std::vector<CompletionResult> run_requests(const ClientConfig& config, int count,
                                           ApiMode mode = ApiMode::kChat) {
  const RequestBuilder builder(mode, config.model, config.stream, config.generation_kwargs);
  std::mutex mutex;
  std::vector<CompletionResult> results;
  {
    HttpClient client(config, std::string(builder.path()));
    for (int i = 0; i < count; ++i) {
      const std::string body = mode == ApiMode::kChat ? builder.chat_body(kMessages.dump())
                                                      : builder.completion_body("What is 2+2?");
      client.submit(body, [&](CompletionResult&& result) {
        std::lock_guard lock(mutex);
        results.push_back(std::move(result));
      });
    }
    client.wait_idle();
  }
  return results;
}

ServerOptions reasoning_server() {
  ServerOptions options;
  options.answers = AnswerSource::fixed("<think>Two and two make four.</think>The answer is \\boxed{4}.");
  options.reasoning = true;
  options.stall = 2000ms;
  return options;
}

class StreamingAndNot : public ::testing::TestWithParam<bool> {};

TEST_P(StreamingAndNot, ChatAnswerJoinsReasoningAndContent) {
  OpenAiTestServer server(reasoning_server());
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, GetParam()), 3);
  ASSERT_EQ(results.size(), 3u);
  for (const CompletionResult& result : results) {
    ASSERT_EQ(result.code, EF_OK) << result.error;
    EXPECT_EQ(result.completion.prediction(), "Two and two make four.</think>The answer is \\boxed{4}.");
    EXPECT_EQ(result.completion.finish_reason, "stop");
    EXPECT_EQ(result.completion.completion_tokens, 10);
    EXPECT_EQ(result.completion.prompt_tokens, 3);
    EXPECT_EQ(result.timing.attempts, 1);
    EXPECT_EQ(result.timing.ttft_ms().has_value(), GetParam()) << "only streams have a first token";
    if (GetParam()) EXPECT_EQ(result.timing.itl_ms.size(), 9u) << "one gap between each two of 10 tokens";
  }
}

TEST_P(StreamingAndNot, CompletionsApi) {
  ServerOptions options;
  options.answers = AnswerSource::echo();
  OpenAiTestServer server(options);
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, GetParam()), 1, ApiMode::kCompletions);
  ASSERT_EQ(results.at(0).code, EF_OK) << results.at(0).error;
  EXPECT_EQ(results[0].completion.prediction(), "What is 2+2?");
}

TEST_P(StreamingAndNot, MaxTokensEndsWithLength) {
  OpenAiTestServer server(reasoning_server());
  server.start();
  ClientConfig config = fast_config({server.base_url()}, GetParam());
  config.generation_kwargs = {{"max_tokens", 4}};
  const auto results = run_requests(config, 1);
  ASSERT_EQ(results.at(0).code, EF_OK) << results.at(0).error;
  EXPECT_EQ(results[0].completion.finish_reason, "length");
  EXPECT_EQ(results[0].completion.completion_tokens, 4);
  EXPECT_EQ(results[0].completion.prediction(), "Two and two make</think>")
      << "a thought cut off by the limit";
}

// An answer that is cut short or holds no text is a failed request (retried, then reported), never an
// empty prediction to score (issue 18.3).
TEST_P(StreamingAndNot, MalformedAnswersAreFailedRequests) {
  for (const char* fault : {"no_finish", "only_done", "no_message", "null_content"}) {
    ServerOptions options = reasoning_server();
    options.faults = {test_server::parse_fault_rule(std::string(fault) + "@p=1")};
    OpenAiTestServer server(options);
    server.start();
    ClientConfig config = fast_config({server.base_url()}, GetParam());
    config.retry.max_retries = 1;
    const auto results = run_requests(config, 1);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].code, EF_UNAVAILABLE) << fault << ": " << results[0].completion.prediction();
    EXPECT_EQ(results[0].timing.attempts, 2) << fault << ": retried once";
    EXPECT_FALSE(results[0].error.empty()) << fault;
  }
}

TEST_P(StreamingAndNot, AMalformedAnswerRetriedWellIsAnAnswer) {
  ServerOptions options = reasoning_server();
  options.faults = {test_server::parse_fault_rule("no_finish@first=1")};
  OpenAiTestServer server(options);
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, GetParam()), 1);
  ASSERT_EQ(results.at(0).code, EF_OK) << results[0].error;
  EXPECT_EQ(results[0].timing.attempts, 2);
  EXPECT_EQ(results[0].completion.finish_reason, "stop");
}

INSTANTIATE_TEST_SUITE_P(OpenAiHttp, StreamingAndNot, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Streaming" : "NotStreaming"; });

TEST(HttpClient, TtftCountsTheFirstTokenNotTheRoleChunk) {
  ServerOptions options = reasoning_server();
  options.ttft = 60ms;  // the role-only chunk goes out at once, the first token after 60 ms
  OpenAiTestServer server(options);
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, true), 1);
  ASSERT_EQ(results.at(0).code, EF_OK) << results.at(0).error;
  EXPECT_GE(*results[0].timing.ttft_ms(), 59.0);
}

// A token that waits in the socket while the loop is busy is timed by its arrival, not by when the loop reads
// it: the first request's callback holds the loop for 500 ms, during which the second stream's first token
// comes in.
TEST(HttpClient, TtftIsWhenTheFirstTokenArrivedNotWhenTheLoopReadIt) {
  ServerOptions options = reasoning_server();
  options.ttft = 150ms;
  OpenAiTestServer server(options);
  server.start();
  ClientConfig config = fast_config({server.base_url()}, true);
  config.timeouts.idle = Milliseconds(5000);
  const RequestBuilder builder(ApiMode::kChat, config.model, true, config.generation_kwargs);
  const std::string body = builder.chat_body(kMessages.dump());
  std::optional<CompletionResult> second;
  {
    HttpClient client(config, std::string(builder.path()));
    client.submit(body, [](CompletionResult&& /*result*/) { std::this_thread::sleep_for(500ms); });
    std::this_thread::sleep_for(20ms);  // the second request starts (and gets its role chunk) before the hold
    client.submit(body, [&](CompletionResult&& result) { second = std::move(result); });
    client.wait_idle();
  }
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->code, EF_OK) << second->error;
  // Its first token arrived about 150 ms after it started and was read about 480 ms later.
  EXPECT_GE(*second->timing.ttft_ms(), 149.0);
  EXPECT_LT(*second->timing.ttft_ms(), 400.0);
}

struct FaultCase {
  const char* rule;
  bool stream;
  ef_code code_when_persistent;
  const char* message_part;
};

class InjectedFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(InjectedFault, AFaultOnTheFirstAttemptIsRetriedToCompletion) {
  ServerOptions options = reasoning_server();
  options.faults = {test_server::parse_fault_rule(std::string(GetParam().rule) + "@first=1")};
  options.retry_after_s = 0;
  OpenAiTestServer server(options);
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, GetParam().stream), 1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].code, EF_OK) << results[0].error;
  EXPECT_EQ(results[0].timing.attempts, 2);
  EXPECT_EQ(results[0].completion.prediction(), "Two and two make four.</think>The answer is \\boxed{4}.");
  EXPECT_EQ(server.completion_requests(), 2);
}

TEST_P(InjectedFault, APersistentFaultIsReportedAfterTheRetries) {
  ServerOptions options = reasoning_server();
  options.faults = {test_server::parse_fault_rule(std::string(GetParam().rule) + "@every=1")};
  options.retry_after_s = 0;
  OpenAiTestServer server(options);
  server.start();
  ClientConfig config = fast_config({server.base_url()}, GetParam().stream);
  config.retry.max_retries = 2;
  const auto results = run_requests(config, 2);
  ASSERT_EQ(results.size(), 2u);
  for (const CompletionResult& result : results) {
    EXPECT_EQ(result.code, GetParam().code_when_persistent) << result.error;
    EXPECT_EQ(result.timing.attempts, 3);
    EXPECT_NE(result.error.find(GetParam().message_part), std::string::npos) << result.error;
    EXPECT_NE(result.error.find(server.base_url() + "/chat/completions"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("attempt 3 of 3"), std::string::npos) << result.error;
  }
  EXPECT_EQ(server.completion_requests(), 6);
}

const FaultCase kFaultCases[] = {
    {"429", false, EF_RESOURCE_EXHAUSTED, "HTTP 429"},
    {"429", true, EF_RESOURCE_EXHAUSTED, "HTTP 429"},
    {"500", false, EF_UNAVAILABLE, "HTTP 500"},
    {"503", true, EF_UNAVAILABLE, "HTTP 503"},
    {"reset", false, EF_UNAVAILABLE, "during the answer"},
    {"reset", true, EF_UNAVAILABLE, "during the answer"},
    {"stall", false, EF_DEADLINE_EXCEEDED, "timeouts.idle_s"},
    {"stall", true, EF_DEADLINE_EXCEEDED, "timeouts.idle_s"},
    {"truncate", false, EF_UNAVAILABLE, "invalid JSON"},
    {"truncate", true, EF_UNAVAILABLE, "truncated"},
    {"malformed", false, EF_UNAVAILABLE, "invalid JSON"},
    {"malformed", true, EF_UNAVAILABLE, "invalid JSON"},
};

INSTANTIATE_TEST_SUITE_P(OpenAiHttp, InjectedFault, ::testing::ValuesIn(kFaultCases), [](const auto& info) {
  return std::string(info.param.rule == std::string("429")   ? "TooManyRequests"
                     : info.param.rule == std::string("500") ? "InternalError"
                     : info.param.rule == std::string("503") ? "Unavailable"
                                                             : info.param.rule) +
         (info.param.stream ? "Streaming" : "NotStreaming");
});

TEST(HttpClient, RandomFaultsEachEndInAnAnswerOrAReportedFailure) {
  ServerOptions options = reasoning_server();
  options.seed = 11;
  options.stall = 400ms;
  for (const char* rule :
       {"429@p=0.05", "503@p=0.05", "reset@p=0.05", "truncate@p=0.05", "malformed@p=0.05", "stall@p=0.02"}) {
    options.faults.push_back(test_server::parse_fault_rule(rule));
  }
  options.retry_after_s = 0;
  OpenAiTestServer server(options);
  server.start();
  ClientConfig config = fast_config({server.base_url()}, true);
  config.concurrency = 16;
  config.timeouts.idle = Milliseconds(150);
  const auto results = run_requests(config, 150);
  ASSERT_EQ(results.size(), 150u);
  int succeeded = 0;
  for (const CompletionResult& result : results) {
    if (result.code == EF_OK) {
      ++succeeded;
      EXPECT_EQ(result.completion.prediction(), "Two and two make four.</think>The answer is \\boxed{4}.");
    } else {
      EXPECT_FALSE(result.error.empty());
    }
  }
  EXPECT_GE(succeeded, 145) << "with 3 retries, a request fails only if 4 attempts in a row hit a fault";
  EXPECT_GT(server.faults_injected(), 20);
}

TEST(HttpClient, RetryAfterIsHonoured) {
  ServerOptions options = reasoning_server();
  options.faults = {test_server::parse_fault_rule("429@first=1")};
  options.retry_after_s = 1;
  OpenAiTestServer server(options);
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, false), 1);
  ASSERT_EQ(results.at(0).code, EF_OK) << results.at(0).error;
  EXPECT_GE(results[0].timing.attempt_started - results[0].timing.first_attempt_started, 990ms);
}

TEST(HttpClient, OtherClientErrorsAreReportedWithoutRetry) {
  OpenAiTestServer server(reasoning_server());
  server.start();
  ClientConfig config = fast_config({server.base_url()}, true);
  config.model = "no-such-model";
  const auto results = run_requests(config, 1);
  EXPECT_EQ(results.at(0).code, EF_NOT_FOUND);
  EXPECT_NE(results[0].error.find("does not exist"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[0].timing.attempts, 1);
  EXPECT_EQ(server.completion_requests(), 1);
}

TEST(HttpClient, AnUnreachableServerIsReportedWithAHint) {
  int closed_port = 0;
  {
    OpenAiTestServer server(reasoning_server());
    closed_port = server.start();
  }
  ClientConfig config = fast_config({"http://127.0.0.1:" + std::to_string(closed_port) + "/v1"}, false);
  config.retry.max_retries = 1;
  const auto results = run_requests(config, 1);
  EXPECT_EQ(results.at(0).code, EF_UNAVAILABLE);
  EXPECT_NE(results[0].error.find("is the server running"), std::string::npos) << results[0].error;
  EXPECT_THROW(discover_model(config), std::runtime_error);
}

TEST(HttpClient, AnInvalidEndpointUrlIsRefusedAtConstruction) {
  const ClientConfig config = fast_config({"http://model server/v1"}, false);
  try {
    HttpClient client(config, "/chat/completions");
    FAIL() << "a URL with a space in its host was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'http://model server/v1/chat/completions' is not valid"),
              std::string::npos)
        << error.what();
  }
}

// The client reads the proxy variables once, when it starts, and must honour them as libcurl would.
TEST(HttpClient, ProxyVariablesAreHonoured) {
  int closed_port = 0;
  {
    OpenAiTestServer gone(reasoning_server());
    closed_port = gone.start();
  }
  OpenAiTestServer server(reasoning_server());
  server.start();
  ClientConfig config = fast_config({server.base_url()}, false);
  config.retry.max_retries = 0;
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(closed_port);
  setenv("http_proxy", dead_proxy.c_str(), 1);
  const auto through_dead_proxy = run_requests(config, 1);
  setenv("no_proxy", "127.0.0.1", 1);
  const auto bypassing_it = run_requests(config, 1);
  unsetenv("http_proxy");
  unsetenv("no_proxy");
  EXPECT_EQ(through_dead_proxy.at(0).code, EF_UNAVAILABLE);
  EXPECT_EQ(server.completion_requests(), 1) << "only the request that bypassed the proxy reached the server";
  EXPECT_EQ(bypassing_it.at(0).code, EF_OK) << bypassing_it[0].error;
}

TEST(HttpClient, ConcurrencyLimitHolds) {
  ServerOptions options = reasoning_server();
  options.tpot = 2ms;
  OpenAiTestServer server(options);
  server.start();
  ClientConfig config = fast_config({server.base_url()}, true);
  config.concurrency = 3;
  const auto results = run_requests(config, 12);
  ASSERT_EQ(results.size(), 12u);
  EXPECT_LE(server.max_concurrent_requests(), 3);
  EXPECT_GE(server.max_concurrent_requests(), 2) << "requests overlap up to the limit";
}

TEST(HttpClient, RequestRateSpacesTheStarts) {
  OpenAiTestServer server(reasoning_server());
  server.start();
  ClientConfig config = fast_config({server.base_url()}, false);
  config.request_rate = 50;  // one start per 20 ms
  const auto results = run_requests(config, 6);
  ASSERT_EQ(results.size(), 6u);
  auto first = results[0].timing.attempt_started;
  auto last = first;
  for (const auto& result : results) {
    first = std::min(first, result.timing.attempt_started);
    last = std::max(last, result.timing.attempt_started);
  }
  EXPECT_GE(last - first, 99ms) << "6 starts at 50/s span at least 5 intervals of 20 ms";
}

TEST(HttpClient, RequestsSpreadOverEndpoints) {
  ServerOptions options = reasoning_server();
  options.tpot = 1ms;
  OpenAiTestServer first(options);
  OpenAiTestServer second(options);
  first.start();
  second.start();
  ClientConfig config = fast_config({first.base_url(), second.base_url()}, true);
  config.concurrency = 4;
  const auto results = run_requests(config, 40);
  ASSERT_EQ(results.size(), 40u);
  for (const auto& result : results) EXPECT_EQ(result.code, EF_OK) << result.error;
  EXPECT_EQ(first.completion_requests() + second.completion_requests(), 40);
  EXPECT_GE(first.completion_requests(), 10);
  EXPECT_GE(second.completion_requests(), 10);
}

TEST(HttpClient, ApiKeyIsSentAndNeverShownInErrors) {
  ServerOptions options = reasoning_server();
  options.api_key = "sk-right-key";
  OpenAiTestServer server(options);
  server.start();
  ClientConfig config = fast_config({server.base_url()}, true);
  config.api_key = "sk-right-key";
  EXPECT_EQ(run_requests(config, 1).at(0).code, EF_OK);
  EXPECT_EQ(discover_model(config), "test-model");
  config.api_key = "sk-wrong-secret";
  config.api_key_env = "MY_KEY";
  const auto results = run_requests(config, 1);
  EXPECT_EQ(results.at(0).code, EF_INVALID_ARGUMENT);
  EXPECT_NE(results[0].error.find("HTTP 401"), std::string::npos) << results[0].error;
  EXPECT_NE(results[0].error.find("$MY_KEY"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[0].error.find("sk-wrong-secret"), std::string::npos) << results[0].error;
}

// SSE comments are not activity: a server trickling `: keep-alive` times out like a silent one (18.5).
TEST(HttpClient, KeepAliveCommentsDoNotHoldOffTheIdleTimeout) {
  ServerOptions options = reasoning_server();
  options.faults = {test_server::parse_fault_rule("keepalive@first=1")};
  options.stall = 1500ms;  // comments every 100 ms for 1.5 s, well past the 300 ms idle timeout
  OpenAiTestServer server(options);
  server.start();
  const auto results = run_requests(fast_config({server.base_url()}, true), 1);
  ASSERT_EQ(results.at(0).code, EF_OK) << results[0].error;
  EXPECT_EQ(results[0].timing.attempts, 2) << "the trickled attempt timed out and was retried";
}

// A model server restarted mid-run (refusing connections for a while) costs time, not samples (18.4).
TEST(HttpClient, AnOutageWithinOutageSIsRiddenOut) {
  OpenAiTestServer first(reasoning_server());
  const int port = first.start();
  first.stop();
  ServerOptions options = reasoning_server();
  options.port = port;
  OpenAiTestServer restarted(options);
  std::thread restart([&] {
    std::this_thread::sleep_for(1500ms);
    restarted.start();
  });
  ClientConfig config = fast_config({"http://127.0.0.1:" + std::to_string(port) + "/v1"}, true);
  config.retry.max_retries = 1;
  config.retry.initial_backoff = Milliseconds(50);
  config.retry.max_backoff = Milliseconds(200);
  config.retry.outage = Milliseconds(20'000);
  const auto results = run_requests(config, 4);
  restart.join();
  ASSERT_EQ(results.size(), 4u);
  for (const auto& result : results) {
    EXPECT_EQ(result.code, EF_OK) << result.error;
    EXPECT_GT(result.timing.attempts, 2) << "more attempts than `retry` allows: the outage window held them";
  }
}

TEST(HttpClient, AnOutageLongerThanOutageSFailsNamingTheWait) {
  int closed_port = 0;
  {
    OpenAiTestServer gone(reasoning_server());
    closed_port = gone.start();
  }
  ClientConfig config = fast_config({"http://127.0.0.1:" + std::to_string(closed_port) + "/v1"}, true);
  config.retry.max_retries = 1;
  config.retry.outage = Milliseconds(300);
  const auto results = run_requests(config, 1);
  EXPECT_EQ(results.at(0).code, EF_UNAVAILABLE);
  EXPECT_NE(results[0].error.find("outage_s"), std::string::npos) << results[0].error;
}

// Discovery against a server that accepts connections and never answers: one bounded wait (18.4).
TEST(HttpClient, DiscoveryWaitsOnceForASilentServer) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 16), 0);  // connections complete in the backlog; nothing ever answers
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  ClientConfig config =
      fast_config({"http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/v1"}, false);
  config.retry.max_retries = 5;
  config.timeouts.discovery = Milliseconds(800);
  const auto started = std::chrono::steady_clock::now();
  try {
    discover_model(config);
    ADD_FAILURE() << "a silent server listed a model";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("within 0.8 s (timeouts.discovery_s"), std::string::npos)
        << error.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "one wait of 0.8 s, not one per retry";
  close(listener);
}

// Credentials in an endpoint URL reach libcurl, never a message (18.9).
TEST(HttpClient, UrlCredentialsNeverShowInErrors) {
  int closed_port = 0;
  {
    OpenAiTestServer gone(reasoning_server());
    closed_port = gone.start();
  }
  ClientConfig config =
      fast_config({"http://alice:pa55word-long@127.0.0.1:" + std::to_string(closed_port) + "/v1"}, false);
  config.retry.max_retries = 0;
  const auto results = run_requests(config, 1);
  EXPECT_EQ(results.at(0).code, EF_UNAVAILABLE);
  EXPECT_EQ(results[0].error.find("pa55word"), std::string::npos) << results[0].error;
  EXPECT_NE(results[0].error.find("http://<redacted>@127.0.0.1"), std::string::npos) << results[0].error;
  try {
    discover_model(config);
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()).find("pa55word"), std::string::npos) << error.what();
  }
}

TEST(HttpClient, ModelIsDiscovered) {
  ServerOptions options = reasoning_server();
  options.model = "DeepSeek-R1-Distill-Qwen-14B";
  OpenAiTestServer server(options);
  server.start();
  EXPECT_EQ(discover_model(fast_config({server.base_url()}, false)), "DeepSeek-R1-Distill-Qwen-14B");
}

TEST(HttpClient, StoppingCancelsWhatIsLeft) {
  ServerOptions options = reasoning_server();
  options.ttft = 500ms;  // longer than the test waits before stopping the client
  OpenAiTestServer server(options);
  server.start();
  ClientConfig config = fast_config({server.base_url()}, true);
  config.concurrency = 1;
  const RequestBuilder builder(ApiMode::kChat, config.model, true, json::object());
  std::mutex mutex;
  std::vector<ef_code> codes;
  {
    HttpClient client(config, std::string(builder.path()));
    for (int i = 0; i < 3; ++i) {
      client.submit(builder.chat_body(kMessages.dump()), [&](CompletionResult&& result) {
        std::lock_guard lock(mutex);
        codes.push_back(result.code);
      });
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(codes, (std::vector<ef_code>{EF_CANCELLED, EF_CANCELLED, EF_CANCELLED}));
}

}  // namespace
}  // namespace evalflow::openai_http
