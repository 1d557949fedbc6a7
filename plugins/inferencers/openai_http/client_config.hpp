// The inferencer's configuration, read from the node's options (AISBench's VLLMCustomAPIChat names where
// they exist: host_ip, host_port, url, model, stream, batch_size, request_rate, retry, generation_kwargs).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "request_builder.hpp"
#include "retry_policy.hpp"

namespace evalflow::openai_http {

struct Timeouts {
  Milliseconds connect{10'000.0};
  // The longest silence accepted between two stream events; for a non-streamed request, the wait for the
  // whole answer (a 32k-token answer takes many minutes, so the default is large there).
  Milliseconds idle{0.0};
  Milliseconds total{0.0};           // 0: none. Reasoning streams legitimately last very long.
  Milliseconds discovery{60'000.0};  // the whole wait for GET /models, retries included
};

struct ClientConfig {
  std::vector<std::string> base_urls;  // e.g. "http://127.0.0.1:8080/v1", one per replica
  std::string model;                   // empty: the first model of GET /v1/models
  ApiMode mode = ApiMode::kChat;
  bool stream = false;
  nlohmann::json generation_kwargs = nlohmann::json::object();
  int concurrency = 1;      // requests in flight (AISBench's batch_size)
  double request_rate = 0;  // request starts per second, 0 = unlimited
  RetryPolicy retry;
  Timeouts timeouts;
  std::string api_key;      // a secret: never logged, never written anywhere
  std::string api_key_env;  // the variable it came from, for messages
  bool verify_tls = true;
  std::string ca_bundle;   // empty: the system's CA store
  uint64_t seed = 0x5eed;  // of the backoff jitter

  // What no message may show: the API key and the credentials written into endpoint URLs.
  [[nodiscard]] std::vector<std::string> secrets() const;
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> process_environment(const std::string& name);

// Reads and checks the options object. Throws std::invalid_argument naming the option and what to do.
ClientConfig parse_client_config(const nlohmann::json& options, const EnvironmentLookup& environment);

// "host:8080" -> "http://host:8080/v1"; ".../v1/chat/completions" -> ".../v1"; trailing '/' removed.
std::string normalize_base_url(std::string url);

}  // namespace evalflow::openai_http
