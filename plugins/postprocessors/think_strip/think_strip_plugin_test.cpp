// The think_strip plugin through the real host: loader, options schema, declared fields, records.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

TEST(ThinkStripPlugin, DeclaresItsFieldsWithDefaults) {
  const LoadedNode node("think_strip", "{}");
  EXPECT_EQ(node.type().kind, EF_NODE_FUNCTION);
  EXPECT_EQ(node.type().concurrency, EF_CONCURRENCY_UNLIMITED);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 1U);
  EXPECT_EQ(fields.reads[0].name, "prediction");
  ASSERT_EQ(fields.writes.size(), 2U);
  EXPECT_EQ(fields.writes[0].name, "truncated");
  EXPECT_EQ(fields.writes[0].type, EF_TYPE_BOOL);
  EXPECT_EQ(fields.writes[1].name, "answer_text");
}

TEST(ThinkStripPlugin, WritesTheVisibleAnswerAndTheTruncatedFlag) {
  LoadedNode node("think_strip", "{}");
  Record finished;
  finished.at("prediction") = "<think>\nhmm</think>\n\n\\boxed{3}";
  EXPECT_EQ(node.process(finished), nullptr);
  EXPECT_EQ(*finished.find("answer_text"), "\n\n\\boxed{3}");
  EXPECT_EQ(*finished.find("truncated"), false);

  Record cut_off;
  cut_off.at("prediction") = "<think>\nstill going";
  EXPECT_EQ(node.process(cut_off), nullptr);
  EXPECT_EQ(*cut_off.find("answer_text"), "");
  EXPECT_EQ(*cut_off.find("truncated"), true);
}

TEST(ThinkStripPlugin, CanRewriteItsInputFieldInPlace) {
  LoadedNode node("think_strip", R"({"input": "prediction", "output": "prediction"})");
  Record record;
  record.at("prediction") = "thinking...</think>answer";
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("prediction"), "answer");
}

TEST(ThinkStripPlugin, SchemaRejectsUnknownOptions) {
  const LoadedNode node("think_strip", "{}");
  EXPECT_FALSE(node.options_violations(R"({"tag": "think"})").empty());
  EXPECT_TRUE(node.options_violations(R"({"output": "visible"})").empty());
}

}  // namespace
}  // namespace evalflow
