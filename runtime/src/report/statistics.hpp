// The statistics of the report and of `evalflow compare`, as plain functions of plain numbers, so that each
// is tested against values computed independently (tests/report/statistics_reference.py, by hand).
//
// Scores are grouped by question: a question answered n times gives n scores that are not independent
// (an easy question is right every time), so errors are clustered by question, as Inspect's
// `stderr(cluster=)` and `ci()` do (Miller 2024, "Adding Error Bars to Evals", appendix A).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace evalflow::stats {

struct Interval {
  double low = 0;
  double high = 0;
};

// The mean of every score with its clustered standard error and the t interval on clusters - 1 degrees of
// freedom. With one score per question the standard error is the ordinary sd / sqrt(n).
struct MeanEstimate {
  double mean = 0;
  double standard_error = 0;
  Interval ci;
  int64_t clusters = 0;
  int64_t scores = 0;
};
MeanEstimate clustered_mean(const std::vector<std::vector<double>>& scores_by_question, double level = 0.95);

// The quantile of Student's t distribution with `df` degrees of freedom (Boost.Math).
double student_t_quantile(double probability, double df);

// Two-sided exact McNemar test: b questions right only in A, c right only in B; the p-value of b given
// b + c under Binomial(b + c, 1/2), doubled and capped at 1. 1 when b + c = 0.
double mcnemar_exact_p(int64_t b, int64_t c);

// Paired comparison over questions: d_i = b_i - a_i, where a_i and b_i are one question's mean scores in
// the two runs (the share of its samples judged right).
struct PairedComparison {
  double difference = 0;      // mean of d_i
  double standard_error = 0;  // sd(d) / sqrt(Q): the clustered standard error of the difference
  Interval t_ci;
  Interval bootstrap_ci;     // percentile interval, questions resampled with replacement
  double permutation_p = 1;  // two-sided sign-flip test of mean d = 0 (exact up to 2^16 nonzero d_i)
  int64_t questions = 0;
};
struct PairedOptions {
  double level = 0.95;
  int64_t resamples = 10000;  // bootstrap and Monte Carlo permutation draws
  uint64_t seed = 20261203;   // fixed: the same runs give the same figures
};
PairedComparison paired_comparison(std::span<const double> a, std::span<const double> b,
                                   const PairedOptions& options = {});

// Two-sided sign-flip permutation p-value of the mean of `differences`: the share of sign assignments whose
// |mean| is at least the observed one. Exact enumeration when at most `exact_limit` differences are
// nonzero, else `draws` seeded random assignments (the observed one counted, so p > 0).
double sign_flip_p(std::span<const double> differences, int64_t draws, uint64_t seed, int exact_limit = 16);

// The percentile interval of the mean of `values` resampled with replacement `resamples` times.
Interval bootstrap_mean_ci(std::span<const double> values, double level, int64_t resamples, uint64_t seed);

// The unbiased pass@k estimate of Chen et al. (2021) for one question: n samples, c correct.
double pass_at_k(int64_t n, int64_t c, int64_t k);

// Linear-interpolated quantile (numpy's default, Python's statistics.quantiles(method="inclusive")).
double quantile(std::vector<double> values, double probability);

// Equal-width bins over [low, high]; the last bin is closed. `counts` has one entry per bin.
struct Histogram {
  double low = 0;
  double high = 0;
  std::vector<int64_t> counts;
  [[nodiscard]] double bin_width() const;
};
// Bins chosen for all series together so that they share one axis; each series gets its own counts.
std::vector<Histogram> shared_histograms(const std::vector<std::vector<double>>& series, int bins);

}  // namespace evalflow::stats
