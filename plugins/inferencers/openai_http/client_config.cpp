#include "client_config.hpp"

#include "redaction.hpp"

#include <array>
#include <cstdlib>
#include <stdexcept>

namespace evalflow::openai_http {
namespace {

[[noreturn]] void invalid(const std::string& option, const std::string& problem) {
  throw std::invalid_argument("option '" + option + "': " + problem);
}

const nlohmann::json* find(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  return found == object.end() || found->is_null() ? nullptr : &*found;
}

std::string string_option(const nlohmann::json& object, const char* key, const std::string& fallback,
                          const std::string& where) {
  const nlohmann::json* value = find(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) invalid(where + key, "must be a string, got " + value->dump());
  return value->get<std::string>();
}

double number_option(const nlohmann::json& object, const char* key, double fallback, double minimum,
                     const std::string& where) {
  const nlohmann::json* value = find(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_number()) invalid(where + key, "must be a number, got " + value->dump());
  const auto number = value->get<double>();
  if (number < minimum)
    invalid(where + key, "must be >= " + std::to_string(minimum) + ", got " + value->dump());
  return number;
}

bool bool_option(const nlohmann::json& object, const char* key, bool fallback) {
  const nlohmann::json* value = find(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) invalid(key, "must be true or false, got " + value->dump());
  return value->get<bool>();
}

std::string host_url(const std::string& host, int64_t port) {
  // An IPv6 literal needs brackets inside a URL.
  const bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/v1";
}

// An endpoint given as a URL string, or as {url} or {host_ip, host_port}.
std::string endpoint_url(const nlohmann::json& endpoint, const std::string& where) {
  if (endpoint.is_string()) return normalize_base_url(endpoint.get<std::string>());
  if (!endpoint.is_object()) invalid(where, "must be a URL or {host_ip, host_port}, got " + endpoint.dump());
  if (const nlohmann::json* url = find(endpoint, "url")) {
    if (!url->is_string()) invalid(where + ".url", "must be a string");
    return normalize_base_url(url->get<std::string>());
  }
  const std::string host = string_option(endpoint, "host_ip", "localhost", where + ".");
  const double port = number_option(endpoint, "host_port", 8080, 1, where + ".");
  if (port > 65535 || port != static_cast<double>(static_cast<int64_t>(port))) {
    invalid(where + ".host_port", "must be an integer port number 1..65535");
  }
  return host_url(host, static_cast<int64_t>(port));
}

std::vector<std::string> parse_endpoints(const nlohmann::json& options) {
  std::vector<std::string> urls;
  if (const nlohmann::json* endpoints = find(options, "endpoints")) {
    if (!endpoints->is_array() || endpoints->empty()) invalid("endpoints", "must be a non-empty list");
    for (size_t i = 0; i < endpoints->size(); ++i) {
      urls.push_back(endpoint_url((*endpoints)[i], "endpoints[" + std::to_string(i) + "]"));
    }
    return urls;
  }
  const std::string url = string_option(options, "url", "", "");
  if (!url.empty()) return {normalize_base_url(url)};
  return {endpoint_url(options, "")};
}

void parse_retry(const nlohmann::json& options, RetryPolicy& retry) {
  retry.max_retries = static_cast<int>(number_option(options, "retry", retry.max_retries, 0, ""));
  retry.outage =
      Milliseconds(1000.0 * number_option(options, "outage_s", retry.outage.count() / 1000.0, 0, ""));
  if (const nlohmann::json* backoff = find(options, "backoff")) {
    if (!backoff->is_object()) invalid("backoff", "must be an object");
    retry.initial_backoff = Milliseconds(
        1000.0 * number_option(*backoff, "initial_s", retry.initial_backoff.count() / 1000.0, 0, "backoff."));
    retry.max_backoff = Milliseconds(
        1000.0 * number_option(*backoff, "max_s", retry.max_backoff.count() / 1000.0, 0, "backoff."));
    retry.multiplier = number_option(*backoff, "multiplier", retry.multiplier, 1, "backoff.");
    retry.jitter = number_option(*backoff, "jitter", retry.jitter, 0, "backoff.");
    if (retry.jitter > 1) invalid("backoff.jitter", "must be between 0 and 1");
  }
}

void parse_timeouts(const nlohmann::json& options, bool stream, Timeouts& timeouts) {
  // Streams send an event per token, so a long silence means a dead server; a non-streamed answer is
  // silent until it is complete.
  double idle_s = stream ? 300.0 : 3600.0;
  if (const nlohmann::json* given = find(options, "timeouts")) {
    if (!given->is_object()) invalid("timeouts", "must be an object");
    timeouts.connect = Milliseconds(1000.0 * number_option(*given, "connect_s", 10.0, 0.001, "timeouts."));
    idle_s = number_option(*given, "idle_s", idle_s, 0.001, "timeouts.");
    timeouts.total = Milliseconds(1000.0 * number_option(*given, "total_s", 0.0, 0, "timeouts."));
    timeouts.discovery =
        Milliseconds(1000.0 * number_option(*given, "discovery_s", timeouts.discovery.count() / 1000.0, 0.001,
                                            "timeouts."));
  }
  timeouts.idle = Milliseconds(1000.0 * idle_s);
}

nlohmann::json generation_kwargs(const nlohmann::json& options) {
  nlohmann::json kwargs = nlohmann::json::object();
  if (const nlohmann::json* given = find(options, "generation_kwargs")) {
    if (!given->is_object()) invalid("generation_kwargs", "must be an object, got " + given->dump());
    kwargs = *given;
  }
  // AISBench's max_out_len, unless generation_kwargs sets max_tokens itself.
  if (const nlohmann::json* max_out_len = find(options, "max_out_len");
      max_out_len != nullptr && !kwargs.contains("max_tokens")) {
    if (!max_out_len->is_number_integer() || max_out_len->get<int64_t>() < 1) {
      invalid("max_out_len", "must be a positive integer, got " + max_out_len->dump());
    }
    kwargs["max_tokens"] = *max_out_len;
  }
  return kwargs;
}

}  // namespace

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string normalize_base_url(std::string url) {
  if (url.find("://") == std::string::npos) url = "http://" + url;
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  static constexpr std::array kEndpointSuffixes = {"/chat/completions", "/completions"};
  for (const std::string_view suffix : kEndpointSuffixes) {
    if (url.size() > suffix.size() && url.ends_with(suffix)) {
      url.resize(url.size() - suffix.size());
      break;
    }
  }
  const size_t authority = url.find("://") + 3;
  if (url.find('/', authority) == std::string::npos) url += "/v1";
  return url;
}

ClientConfig parse_client_config(const nlohmann::json& options, const EnvironmentLookup& environment) {
  if (!options.is_object()) throw std::invalid_argument("options must be an object, got " + options.dump());
  ClientConfig config;
  config.base_urls = parse_endpoints(options);
  config.model = string_option(options, "model", "", "");
  const std::string mode = string_option(options, "mode", "chat", "");
  if (mode == "chat") {
    config.mode = ApiMode::kChat;
  } else if (mode == "completions") {
    config.mode = ApiMode::kCompletions;
  } else {
    invalid("mode", R"(must be "chat" or "completions", got ")" + mode + R"(")");
  }
  config.stream = bool_option(options, "stream", false);
  config.generation_kwargs = generation_kwargs(options);
  config.concurrency = static_cast<int>(number_option(options, "batch_size", 1, 1, ""));
  config.request_rate = number_option(options, "request_rate", 0, 0, "");
  parse_retry(options, config.retry);
  parse_timeouts(options, config.stream, config.timeouts);
  config.verify_tls = bool_option(options, "tls_verify", true);
  config.ca_bundle = string_option(options, "ca_bundle", "", "");
  config.seed =
      static_cast<uint64_t>(number_option(options, "seed", static_cast<double>(config.seed), 0, ""));
  config.api_key_env = string_option(options, "api_key_env", "", "");
  if (!config.api_key_env.empty()) {
    std::optional<std::string> key = environment(config.api_key_env);
    if (!key || key->empty()) {
      invalid("api_key_env", "the environment variable " + config.api_key_env +
                                 " is not set or empty; export it before the run, or remove api_key_env");
    }
    config.api_key = std::move(*key);
  }
  return config;
}

std::vector<std::string> ClientConfig::secrets() const {
  std::vector<std::string> found;
  if (!api_key.empty()) found.push_back(api_key);
  for (const std::string& url : base_urls) {
    if (std::string userinfo = url_userinfo(url); !userinfo.empty()) found.push_back(std::move(userinfo));
  }
  return found;
}

}  // namespace evalflow::openai_http
