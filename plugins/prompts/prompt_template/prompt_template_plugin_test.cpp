// The prompt_template node type through the real host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;
using ::testing::HasSubstr;
using json = nlohmann::json;

TEST(PromptTemplatePlugin, WritesAisBenchChatMessages) {
  LoadedNode node("prompt_template", R"({"messages": [
      {"role": "SYSTEM", "content": "Level {level}."},
      {"role": "HUMAN", "prompt": "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}."}]})");
  EXPECT_EQ(node.type().concurrency, EF_CONCURRENCY_UNLIMITED);
  Record record;
  record.at("problem") = "Find $x$ if {x} = 2.";
  record.at("level") = 3;
  ASSERT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("messages"), json::parse(R"([{"role": "system", "content": "Level 3."},
                            {"role": "user", "content": "Find $x$ if {x} = 2.\nPlease reason step by step, and put your final answer within \\boxed{}."}])"));
}

TEST(PromptTemplatePlugin, DeclaresThePlaceholdersAsReads) {
  const LoadedNode node("prompt_template", R"({"template": "{question} {question} {context}"})");
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 2U);
  EXPECT_EQ(fields.reads[0].name, "question");
  EXPECT_EQ(fields.reads[1].name, "context");
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, "messages");
  EXPECT_EQ(fields.writes[0].type, EF_TYPE_LIST);
}

TEST(PromptTemplatePlugin, AMissingFieldFailsTheRecord) {
  LoadedNode node("prompt_template", R"({"template": "{question}"})");
  Record record;
  record.at("problem") = "x";
  StatusPtr status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
  EXPECT_THAT(status->message, HasSubstr("field 'question' named by the placeholder {question} is missing"));
}

TEST(PromptTemplatePlugin, SchemaNeedsMessagesOrTemplate) {
  const LoadedNode node("prompt_template", R"({"template": "{q}"})");
  EXPECT_FALSE(node.options_violations("{}").empty());
  EXPECT_FALSE(node.options_violations(R"({"template": "a", "messages": [{"role": "user", "content": "b"}]})")
                   .empty());
  EXPECT_FALSE(node.options_violations(R"({"messages": [{"role": "robot", "content": "b"}]})").empty());
  EXPECT_TRUE(
      node.options_violations(R"({"messages": [{"role": "BOT", "prompt": "b"}], "fields": ["q"]})").empty());
}

}  // namespace
}  // namespace evalflow
