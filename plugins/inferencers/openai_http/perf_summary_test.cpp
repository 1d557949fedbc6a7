#include "perf_summary.hpp"

#include <gtest/gtest.h>

namespace evalflow::openai_http {
namespace {

using nlohmann::json;

TEST(PerfSummary, DistributionInterpolatesPercentilesLikeNumpy) {
  // numpy.percentile([1, 2, 3, 4, 10], [50, 75, 90, 99]) = [3, 4, 7.6, 9.76]
  const json stats = distribution({10, 2, 4, 1, 3});
  EXPECT_EQ(stats["count"], 5);
  EXPECT_DOUBLE_EQ(stats["avg"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(stats["min"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(stats["p50"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(stats["p75"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(stats["p90"].get<double>(), 7.6);
  EXPECT_DOUBLE_EQ(stats["p99"].get<double>(), 9.76);
  EXPECT_DOUBLE_EQ(stats["max"].get<double>(), 10.0);
  EXPECT_EQ(distribution({}), json({{"count", 0}}));
}

TEST(PerfSummary, ThroughputTpotAndFailuresFromRecordTimings) {
  const json first = {{"ok", true},
                      {"e2e_ms", 1000.0},
                      {"ttft_ms", 100.0},
                      {"itl_ms", {10.0, 20.0}},
                      {"start_unix_ms", 5000.0},
                      {"end_unix_ms", 6000.0}};
  const json second = {{"ok", true},       {"e2e_ms", 1500.0},        {"ttft_ms", 300.0},
                       {"itl_ms", {30.0}}, {"start_unix_ms", 5500.0}, {"end_unix_ms", 7000.0}};
  const json failed = {{"ok", false}, {"attempts", 3}};
  const std::vector<RequestPerf> requests = {
      RequestPerf::from_record_fields(&first, 10), RequestPerf::from_record_fields(&second, 5),
      RequestPerf::from_record_fields(&failed, std::nullopt), RequestPerf::from_record_fields(nullptr, 3)};
  const json summary = summarize_perf(requests);
  EXPECT_EQ(summary["requests"], 4);
  EXPECT_EQ(summary["succeeded"], 2);
  EXPECT_EQ(summary["failed"], 2);
  EXPECT_DOUBLE_EQ(summary["duration_s"].get<double>(), 2.0);  // 5000 .. 7000 ms
  EXPECT_DOUBLE_EQ(summary["request_throughput"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(summary["output_token_throughput"].get<double>(), 7.5);
  EXPECT_EQ(summary["total_output_tokens"], 15);
  EXPECT_DOUBLE_EQ(summary["ttft_ms"]["avg"].get<double>(), 200.0);
  // TPOT: (1000 - 100) / 9 = 100 and (1500 - 300) / 4 = 300.
  EXPECT_DOUBLE_EQ(summary["tpot_ms"]["min"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(summary["tpot_ms"]["max"].get<double>(), 300.0);
  EXPECT_EQ(summary["itl_ms"]["count"], 3);
  EXPECT_DOUBLE_EQ(summary["itl_ms"]["p50"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(summary["e2e_ms"]["max"].get<double>(), 1500.0);
}

TEST(PerfSummary, NonStreamedRequestsHaveNoTokenLatencies) {
  const json timing = {{"ok", true}, {"e2e_ms", 50.0}, {"start_unix_ms", 0.0}, {"end_unix_ms", 50.0}};
  const json summary = summarize_perf({RequestPerf::from_record_fields(&timing, 8)});
  EXPECT_EQ(summary["ttft_ms"]["count"], 0);
  EXPECT_EQ(summary["tpot_ms"]["count"], 0);
  EXPECT_EQ(summary["e2e_ms"]["count"], 1);
  EXPECT_DOUBLE_EQ(summary["request_throughput"].get<double>(), 20.0);
}

TEST(PerfSummary, NothingSucceededMeansNoThroughput) {
  const json summary = summarize_perf({RequestPerf{}});
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_DOUBLE_EQ(summary["request_throughput"].get<double>(), 0.0);
}

}  // namespace
}  // namespace evalflow::openai_http
