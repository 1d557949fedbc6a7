// The sampler's statistics: over many independent draws the empirical distribution matches softmax at
// temperature T restricted to the top-k tokens and the top-p nucleus (a chi-square test), nothing outside
// the nucleus is ever drawn, and draws are reproducible from their seed.
#include "sampler.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace evalflow::torch_local {
namespace {

constexpr int64_t kVocab = 40;
constexpr int64_t kDraws = 40000;

at::Tensor fixed_logits() {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(2024);
  return at::randn({kVocab}, generator, at::kFloat) * 2.0;
}

// The chi-square critical value for `dof` degrees of freedom at significance 1e-3 (Wilson-Hilferty).
double chi_square_critical(int64_t dof) {
  const double z = 3.090232;  // the standard normal's 0.999 quantile
  const double k = static_cast<double>(dof);
  return k * std::pow(1.0 - 2.0 / (9.0 * k) + z * std::sqrt(2.0 / (9.0 * k)), 3.0);
}

// Draws kDraws tokens from `logits` with seeds 0..kDraws-1 and compares their counts with the distribution.
void expect_matches_distribution(const SamplingParams& params) {
  const at::Tensor logits = fixed_logits();
  const at::Tensor expected = sampling_distribution(logits, params);
  std::vector<SamplingParams> rows(kDraws, params);
  for (int64_t i = 0; i < kDraws; ++i) rows[static_cast<size_t>(i)].seed = static_cast<uint64_t>(i);
  const at::Tensor batch = logits.unsqueeze(0).expand({kDraws, kVocab}).to(testing::test_options().device());
  const at::Tensor tokens = sample_tokens(batch, rows, std::vector<int64_t>(kDraws, 17)).to(at::kCPU);
  const at::Tensor counts = at::bincount(tokens, {}, kVocab).to(at::kDouble);
  double chi_square = 0;
  int64_t support = 0;
  for (int64_t token = 0; token < kVocab; ++token) {
    const double probability = expected[token].item<double>();
    const double count = counts[token].item<double>();
    if (probability == 0) {
      EXPECT_EQ(count, 0) << "token " << token << " is outside the nucleus but was drawn";
      continue;
    }
    ++support;
    const double mean = probability * kDraws;
    chi_square += (count - mean) * (count - mean) / mean;
  }
  ASSERT_GT(support, 1);
  EXPECT_LT(chi_square, chi_square_critical(support - 1)) << "over " << support << " tokens";
}

TEST(Sampler, MatchesSoftmaxAtTemperatureInTheTopPNucleus) {
  expect_matches_distribution({.temperature = 0.7, .top_p = 0.9});
}

TEST(Sampler, MatchesSoftmaxWithTopKThenTopP) {
  expect_matches_distribution({.temperature = 1.3, .top_p = 0.8, .top_k = 6});
}

TEST(Sampler, MatchesPlainSoftmax) {
  expect_matches_distribution({.temperature = 1.0});
}

TEST(Sampler, NucleusIsTheSmallestSetReachingTopP) {
  const at::Tensor logits = fixed_logits();
  const at::Tensor probabilities = at::softmax(logits / 0.7, -1);
  const at::Tensor restricted = sampling_distribution(logits, {.temperature = 0.7, .top_p = 0.9});
  const at::Tensor kept = restricted > 0;
  const double kept_mass = probabilities.masked_select(kept).sum().item<double>();
  const double smallest_kept = probabilities.masked_select(kept).min().item<double>();
  const double largest_dropped = probabilities.masked_select(kept.logical_not()).max().item<double>();
  EXPECT_GE(kept_mass, 0.9);
  EXPECT_LT(kept_mass - smallest_kept, 0.9);
  EXPECT_LE(largest_dropped, smallest_kept);
  EXPECT_NEAR(restricted.sum().item<double>(), 1.0, 1e-6);
}

TEST(Sampler, GreedyRowsTakeTheArgmaxBesideSampledRows) {
  const at::Tensor logits = at::stack({fixed_logits(), fixed_logits().flip(0)});
  const at::Tensor tokens = sample_tokens(logits, {{.temperature = 0}, {.temperature = 0}}, {0, 0});
  EXPECT_EQ(tokens[0].item<int64_t>(), logits[0].argmax().item<int64_t>());
  EXPECT_EQ(tokens[1].item<int64_t>(), logits[1].argmax().item<int64_t>());
  const at::Tensor mixed =
      sample_tokens(logits, {{.temperature = 0}, {.temperature = 5.0, .seed = 3}}, {0, 0});
  EXPECT_EQ(mixed[0].item<int64_t>(), logits[0].argmax().item<int64_t>());
}

TEST(Sampler, DrawDependsOnlyOnSeedAndStep) {
  const at::Tensor logits = fixed_logits().unsqueeze(0).repeat({3, 1});
  const SamplingParams params{.temperature = 2.0, .seed = 99};
  const at::Tensor alone = sample_tokens(logits.narrow(0, 0, 1), {params}, {5});
  const at::Tensor batched =
      sample_tokens(logits, {{.temperature = 2.0, .seed = 1}, params, params}, {5, 5, 6});
  EXPECT_EQ(batched[1].item<int64_t>(), alone[0].item<int64_t>());
  // Over many steps the same seed yields different tokens (fresh noise per step).
  std::vector<int64_t> steps(64);
  for (size_t i = 0; i < steps.size(); ++i) steps[i] = static_cast<int64_t>(i);
  const at::Tensor across_steps = sample_tokens(fixed_logits().unsqueeze(0).repeat({64, 1}),
                                                std::vector<SamplingParams>(64, params), steps);
  EXPECT_GT(std::get<0>(at::_unique(across_steps)).numel(), 8);
}

}  // namespace
}  // namespace evalflow::torch_local
