#include "client_config.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace evalflow::openai_http {
namespace {

using nlohmann::json;

std::optional<std::string> no_environment(const std::string&) {
  return std::nullopt;
}

std::string error_of(const json& options, const EnvironmentLookup& environment = no_environment) {
  try {
    parse_client_config(options, environment);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(ClientConfig, DefaultsFollowAisBench) {
  const ClientConfig config = parse_client_config(json::object(), no_environment);
  EXPECT_EQ(config.base_urls, std::vector<std::string>{"http://localhost:8080/v1"});
  EXPECT_EQ(config.mode, ApiMode::kChat);
  EXPECT_FALSE(config.stream);
  EXPECT_EQ(config.concurrency, 1);
  EXPECT_EQ(config.retry.max_retries, 2);
  EXPECT_TRUE(config.verify_tls);
  EXPECT_TRUE(config.model.empty());
  EXPECT_EQ(config.timeouts.total.count(), 0) << "no total timeout: reasoning answers take minutes";
  EXPECT_GT(config.timeouts.idle.count(), 0);
}

TEST(ClientConfig, ReadsTheAisBenchNamedOptions) {
  const json options = {{"host_ip", "10.0.0.7"},
                        {"host_port", 18081},
                        {"model", "r1"},
                        {"stream", true},
                        {"batch_size", 16},
                        {"request_rate", 2.5},
                        {"retry", 5},
                        {"mode", "completions"},
                        {"generation_kwargs", {{"temperature", 0.6}}},
                        {"max_out_len", 100},
                        {"timeouts", {{"connect_s", 2}, {"idle_s", 30}}}};
  const ClientConfig config = parse_client_config(options, no_environment);
  EXPECT_EQ(config.base_urls, std::vector<std::string>{"http://10.0.0.7:18081/v1"});
  EXPECT_EQ(config.model, "r1");
  EXPECT_TRUE(config.stream);
  EXPECT_EQ(config.concurrency, 16);
  EXPECT_DOUBLE_EQ(config.request_rate, 2.5);
  EXPECT_EQ(config.retry.max_retries, 5);
  EXPECT_EQ(config.mode, ApiMode::kCompletions);
  EXPECT_EQ(config.generation_kwargs, json({{"temperature", 0.6}, {"max_tokens", 100}}));
  EXPECT_DOUBLE_EQ(config.timeouts.connect.count(), 2000);
  EXPECT_DOUBLE_EQ(config.timeouts.idle.count(), 30000);
}

TEST(ClientConfig, MaxTokensInGenerationKwargsWinsOverMaxOutLen) {
  const ClientConfig config =
      parse_client_config({{"max_out_len", 100}, {"generation_kwargs", {{"max_tokens", 7}}}}, no_environment);
  EXPECT_EQ(config.generation_kwargs["max_tokens"], 7);
}

TEST(ClientConfig, NormalizesBaseUrls) {
  EXPECT_EQ(normalize_base_url("localhost:8000"), "http://localhost:8000/v1");
  EXPECT_EQ(normalize_base_url("https://api.example.com/v1/"), "https://api.example.com/v1");
  EXPECT_EQ(normalize_base_url("http://h:1/v1/chat/completions"), "http://h:1/v1");
  EXPECT_EQ(normalize_base_url("http://h:1/api/v1/completions"), "http://h:1/api/v1");
  EXPECT_EQ(parse_client_config({{"host_ip", "::1"}, {"host_port", 9}}, no_environment).base_urls.front(),
            "http://[::1]:9/v1");
}

TEST(ClientConfig, SeveralEndpoints) {
  const json options = {
      {"endpoints", {"http://a:1", {{"host_ip", "b"}, {"host_port", 2}}, {{"url", "https://c/v1"}}}}};
  EXPECT_EQ(parse_client_config(options, no_environment).base_urls,
            (std::vector<std::string>{"http://a:1/v1", "http://b:2/v1", "https://c/v1"}));
  EXPECT_NE(error_of({{"endpoints", json::array()}}).find("endpoints"), std::string::npos);
}

TEST(ClientConfig, ApiKeyComesFromTheNamedVariable) {
  const std::map<std::string, std::string> variables = {{"MY_KEY", "sk-secret"}};
  auto environment = [&](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
  EXPECT_EQ(parse_client_config({{"api_key_env", "MY_KEY"}}, environment).api_key, "sk-secret");
  const std::string error = error_of({{"api_key_env", "MISSING_KEY"}}, environment);
  EXPECT_NE(error.find("MISSING_KEY"), std::string::npos);
  EXPECT_NE(error.find("not set"), std::string::npos);
}

TEST(ClientConfig, ErrorsNameTheOption) {
  EXPECT_NE(error_of({{"mode", "embeddings"}}).find("'mode'"), std::string::npos);
  EXPECT_NE(error_of({{"batch_size", 0}}).find("'batch_size'"), std::string::npos);
  EXPECT_NE(error_of({{"stream", "yes"}}).find("'stream'"), std::string::npos);
  EXPECT_NE(error_of({{"timeouts", {{"idle_s", -1}}}}).find("'timeouts.idle_s'"), std::string::npos);
  EXPECT_NE(error_of({{"generation_kwargs", 3}}).find("'generation_kwargs'"), std::string::npos);
  EXPECT_NE(error_of({{"host_port", 70000}}).find("host_port"), std::string::npos);
}

}  // namespace
}  // namespace evalflow::openai_http
