// openai_http_load: drives the engine against a running server and prints what it measured as JSON, for
// tools/bench_openai_http.sh: requests per second, the perf summary, and with --stamped the delay between
// the server's send time of each first token (the token's text, from openai_test_server
// --stamp-first-token) and the moment the client recorded it. It also reports the process's CPU time per
// request (every thread: the submitting one and the event loop), the figure to compare with wrk's.
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include <charconv>
#include <iostream>
#include <mutex>

#include "http_client.hpp"
#include "perf_summary.hpp"
#include "request_builder.hpp"

namespace {

using namespace evalflow::openai_http;
using nlohmann::json;

// The server's Unix send time in nanoseconds, from the first token's text.
std::optional<double> stamped_send_ms(const std::string& content) {
  int64_t nanoseconds = 0;
  const auto [end, error] = std::from_chars(content.data(), content.data() + content.size(), nanoseconds);
  if (error != std::errc()) return std::nullopt;
  return static_cast<double>(nanoseconds) / 1e6;
}

// User and system CPU seconds this process has used so far.
std::pair<double, double> cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

int run(int argc, char** argv) {
  CLI::App app("Load generator for the openai_http engine");
  std::string url = "http://127.0.0.1:8080/v1";
  std::string model = "test-model";
  int requests = 10000;
  int concurrency = 64;
  bool stream = false;
  bool stamped = false;
  int max_tokens = 16;
  app.add_option("--url", url, "Base URL of the server")->capture_default_str();
  app.add_option("--model", model)->capture_default_str();
  app.add_option("--requests", requests)->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--concurrency", concurrency)->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--max-tokens", max_tokens)->capture_default_str();
  app.add_flag("--stream", stream);
  app.add_flag("--stamped", stamped, "First tokens carry the server's send time (implies --stream)");
  CLI11_PARSE(app, argc, argv);
  stream = stream || stamped;

  ClientConfig config;
  config.base_urls = {url};
  config.model = model;
  config.stream = stream;
  config.concurrency = concurrency;
  config.timeouts.idle = Milliseconds(60'000);
  config.generation_kwargs = {{"max_tokens", max_tokens}};
  const RequestBuilder builder(ApiMode::kChat, model, stream, config.generation_kwargs);
  const std::string body = builder.chat_body(R"([{"role":"user","content":"What is 2+2?"}])");

  // The callback only stores what it got: the summary is computed after the run, off the event loop.
  std::mutex mutex;
  std::vector<CompletionResult> results;
  results.reserve(static_cast<size_t>(requests));
  HttpClient client(config, std::string(builder.path()));
  const auto [user_before, system_before] = cpu_seconds();
  const auto start = Clock::now();
  for (int i = 0; i < requests; ++i) {
    client.submit(body, [&](CompletionResult&& result) {
      std::lock_guard lock(mutex);
      results.push_back(std::move(result));
    });
  }
  client.wait_idle();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto [user_after, system_after] = cpu_seconds();
  const double per_request_us = 1e6 / requests;
  std::vector<RequestPerf> perf;
  std::vector<double> first_token_delay_ms;
  int failures = 0;
  std::string first_error;
  for (const CompletionResult& result : results) {
    if (result.code != EF_OK) {
      if (failures++ == 0) first_error = result.error;
      continue;
    }
    const json timing = result.timing.to_json(client.wall_clock(), true);
    perf.push_back(RequestPerf::from_record_fields(&timing, result.completion.completion_tokens.value_or(0)));
    if (stamped && result.timing.first_token) {
      if (auto sent = stamped_send_ms(result.completion.content)) {
        first_token_delay_ms.push_back(client.wall_clock().unix_ms(*result.timing.first_token) - *sent);
      }
    }
  }
  json report = {{"requests", requests},
                 {"concurrency", concurrency},
                 {"stream", stream},
                 {"seconds", seconds},
                 {"requests_per_second", requests / seconds},
                 {"cpu_us_per_request",
                  {{"user", (user_after - user_before) * per_request_us},
                   {"system", (system_after - system_before) * per_request_us}}},
                 {"failures", failures},
                 {"perf", summarize_perf(perf)}};
  if (!first_error.empty()) report["first_error"] = first_error;
  if (stamped) report["first_token_delay_ms"] = distribution(first_token_delay_ms);
  std::cout << report.dump(2) << std::endl;
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "openai_http_load: " << error.what() << "\n";
    return 1;
  }
}
