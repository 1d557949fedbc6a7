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

}  // namespace
}  // namespace evalflow
