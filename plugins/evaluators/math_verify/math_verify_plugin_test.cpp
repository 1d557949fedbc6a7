// The math_verify / math_verify_fixed node types through the real host (loader, schema, records).
#include <gtest/gtest.h>

#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

void run(LoadedNode& node, Record& record) {
  StatusPtr status = node.process(record);
  if (status) throw std::runtime_error(status->message);
}

TEST(MathVerifyPlugin, DeclaresItsFieldsForBothNodeTypes) {
  for (const char* name : {"math_verify", "math_verify_fixed"}) {
    SCOPED_TRACE(name);
    const LoadedNode node(name, "{}");
    EXPECT_EQ(node.type().concurrency, EF_CONCURRENCY_UNLIMITED);
    const auto fields = node.fields();
    ASSERT_EQ(fields.reads.size(), 2U);
    EXPECT_EQ(fields.reads[0].name, "prediction");
    EXPECT_EQ(fields.reads[1].name, "gold");
    ASSERT_EQ(fields.writes.size(), 3U);
    EXPECT_EQ(fields.writes[0].name, "correct");
    EXPECT_EQ(fields.writes[1].name, "extracted");
    EXPECT_EQ(fields.writes[2].name, "extracted_gold");
  }
}

TEST(MathVerifyPlugin, GradesAResponseAgainstASolutionText) {
  LoadedNode node("math_verify", "{}");
  Record record;
  record.at("prediction") = "So the probability is \\boxed{\\dfrac{3}{4}}.";
  record.at("gold") = "Counting cases gives $\\frac{6}{8} = \\boxed{\\frac{3}{4}}$.";
  run(node, record);
  EXPECT_TRUE(record.find("correct")->get<bool>());
  EXPECT_EQ(record.find("extracted")->get<std::string>(), "3/4");
  EXPECT_EQ(record.find("extracted_gold")->get<std::string>(), "3/4");
}

TEST(MathVerifyPlugin, FieldNamesComeFromTheOptions) {
  LoadedNode node("math_verify", R"({"prediction_field": "answer_text", "gold_field": "solution"})");
  const auto fields = node.fields();
  EXPECT_EQ(fields.reads[0].name, "answer_text");
  EXPECT_EQ(fields.reads[1].name, "solution");
  Record record;
  record.at("answer_text") = "\\boxed{10}";
  record.at("solution") = "$\\boxed{11}$";
  run(node, record);
  EXPECT_FALSE(record.find("correct")->get<bool>());
}

TEST(MathVerifyPlugin, TheFixedModeReadsABareGoldWhole) {
  LoadedNode parity("math_verify", "{}");
  LoadedNode fixed("math_verify_fixed", "{}");
  Record record;
  record.at("prediction") = "\\boxed{6-5i}";
  record.at("gold") = "6-5i";
  Record copy = record;
  run(parity, record);
  run(fixed, copy);
  EXPECT_FALSE(record.find("correct")->get<bool>());
  EXPECT_TRUE(copy.find("correct")->get<bool>());
}

// 100,000 repeats of a box (a runaway output): the budget holds during extraction too, and a record that
// runs out of it fails scoring instead of being scored (issue 18.8).
TEST(MathVerifyPlugin, ARecordOverItsBudgetFailsScoringAndIsNotScored) {
  LoadedNode node("math_verify", R"({"timeout_ms": 1})");
  Record record;
  std::string runaway;
  for (int i = 0; i < 100'000; ++i) runaway += "\\boxed{1} ";
  record.at("prediction") = runaway;
  record.at("gold") = "1";
  StatusPtr status = node.process(record);
  ASSERT_NE(status, nullptr) << "scored within 1 ms: the budget was not charged";
  EXPECT_EQ(status->code, EF_DEADLINE_EXCEEDED);
  EXPECT_NE(status->message.find("timeout_ms=1"), std::string::npos) << status->message;
  EXPECT_EQ(record.find("correct"), nullptr) << "no verdict is written for a sample that was not scored";
}

TEST(MathVerifyPlugin, AMissingFieldFailsTheRecordAndBadOptionsAreRejected) {
  LoadedNode node("math_verify", "{}");
  Record record;
  record.at("prediction") = "\\boxed{1}";
  EXPECT_NE(node.process(record), nullptr);
  EXPECT_THROW(LoadedNode("math_verify", R"({"timeout_ms": 0})"), std::runtime_error);
  EXPECT_THROW(LoadedNode("math_verify", R"({"prediction": "x"})"), std::runtime_error);
}

}  // namespace
}  // namespace evalflow
