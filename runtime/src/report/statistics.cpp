#include "report/statistics.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace evalflow::stats {

namespace {

double mean_of(std::span<const double> values) {
  return values.empty() ? 0.0 : std::accumulate(values.begin(), values.end(), 0.0) / values.size();
}

double sample_sd(std::span<const double> values) {
  if (values.size() < 2) return 0;
  const double mean = mean_of(values);
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / (values.size() - 1));
}

// mean +- t * se on df degrees of freedom; the point itself when there is nothing to spread over.
Interval t_interval(double mean, double standard_error, double df, double level) {
  if (df < 1 || standard_error == 0) return {mean, mean};
  const double t = student_t_quantile(1 - (1 - level) / 2, df);
  return {mean - t * standard_error, mean + t * standard_error};
}

// A uniform index in [0, n) from a 64-bit generator; the modulo bias is below 2^-40 for any run size.
size_t draw_index(std::mt19937_64& generator, size_t n) {
  return static_cast<size_t>(generator() % n);
}

}  // namespace

double student_t_quantile(double probability, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), probability);
}

MeanEstimate clustered_mean(const std::vector<std::vector<double>>& scores_by_question, double level) {
  MeanEstimate estimate;
  double total = 0;
  for (const auto& question : scores_by_question) {
    if (question.empty()) continue;
    ++estimate.clusters;
    estimate.scores += static_cast<int64_t>(question.size());
    total += std::accumulate(question.begin(), question.end(), 0.0);
  }
  if (estimate.scores == 0) return estimate;
  estimate.mean = total / estimate.scores;
  if (estimate.clusters < 2) {
    estimate.ci = {estimate.mean, estimate.mean};
    return estimate;
  }
  // Sum over clusters of the squared sum of deviations, with the finite-cluster correction C / (C - 1).
  double variance = 0;
  for (const auto& question : scores_by_question) {
    double deviation = 0;
    for (double score : question) deviation += score - estimate.mean;
    variance += deviation * deviation;
  }
  const auto clusters = static_cast<double>(estimate.clusters);
  estimate.standard_error = std::sqrt(variance * clusters / (clusters - 1)) / estimate.scores;
  estimate.ci = t_interval(estimate.mean, estimate.standard_error, clusters - 1, level);
  return estimate;
}

double mcnemar_exact_p(int64_t b, int64_t c) {
  if (b < 0 || c < 0) throw std::invalid_argument("mcnemar_exact_p: negative count");
  const int64_t n = b + c;
  if (n == 0) return 1;
  const boost::math::binomial_distribution<double> under_null(static_cast<double>(n), 0.5);
  return std::min(1.0, 2 * boost::math::cdf(under_null, static_cast<double>(std::min(b, c))));
}

Interval bootstrap_mean_ci(std::span<const double> values, double level, int64_t resamples, uint64_t seed) {
  if (values.empty()) return {};
  std::mt19937_64 generator(seed);
  std::vector<double> means(static_cast<size_t>(resamples));
  for (auto& mean : means) {
    double total = 0;
    for (size_t i = 0; i < values.size(); ++i) total += values[draw_index(generator, values.size())];
    mean = total / values.size();
  }
  const double tail = (1 - level) / 2;
  return {quantile(means, tail), quantile(std::move(means), 1 - tail)};
}

double sign_flip_p(std::span<const double> differences, int64_t draws, uint64_t seed, int exact_limit) {
  std::vector<double> nonzero;
  for (double d : differences) {
    if (d != 0) nonzero.push_back(d);
  }
  if (nonzero.empty()) return 1;
  const double observed = std::abs(std::accumulate(nonzero.begin(), nonzero.end(), 0.0));
  // Sums that equal the observed one up to rounding count as "at least as extreme".
  const double threshold = observed - 1e-9 * (1 + observed);
  if (static_cast<int>(nonzero.size()) <= exact_limit) {
    const uint64_t assignments = uint64_t{1} << nonzero.size();
    uint64_t extreme = 0;
    for (uint64_t signs = 0; signs < assignments; ++signs) {
      double sum = 0;
      for (size_t i = 0; i < nonzero.size(); ++i) sum += (signs >> i & 1) ? -nonzero[i] : nonzero[i];
      extreme += std::abs(sum) >= threshold;
    }
    return static_cast<double>(extreme) / assignments;
  }
  std::mt19937_64 generator(seed);
  int64_t extreme = 0;
  for (int64_t draw = 0; draw < draws; ++draw) {
    double sum = 0;
    for (double d : nonzero) sum += (generator() & 1) ? -d : d;
    extreme += std::abs(sum) >= threshold;
  }
  return static_cast<double>(extreme + 1) / static_cast<double>(draws + 1);
}

PairedComparison paired_comparison(std::span<const double> a, std::span<const double> b,
                                   const PairedOptions& options) {
  if (a.size() != b.size())
    throw std::invalid_argument("paired_comparison: the runs have different questions");
  PairedComparison result;
  result.questions = static_cast<int64_t>(a.size());
  if (a.empty()) return result;
  std::vector<double> differences(a.size());
  for (size_t i = 0; i < a.size(); ++i) differences[i] = b[i] - a[i];
  result.difference = mean_of(differences);
  result.standard_error = sample_sd(differences) / std::sqrt(static_cast<double>(differences.size()));
  result.t_ci = t_interval(result.difference, result.standard_error,
                           static_cast<double>(differences.size()) - 1, options.level);
  result.bootstrap_ci = bootstrap_mean_ci(differences, options.level, options.resamples, options.seed);
  result.permutation_p = sign_flip_p(differences, options.resamples, options.seed + 1);
  return result;
}

double pass_at_k(int64_t n, int64_t c, int64_t k) {
  if (k <= 0 || k > n || c < 0 || c > n)
    throw std::invalid_argument("pass_at_k: needs 0 < k <= n, 0 <= c <= n");
  if (n - c < k) return 1;
  // 1 - C(n-c, k) / C(n, k) as a product, stable for n = 64 and beyond.
  double all_wrong = 1;
  for (int64_t i = n - c + 1; i <= n; ++i) all_wrong *= 1 - static_cast<double>(k) / static_cast<double>(i);
  return 1 - all_wrong;
}

double quantile(std::vector<double> values, double probability) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double position = probability * (values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - below) * (values[above] - values[below]);
}

double Histogram::bin_width() const {
  return counts.empty() ? 0 : (high - low) / counts.size();
}

std::vector<Histogram> shared_histograms(const std::vector<std::vector<double>>& series, int bins) {
  double low = INFINITY;
  double high = -INFINITY;
  for (const auto& values : series) {
    for (double v : values) {
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  if (low > high) low = high = 0;  // no values at all
  if (low == high) {
    low -= 0.5;
    high += 0.5;
  }
  std::vector<Histogram> histograms;
  for (const auto& values : series) {
    Histogram histogram{low, high, std::vector<int64_t>(static_cast<size_t>(bins), 0)};
    for (double v : values) {
      const auto bin = static_cast<size_t>((v - low) / (high - low) * bins);
      ++histogram.counts[std::min(bin, static_cast<size_t>(bins - 1))];
    }
    histograms.push_back(std::move(histogram));
  }
  return histograms;
}

}  // namespace evalflow::stats
