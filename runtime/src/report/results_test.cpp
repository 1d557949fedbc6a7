#include "report/results.hpp"

#include <gtest/gtest.h>

namespace evalflow {
namespace {

LaneResult lane(const std::string& model, const std::string& dataset, double accuracy) {
  LaneResult result;
  result.model = model;
  result.dataset = dataset;
  result.version = "abc123";
  result.total = 30;
  result.metrics = {{"accuracy", accuracy}, {"correct", 20}, {"total", 30}};
  return result;
}

TEST(Summary, OneColumnPerModelAndCountsLeftOut) {
  RunReport report;
  report.lanes = {lane("m1", "aime2024", 66.666666), lane("m2", "aime2024", 70.0)};
  const SummaryTable table = summarize(report, "gen");
  EXPECT_EQ(table.header, (std::vector<std::string>{"dataset", "version", "metric", "mode", "m1", "m2"}));
  ASSERT_EQ(table.rows.size(), 1U) << "correct and total are counts, not rows";
  EXPECT_EQ(table.rows[0],
            (std::vector<std::string>{"aime2024", "abc123", "accuracy", "gen", "66.67", "70.00"}));
  EXPECT_NE(table.csv().find("aime2024,abc123,accuracy,gen,66.67,70.00"), std::string::npos);
  EXPECT_NE(table.markdown().find("| aime2024 | abc123 | accuracy | gen | 66.67 | 70.00 |"),
            std::string::npos);
}

TEST(Summary, ExpectedFigureGivesPassOrFail) {
  RunReport report;
  report.lanes = {lane("m", "aime2024", 66.67), lane("m", "math500", 92.0)};
  report.lanes[0].expected = Expected{"accuracy", 69.7, 3.34};
  report.lanes[1].expected = Expected{"accuracy", 93.9, 0.5};
  const SummaryTable table = summarize(report, "gen");
  ASSERT_EQ(table.rows.size(), 2U);
  EXPECT_EQ(table.rows[0].back(), "PASS");
  EXPECT_EQ(table.rows[1].back(), "FAIL");
  EXPECT_EQ(table.rows[0][table.rows[0].size() - 2], "69.70±3.34");
}

TEST(Summary, FailuresGetARowAndDistributionsAreFlattened) {
  RunReport report;
  LaneResult result = lane("m", "math500", 50.0);
  result.failed = 2;
  result.metrics["ttft_ms"] = {{"count", 3}, {"avg", 12.5}, {"p99", 20.0}};
  report.lanes = {result};
  const SummaryTable table = summarize(report, "perf");
  std::vector<std::string> metrics;
  for (const auto& row : table.rows) metrics.push_back(row[2]);
  EXPECT_EQ(metrics, (std::vector<std::string>{"accuracy", "ttft_ms.avg", "ttft_ms.p99", "failed"}));
  EXPECT_EQ(table.rows.back()[4], "2");
}

TEST(Results, AccuracyAtTopLevelWithCounts) {
  LaneResult result = lane("m", "d", 40.0);
  result.failed = 1;
  const nlohmann::json json = results_json(result);
  EXPECT_EQ(json["accuracy"], 40.0);
  EXPECT_EQ(json["num_failed"], 1);
  EXPECT_EQ(json["num_samples"], 30);
}

TEST(Redaction, SecretsAreMaskedButTheirEnvironmentNamesKept) {
  const nlohmann::json config = {{"model",
                                  {{"api_key", "sk-secret"},
                                   {"api_key_env", "OPENAI_API_KEY"},
                                   {"headers", {{"Authorization", "Bearer sk-secret"}}}}}};
  const std::string yaml = redacted_yaml(config);
  EXPECT_EQ(yaml.find("sk-secret"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("OPENAI_API_KEY"), std::string::npos) << yaml;
}

}  // namespace
}  // namespace evalflow
