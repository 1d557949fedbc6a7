// The sample_metrics node type through the real host: fields, replicas from the record key, optional reads.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

Record sample(int64_t index, int32_t replica, bool correct, const std::string& answer) {
  Record record;
  record.index = index;
  record.replica = replica;
  record.at("correct") = correct;
  record.at("extracted") = answer;
  return record;
}

TEST(SampleMetricsPlugin, DeclaresOnlyTheVerdictItAlwaysReads) {
  LoadedNode node("sample_metrics", "{}");
  EXPECT_EQ(node.type().kind, EF_NODE_AGGREGATE);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 1U);
  EXPECT_EQ(fields.reads[0].name, "correct");
  EXPECT_EQ(fields.reads[0].type, EF_TYPE_BOOL);
  EXPECT_TRUE(fields.writes.empty());
  EXPECT_EQ(LoadedNode("sample_metrics", R"({"correct_field": "passed"})").fields().reads[0].name, "passed");
}

TEST(SampleMetricsPlugin, GroupsByIndexAndReplica) {
  LoadedNode node("sample_metrics", "{}");
  // Question 0: 2 of 2 right; question 1: answers a (wrong, replica 0) and b (right, replica 1) tie.
  for (auto record : {sample(0, 0, true, "x"), sample(0, 1, true, "x"), sample(1, 1, true, "b"),
                      sample(1, 0, false, "a")}) {
    ASSERT_EQ(node.process(record), nullptr);
  }
  const auto report = node.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["avg@2"].get<double>(), 75.0);
  EXPECT_DOUBLE_EQ((*report)["pass@2"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ((*report)["cons@2"].get<double>(), 50.0);  // the tie goes to replica 0's wrong answer
  EXPECT_DOUBLE_EQ((*report)["majority_correct@2"].get<double>(), 50.0);
}

TEST(SampleMetricsPlugin, ReadsOptionalFieldsWhenPresent) {
  LoadedNode node("sample_metrics", R"({"answer_field": "boxed"})");
  Record first;
  first.at("correct") = true;
  first.at("boxed") = "4";
  first.at("finish_reason") = "length";
  first.at("truncated") = true;
  first.at("completion_tokens") = 100;
  Record second;
  second.index = 1;
  second.at("correct") = false;  // nothing optional at all
  ASSERT_EQ(node.process(first), nullptr);
  ASSERT_EQ(node.process(second), nullptr);
  const auto report = node.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["length_truncated"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ((*report)["unclosed_think"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ((*report)["mean_output_tokens"].get<double>(), 100.0);
  EXPECT_FALSE(report->contains("avg@1"));
}

TEST(SampleMetricsPlugin, FailsTheRecordWithoutAVerdictOrSeenTwice) {
  LoadedNode node("sample_metrics", "{}");
  Record unscored;
  StatusPtr status = node.process(unscored);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->message.find("put an evaluator before sample_metrics"), std::string::npos);
  auto record = sample(2, 3, true, "x");
  ASSERT_EQ(node.process(record), nullptr);
  status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
  EXPECT_NE(status->message.find("sample 2 replica 3 was reported twice"), std::string::npos);
}

TEST(SampleMetricsPlugin, BreaksTheHeadlineFiguresDownByTheGroupByColumns) {
  LoadedNode node("sample_metrics", R"({"group_by": ["level"]})");
  // Question 0 (level 1): 2 of 2 correct; question 1 (level 2): 1 of 2; question 2 (level 2): 0 of 2.
  const bool verdicts[3][2] = {{true, true}, {true, false}, {false, false}};
  for (int64_t question = 0; question < 3; ++question) {
    for (int32_t replica = 0; replica < 2; ++replica) {
      Record record = sample(question, replica, verdicts[question][replica], "a");
      record.at("level") = question == 0 ? 1 : 2;
      ASSERT_EQ(node.process(record), nullptr);
    }
  }
  const auto report = node.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["avg@2_by_level"]["1"].get<double>(), 100.0) << report->dump();
  EXPECT_DOUBLE_EQ((*report)["avg@2_by_level"]["2"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ((*report)["pass@2_by_level"]["2"].get<double>(), 50.0);
  EXPECT_EQ((*report)["num_questions_by_level"]["2"], 2);
}

}  // namespace
}  // namespace evalflow
