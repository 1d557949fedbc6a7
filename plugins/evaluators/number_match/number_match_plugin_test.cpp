// The number_match plugin through the real host: declared fields, verdicts, a gold that is no number.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

TEST(NumberMatchPlugin, DeclaresItsFields) {
  const LoadedNode node("number_match", R"({"prediction_field": "answer"})");
  const auto fields = node.fields();
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, "correct");
  ASSERT_EQ(fields.reads.size(), 2U);
  EXPECT_EQ(fields.reads[0].name, "answer");
  EXPECT_EQ(fields.reads[1].name, "gold");
}

TEST(NumberMatchPlugin, ScoresNumbersWrittenDifferently) {
  LoadedNode node("number_match", "{}");
  Record record;
  record.at("extracted") = "$1,234.00";
  record.at("gold") = "1234";
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("correct"), true);
  record.at("extracted") = "1243";
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("correct"), false);
}

TEST(NumberMatchPlugin, LenientFailsARecordWhoseGoldIsNoNumberAisbenchScoresItWrong) {
  LoadedNode lenient("number_match", "{}");
  Record record;
  record.at("extracted") = "72";
  record.at("gold") = "Natalia sold 72 clips.\n#### 72";
  const StatusPtr status = lenient.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->message.find("gsm8k_gold"), std::string::npos) << status->message;

  LoadedNode aisbench("number_match", R"({"rule": "aisbench_gsm8k"})");
  EXPECT_EQ(aisbench.process(record), nullptr);
  EXPECT_EQ(*record.find("correct"), false);
}

TEST(NumberMatchPlugin, SchemaRejectsUnknownRules) {
  const LoadedNode node("number_match", "{}");
  EXPECT_FALSE(node.options_violations(R"({"rule": "python"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"tolerance": 0})").empty());
}

}  // namespace
}  // namespace evalflow
