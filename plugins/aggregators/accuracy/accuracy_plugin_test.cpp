// The accuracy node type through the real host.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

TEST(AccuracyPlugin, ReportsPercentCorrectAndTotal) {
  LoadedNode node("accuracy", "{}");
  EXPECT_EQ(node.type().kind, EF_NODE_AGGREGATE);
  for (bool correct : {true, false, true}) {
    Record record;
    record.at("correct") = correct;
    ASSERT_EQ(node.process(record), nullptr);
  }
  const auto report = node.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["accuracy"].get<double>(), 200.0 / 3.0);
  EXPECT_EQ((*report)["correct"], 2);
  EXPECT_EQ((*report)["total"], 3);
}

TEST(AccuracyPlugin, ReadsTheConfiguredBooleanField) {
  LoadedNode node("accuracy", R"({"field": "passed"})");
  ASSERT_EQ(node.fields().reads.at(0).name, "passed");
  Record record;
  record.at("passed") = "yes";
  EXPECT_NE(node.process(record), nullptr);
  record.at("passed") = true;
  ASSERT_EQ(node.process(record), nullptr);
  EXPECT_EQ((*node.report())["accuracy"], 100.0);
}

TEST(AccuracyPlugin, BreaksAccuracyDownByTheGroupByColumns) {
  LoadedNode node("accuracy", R"({"group_by": ["level", "subject"]})");
  const struct {
    int level;
    const char* subject;
    bool correct;
  } samples[] = {{1, "Algebra", true}, {1, "Geometry", false}, {2, "Algebra", true}, {2, "Algebra", true}};
  for (const auto& sample : samples) {
    Record record;
    record.at("correct") = sample.correct;
    record.at("level") = sample.level;
    record.at("subject") = sample.subject;
    ASSERT_EQ(node.process(record), nullptr);
  }
  Record without_level;
  without_level.at("correct") = false;
  without_level.at("subject") = "Algebra";
  ASSERT_EQ(node.process(without_level), nullptr);
  const auto report = node.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["accuracy"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ((*report)["accuracy_by_level"]["1"].get<double>(), 50.0) << report->dump();
  EXPECT_DOUBLE_EQ((*report)["accuracy_by_level"]["2"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ((*report)["accuracy_by_level"]["(none)"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ((*report)["accuracy_by_subject"]["Algebra"].get<double>(), 75.0);
  EXPECT_EQ((*report)["num_by_subject"]["Geometry"], 1);
}

TEST(AccuracyPlugin, NaiveAverageCountsEveryGroupOnce) {
  LoadedNode node("accuracy", R"({"group_by": ["category"], "naive_average": true})");
  // law: 1 of 4 right (25%), math: 1 of 1 (100%): 40% overall, 62.5% as OpenCompass's naive_average.
  const struct {
    const char* category;
    bool correct;
  } samples[] = {{"law", true}, {"law", false}, {"law", false}, {"law", false}, {"math", true}};
  for (const auto& sample : samples) {
    Record record;
    record.at("correct") = sample.correct;
    record.at("category") = sample.category;
    ASSERT_EQ(node.process(record), nullptr);
  }
  const auto report = node.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["accuracy"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ((*report)["naive_average_by_category"].get<double>(), 62.5) << report->dump();
  LoadedNode plain("accuracy", R"({"group_by": ["category"]})");
  Record record;
  record.at("correct") = true;
  record.at("category") = "law";
  ASSERT_EQ(plain.process(record), nullptr);
  EXPECT_FALSE(plain.report()->contains("naive_average_by_category"));
}

}  // namespace
}  // namespace evalflow
