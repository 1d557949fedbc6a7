// Known values from tests/report/statistics_reference.py (Python's statistics and math modules), from
// Inspect's own clustered-stderr example, and from printed t tables.
#include "report/statistics.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace evalflow::stats {
namespace {

TEST(StatisticsTest, ClusteredStderrOfInspectsExample) {
  // Scores 1,1,1,0,0,0 in clusters 0,1,1,1,0,0: two clusters, one degree of freedom.
  const MeanEstimate estimate = clustered_mean({{1, 0, 0}, {1, 1, 0}});
  EXPECT_DOUBLE_EQ(estimate.mean, 0.5);
  EXPECT_NEAR(estimate.standard_error, 0.16666666666666666, 1e-12);
  EXPECT_EQ(estimate.clusters, 2);
  EXPECT_EQ(estimate.scores, 6);
  EXPECT_NEAR(estimate.ci.low, 0.5 - 12.706204736174707 * estimate.standard_error, 1e-9);
  EXPECT_NEAR(estimate.ci.high, 0.5 + 12.706204736174707 * estimate.standard_error, 1e-9);
}

TEST(StatisticsTest, ClusteredStderrWithSeveralSamplesPerQuestion) {
  const MeanEstimate estimate = clustered_mean({{1, 1, 1, 0}, {0, 0, 1, 0}, {1, 1, 1, 1}});
  EXPECT_NEAR(estimate.mean, 0.6666666666666666, 1e-12);
  EXPECT_NEAR(estimate.standard_error, 0.2204792759220492, 1e-12);
}

TEST(StatisticsTest, OneScorePerQuestionIsTheOrdinaryStandardError) {
  const MeanEstimate estimate = clustered_mean({{1}, {0}, {1}, {1}, {0}, {1}, {1}, {1}, {0}, {1}});
  EXPECT_DOUBLE_EQ(estimate.mean, 0.7);
  EXPECT_NEAR(estimate.standard_error, 0.15275252316519466, 1e-12);
  // t(0.975, 9) = 2.262157 from the table.
  EXPECT_NEAR(estimate.ci.high - estimate.mean, 2.2621571627982053 * 0.15275252316519466, 1e-9);
}

TEST(StatisticsTest, OneQuestionHasNoSpread) {
  const MeanEstimate estimate = clustered_mean({{1, 0, 1}});
  EXPECT_NEAR(estimate.mean, 2.0 / 3, 1e-12);
  EXPECT_EQ(estimate.standard_error, 0);
  EXPECT_EQ(estimate.ci.low, estimate.ci.high);
}

TEST(StatisticsTest, StudentTQuantilesMatchTheTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 29), 2.045229642, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.995, 10), 3.169272673, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959966, 1e-5);
}

TEST(StatisticsTest, McNemarExactMatchesTheBinomialSum) {
  EXPECT_NEAR(mcnemar_exact_p(3, 11), 0.057373046875, 1e-12);
  EXPECT_NEAR(mcnemar_exact_p(11, 3), 0.057373046875, 1e-12);
  EXPECT_NEAR(mcnemar_exact_p(0, 5), 0.0625, 1e-12);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(7, 7), 1.0);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 0), 1.0);
}

TEST(StatisticsTest, SignFlipExactEnumeratesEveryAssignment) {
  const std::vector<double> d = {0.5, 1, -0.25, 1, 0, 0.75, -1, 0.5};
  EXPECT_DOUBLE_EQ(sign_flip_p(d, 0, 1), 0.28125);
  EXPECT_DOUBLE_EQ(sign_flip_p(std::vector<double>{0, 0}, 0, 1), 1.0);
}

TEST(StatisticsTest, SignFlipMonteCarloApproachesTheExactValue) {
  const std::vector<double> d = {0.5, 1, -0.25, 1, 0, 0.75, -1, 0.5};
  EXPECT_NEAR(sign_flip_p(d, 200000, 7, /*exact_limit=*/0), 0.28125, 0.005);
}

