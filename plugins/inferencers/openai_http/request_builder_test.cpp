#include "request_builder.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace evalflow::openai_http {
namespace {

using nlohmann::json;

TEST(RequestBuilder, ChatBodyCarriesModelMessagesAndGenerationOptionsVerbatim) {
  const json kwargs = {{"temperature", 0.6},
                       {"top_p", 0.95},
                       {"max_tokens", 32768},
                       {"seed", 7},
                       {"chat_template_kwargs", {{"enable_thinking", true}}}};
  const RequestBuilder builder(ApiMode::kChat, "r1-distill", false, kwargs);
  const json messages = json::array({{{"role", "user"}, {"content", "2+2?"}}});
  const json body = json::parse(builder.chat_body(messages.dump()));
  json expected = kwargs;
  expected["model"] = "r1-distill";
  expected["stream"] = false;
  expected["messages"] = messages;
  EXPECT_EQ(body, expected);
  EXPECT_EQ(builder.path(), "/chat/completions");
}

TEST(RequestBuilder, StreamingAsksForTheUsageChunk) {
  const RequestBuilder builder(ApiMode::kChat, "m", true, json::object());
  const json body = json::parse(builder.chat_body("[]"));
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"], json({{"include_usage", true}}));
}

TEST(RequestBuilder, CompletionBodyEscapesThePrompt) {
  const RequestBuilder builder(ApiMode::kCompletions, "m", false, json{{"max_tokens", 5}});
  const std::string prompt = "Say \"hi\"\n\\boxed{}";
  const json body = json::parse(builder.completion_body(prompt));
  EXPECT_EQ(body["prompt"], prompt);
  EXPECT_EQ(body["max_tokens"], 5);
  EXPECT_EQ(builder.path(), "/completions");
}

TEST(RequestBuilder, RefusesGenerationOptionsThatTheClientOwns) {
  for (const char* key : {"model", "messages", "prompt", "stream", "stream_options"}) {
    try {
      RequestBuilder(ApiMode::kChat, "m", false, json{{key, 1}});
      FAIL() << key << " was accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(key), std::string::npos);
    }
  }
  EXPECT_THROW(RequestBuilder(ApiMode::kChat, "m", false, json::array()), std::invalid_argument);
}

}  // namespace
}  // namespace evalflow::openai_http
