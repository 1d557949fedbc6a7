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
  result.planned = 30;
  result.fed_all = true;
  result.metrics = {{"accuracy", accuracy}, {"correct", 20}, {"total", 30}};
  return result;
}

TEST(Summary, APartlyScoredDatasetIsMarkedIncompleteAndFailsItsCheck) {
  RunReport report;
  report.lanes = {lane("m1", "math500", 75.0)};
  report.lanes[0].planned = 500;
  report.lanes[0].total = 261;
  report.lanes[0].failed = 257;
  report.lanes[0].expected = Expected{"accuracy", 75.0, 1.0};
  const SummaryTable table = summarize(report, "gen");
  EXPECT_EQ(table.rows[0][4], "75.00 (4/500 scored: INCOMPLETE)");
  EXPECT_EQ(table.rows[0].back(), "FAIL") << "a figure over 4 of 500 samples cannot pass";
  const nlohmann::json json = results_json(report.lanes[0]);
  EXPECT_EQ(json["num_scored"], 4);
  EXPECT_EQ(json["num_planned"], 500);
  EXPECT_EQ(json["complete"], false);
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

// The shape perf_summary writes (plugins/inferencers/openai_http): scalars and distributions under "perf".
nlohmann::json perf_metrics() {
  return {
      {"duration_s", 2.5},
      {"request_throughput", 12.0},
      {"ttft_ms", {{"count", 3}, {"avg", 12.5}, {"min", 10.0}, {"p50", 11.0}, {"p99", 20.0}, {"max", 21.0}}},
      {"e2e_ms", {{"count", 3}, {"avg", 250.0}, {"min", 200.0}, {"max", 300.0}}}};
}

TEST(Summary, FailuresGetARowAndPerfScalarsAreFlattened) {
  RunReport report;
  LaneResult result = lane("m", "math500", 50.0);
  result.failed = 2;
  result.metrics["perf"] = perf_metrics();
  report.lanes = {result};
  const SummaryTable table = summarize(report, "perf");
  std::vector<std::string> metrics;
  for (const auto& row : table.rows) metrics.push_back(row[2]);
  EXPECT_EQ(metrics,
            (std::vector<std::string>{"accuracy", "perf.duration_s", "perf.request_throughput", "failed"}));
  EXPECT_EQ(table.rows.back()[4], "2");
}

TEST(LatencyTable, OneRowPerDistributionWithEveryStatistic) {
  RunReport report;
  LaneResult with_perf = lane("m", "math500", 50.0);
  with_perf.metrics["perf"] = perf_metrics();
  report.lanes = {with_perf, lane("m", "aime2024", 40.0)};
  const SummaryTable table = latency_table(report);
  EXPECT_EQ(table.header, (std::vector<std::string>{"dataset", "model", "metric", "avg", "min", "p50", "p75",
                                                    "p90", "p99", "max", "count"}));
  ASSERT_EQ(table.rows.size(), 2U) << "aime2024 has no distributions";
  EXPECT_EQ(table.rows[0], (std::vector<std::string>{"math500", "m", "perf.ttft_ms", "12.50", "10.00",
                                                     "11.00", "-", "-", "20.00", "21.00", "3"}))
      << "the first token's row comes first";
  EXPECT_EQ(table.rows[1], (std::vector<std::string>{"math500", "m", "perf.e2e_ms", "250.00", "200.00", "-",
                                                     "-", "-", "-", "300.00", "3"}));
  EXPECT_TRUE(latency_table(RunReport{}).rows.empty());
}

TEST(Results, AccuracyAtTopLevelWithCounts) {
  LaneResult result = lane("m", "d", 40.0);
  result.failed = 1;
  const nlohmann::json json = results_json(result);
  EXPECT_EQ(json["accuracy"], 40.0);
  EXPECT_EQ(json["num_failed"], 1);
  EXPECT_EQ(json["num_samples"], 30);
}

}  // namespace
}  // namespace evalflow