TEST(StatisticsTest, PairedComparisonOfPerQuestionMeans) {
  const std::vector<double> a = {1, 0.5, 0, 1, 0.25, 0.75};
  const std::vector<double> b = {1, 1, 0.5, 0.75, 0.5, 1};
  const PairedComparison paired = paired_comparison(a, b);
  EXPECT_NEAR(paired.difference, 0.20833333333333334, 1e-12);
  EXPECT_NEAR(paired.standard_error, 0.11931517552730296, 1e-12);
  EXPECT_DOUBLE_EQ(paired.permutation_p, 0.25);
  EXPECT_EQ(paired.questions, 6);
  const double t = student_t_quantile(0.975, 5);
  EXPECT_NEAR(paired.t_ci.low, paired.difference - t * paired.standard_error, 1e-12);
  // Percentile bootstrap: inside the range of the differences, around the mean.
  EXPECT_GE(paired.bootstrap_ci.low, -0.25);
  EXPECT_LT(paired.bootstrap_ci.low, paired.difference);
  EXPECT_GT(paired.bootstrap_ci.high, paired.difference);
  EXPECT_LE(paired.bootstrap_ci.high, 0.5);
}

TEST(StatisticsTest, BootstrapOfAConstantIsThePoint) {
  const std::vector<double> same(50, 0.25);
  const Interval ci = bootstrap_mean_ci(same, 0.95, 1000, 3);
  EXPECT_DOUBLE_EQ(ci.low, 0.25);
  EXPECT_DOUBLE_EQ(ci.high, 0.25);
}

TEST(StatisticsTest, BootstrapAgreesWithTheNormalIntervalOnALargeSample) {
  // 400 scores, 240 right: the normal interval is 0.6 +- 1.96 * sqrt(0.6 * 0.4 / 400) = +- 0.048.
  std::vector<double> scores(400, 0.0);
  for (int i = 0; i < 240; ++i) scores[i] = 1;
  const Interval ci = bootstrap_mean_ci(scores, 0.95, 20000, 11);
  EXPECT_NEAR(ci.low, 0.552, 0.006);
  EXPECT_NEAR(ci.high, 0.648, 0.006);
}

TEST(StatisticsTest, PassAtKIsTheUnbiasedEstimate) {
  EXPECT_NEAR(pass_at_k(10, 3, 2), 0.5333333333333333, 1e-12);
  EXPECT_NEAR(pass_at_k(64, 1, 8), 0.125, 1e-12);
  EXPECT_NEAR(pass_at_k(64, 10, 16), 0.9568193234431233, 1e-12);
  EXPECT_DOUBLE_EQ(pass_at_k(4, 4, 1), 1.0);
  EXPECT_DOUBLE_EQ(pass_at_k(4, 0, 4), 0.0);
}

TEST(StatisticsTest, QuantilesInterpolateLinearly) {
  const std::vector<double> values = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  EXPECT_DOUBLE_EQ(quantile(values, 0.5), 4.0);
  EXPECT_DOUBLE_EQ(quantile(values, 0.9), 6.0);
  EXPECT_NEAR(quantile(values, 0.99), 8.7, 1e-12);
}

TEST(StatisticsTest, HistogramsShareTheirBins) {
  const auto histograms = shared_histograms({{0, 1, 2, 10}, {5, 10, 10}}, 5);
  ASSERT_EQ(histograms.size(), 2u);
  EXPECT_DOUBLE_EQ(histograms[0].low, 0);
  EXPECT_DOUBLE_EQ(histograms[1].high, 10);
  EXPECT_DOUBLE_EQ(histograms[0].bin_width(), 2);
  EXPECT_EQ(histograms[0].counts, (std::vector<int64_t>{2, 1, 0, 0, 1}));
  EXPECT_EQ(histograms[1].counts, (std::vector<int64_t>{0, 0, 1, 0, 2}));
  EXPECT_EQ(shared_histograms({{7, 7}}, 3)[0].counts, (std::vector<int64_t>{0, 2, 0}));
}

}  // namespace
}  // namespace evalflow::stats
