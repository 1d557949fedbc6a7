// The math_boxed plugin through the real host: loader, options schema, declared fields, records.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

TEST(MathBoxedPlugin, IsAnUnlimitedFunctionNodeReadingPredictionWritingExtractedByDefault) {
  const LoadedNode node("math_boxed", "{}");
  EXPECT_EQ(node.type().kind, EF_NODE_FUNCTION);
  EXPECT_EQ(node.type().concurrency, EF_CONCURRENCY_UNLIMITED);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 1U);
  EXPECT_EQ(fields.reads[0].name, "prediction");
  EXPECT_EQ(fields.reads[0].type, EF_TYPE_STRING);
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, "extracted");
  EXPECT_EQ(fields.writes[0].type, EF_TYPE_STRING);
}

TEST(MathBoxedPlugin, WritesTheAnswerToTheFieldTheOptionsName) {
  LoadedNode node("math_boxed", R"({"input": "answer_text", "output": "answer"})");
  Record record;
  record.at("answer_text") = "so the result is \\boxed{\\frac{1}{2}}.";
  EXPECT_EQ(node.process(record), nullptr);
  ASSERT_NE(record.find("answer"), nullptr);
  EXPECT_EQ(*record.find("answer"), "\\frac{1}{2}");
  EXPECT_EQ(record.find("extracted"), nullptr);
}

TEST(MathBoxedPlugin, AMissingInputFailsTheRecordAndNamesTheField) {
  LoadedNode node("math_boxed", "{}");
  Record record;
  record.at("prediction") = 42;
  StatusPtr status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
  EXPECT_NE(status->message.find("prediction"), std::string::npos) << status->message;
}

TEST(MathBoxedPlugin, SchemaRejectsUnknownOptionsAndEmptyFieldNames) {
  const LoadedNode node("math_boxed", "{}");
  EXPECT_FALSE(node.options_violations(R"({"field": "x"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"input": ""})").empty());
  EXPECT_FALSE(node.options_violations(R"({"output": 3})").empty());
}

}  // namespace
}  // namespace evalflow
