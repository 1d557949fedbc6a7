// openai_test_server: the test server as a program, for end-to-end tests, benchmarks and manual checks.
// Prints "listening on http://HOST:PORT/v1" once it accepts connections; stops on SIGINT or SIGTERM.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "test_server.hpp"

namespace {

int run(int argc, char** argv) {
  using evalflow::test_server::AnswerSource;
  using evalflow::test_server::ServerOptions;
  CLI::App app("An OpenAI-compatible server speaking vLLM's wire format, with injected faults, for tests");
  ServerOptions options;
  std::string answer = "The answer is \\boxed{4}.";
  bool echo = false;
  std::string replay;
  std::string replay_key;
  std::string replay_output;
  std::string api_key_env;
  double ttft_ms = 0;
  double tpot_ms = 0;
  int64_t stall_ms = 30'000;
  std::vector<std::string> faults;
  app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "Port; 0 picks a free one")->capture_default_str();
  app.add_option("--model", options.model, "The served model's name")->capture_default_str();
  app.add_option("--api-key-env", api_key_env,
                 "Require `Authorization: Bearer $VAR` (VAR names the variable)");
  auto* fixed =
      app.add_option("--answer", answer, "Answer every prompt with this text")->capture_default_str();
  auto* echo_flag = app.add_flag("--echo", echo, "Answer with the prompt itself");
  auto* replay_option = app.add_option("--replay", replay, "Answer from recorded outputs in this JSONL file");
  fixed->excludes(echo_flag)->excludes(replay_option);
  echo_flag->excludes(replay_option);
  app.add_option("--replay-key", replay_key, "Field of the replay file holding the prompt or question");
  app.add_option("--replay-output", replay_output, "Field of the replay file holding the output");
  app.add_flag("--reasoning", options.reasoning, "Stream the text before </think> as reasoning");
  app.add_option("--reasoning-field", options.reasoning_field, "reasoning_content (vLLM < 0.10) or reasoning")
      ->check(CLI::IsMember({"reasoning_content", "reasoning"}))
      ->capture_default_str();
  app.add_option("--ttft-ms", ttft_ms, "Time to the first token")->check(CLI::NonNegativeNumber);
  app.add_option("--tpot-ms", tpot_ms, "Time per output token after the first")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fault", faults,
                 "KIND@SELECTOR, repeatable; e.g. 429@every=3, reset@p=0.1, stall@first=1");
  app.add_option("--seed", options.seed, "Seed of probabilistic faults")->capture_default_str();
  app.add_option("--retry-after", options.retry_after_s, "Retry-After seconds sent with 429")
      ->capture_default_str();
  app.add_option("--stall-ms", stall_ms, "How long a stall lasts")->capture_default_str();
  app.add_option("--fault-at", options.fault_at, "Fraction of the tokens sent before a mid-answer fault")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--stamp-first-token", options.stamp_first_token,
               "Make the first token the server's send time in Unix nanoseconds (TTFT benchmark)");
  app.add_option("--threads", options.threads, "Connection threads (one per open connection)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (!replay.empty()) {
      options.answers = AnswerSource::replay(replay, replay_key, replay_output);
    } else if (echo) {
      options.answers = AnswerSource::echo();
    } else {
      options.answers = AnswerSource::fixed(answer);
    }
    for (const std::string& rule : faults)
      options.faults.push_back(evalflow::test_server::parse_fault_rule(rule));
    if (!api_key_env.empty()) {
      const char* key = std::getenv(api_key_env.c_str());
      if (key == nullptr || *key == '\0')
        throw std::runtime_error("--api-key-env: $" + api_key_env + " is not set");
      options.api_key = key;
    }
    options.ttft = std::chrono::microseconds(static_cast<int64_t>(ttft_ms * 1000));
    options.tpot = std::chrono::microseconds(static_cast<int64_t>(tpot_ms * 1000));
    options.stall = std::chrono::milliseconds(stall_ms);

    // Signals are taken by sigwait on this thread, so block them before the server's threads start.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    evalflow::test_server::OpenAiTestServer server(options);
    server.start();
    std::cout << "listening on " << server.base_url() << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.stop();
    std::cerr << "openai_test_server: " << server.completion_requests() << " completion requests, "
              << server.faults_injected() << " faults injected\n";
  } catch (const std::exception& error) {
    std::cerr << "openai_test_server: " << error.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "openai_test_server: " << error.what() << "\n";
    return 1;
  }
}
