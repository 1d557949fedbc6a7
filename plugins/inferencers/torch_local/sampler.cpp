#include "sampler.hpp"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <limits>

#include "host_tensor.hpp"

namespace evalflow::torch_local {
namespace {

constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();

// The splitmix64 finaliser on int64 tensors: multiplication wraps modulo 2^64 on every backend, and the
// arithmetic right shift is made logical by masking.
at::Tensor mix(at::Tensor z) {
  auto logical_shift = [](const at::Tensor& value, int shift) {
    return at::bitwise_and(at::bitwise_right_shift(value, shift), (int64_t{1} << (64 - shift)) - 1);
  };
  z = at::bitwise_xor(z, logical_shift(z, 30)) * static_cast<int64_t>(0xbf58476d1ce4e5b9ULL);
  z = at::bitwise_xor(z, logical_shift(z, 27)) * static_cast<int64_t>(0x94d049bb133111ebULL);
  return at::bitwise_xor(z, logical_shift(z, 31));
}

// Gumbel noise [batch, vocab] from hash(seed, step, token): argmax(logits + noise) samples softmax(logits).
at::Tensor gumbel_noise(const at::Tensor& seeds, const at::Tensor& steps, int64_t vocab) {
  const at::Tensor tokens = at::arange(vocab, seeds.options()).unsqueeze(0);
  at::Tensor key = mix(seeds.unsqueeze(1) * static_cast<int64_t>(0x9e3779b97f4a7c15ULL) +
                       mix(steps + int64_t{0x632be59bd9b4e019}).unsqueeze(1)) +
                   tokens;
  key = mix(key);
  // 23 random bits and a half-step offset: exactly representable in fp32 and strictly inside (0, 1).
  const at::Tensor bits = at::bitwise_and(at::bitwise_right_shift(key, 40), (int64_t{1} << 23) - 1);
  const at::Tensor uniform = (bits.to(at::kFloat) + 0.5f) / static_cast<float>(1 << 23);
  return -at::log(-at::log(uniform));
}

// Sets to -inf every logit outside its row's top-k tokens and then outside the top-p nucleus of what is left
// (the smallest set of most likely tokens whose mass reaches top_p; always at least one token).
at::Tensor restrict_to_nucleus(const at::Tensor& scaled, const at::Tensor& top_k, const at::Tensor& top_p) {
  const int64_t vocab = scaled.size(1);
  auto [sorted, order] = scaled.sort(-1, /*descending=*/true);
  const at::Tensor ranks = at::arange(vocab, top_k.options()).unsqueeze(0);
  const at::Tensor outside_k = ranks >= at::where(top_k > 0, top_k, at::full_like(top_k, vocab)).unsqueeze(1);
  const at::Tensor probabilities = at::softmax(sorted.masked_fill(outside_k, kNegativeInfinity), -1);
  const at::Tensor mass_before = probabilities.cumsum(-1) - probabilities;
  const at::Tensor outside_p = (mass_before >= top_p.unsqueeze(1)).logical_and(ranks > 0);
  const at::Tensor remove = at::zeros_like(outside_k).scatter(1, order, outside_k.logical_or(outside_p));
  return scaled.masked_fill(remove, kNegativeInfinity);
}

// Each row's sampling settings on the device, copied in two transfers (one of floats, one of integers)
// rather than one per setting: every host-to-device copy of pageable memory waits for the host.
struct ParamTensors {
  at::Tensor temperature;  // 1 for greedy rows, which take the argmax of the raw logits instead
  at::Tensor top_p;
  at::Tensor greedy_rows;
  at::Tensor top_k;
  at::Tensor seeds;
  at::Tensor steps;
  bool restricts = false;
};

ParamTensors param_tensors(const std::vector<SamplingParams>& params, const std::vector<int64_t>& steps,
                           const at::Device& device) {
  const auto rows = static_cast<int64_t>(params.size());
  std::vector<float> floats(static_cast<size_t>(2 * rows));      // temperature, top_p
  std::vector<int64_t> integers(static_cast<size_t>(4 * rows));  // greedy, top_k, seed, step
  ParamTensors tensors;
  for (size_t row = 0; row < params.size(); ++row) {
    const SamplingParams& p = params[row];
    const bool samples = p.temperature > 0;
    floats[row] = samples ? static_cast<float>(p.temperature) : 1.0F;
    floats[params.size() + row] = static_cast<float>(p.top_p);
    integers[row] = samples ? 0 : 1;
    integers[params.size() + row] = p.top_k;
    integers[2 * params.size() + row] = static_cast<int64_t>(p.seed);
    integers[3 * params.size() + row] = steps[row];
    tensors.restricts = tensors.restricts || (samples && (p.top_p < 1.0 || p.top_k > 0));
  }
  const at::Tensor float_rows = host_tensor<float>(floats, device).view({2, rows});
  const at::Tensor integer_rows = host_tensor<int64_t>(integers, device).view({4, rows});
  tensors.temperature = float_rows[0];
  tensors.top_p = float_rows[1];
  tensors.greedy_rows = integer_rows[0] != 0;
  tensors.top_k = integer_rows[1];
  tensors.seeds = integer_rows[2];
  tensors.steps = integer_rows[3];
  return tensors;
}

}  // namespace

at::Tensor sample_tokens(const at::Tensor& logits, const std::vector<SamplingParams>& params,
                         const std::vector<int64_t>& steps) {
  c10::InferenceMode inference;
  at::Tensor greedy = logits.argmax(-1);
  const bool all_greedy =
      std::all_of(params.begin(), params.end(), [](const SamplingParams& p) { return p.temperature <= 0; });
  if (all_greedy) return greedy;  // no parameter tensors to copy to the device
  const ParamTensors tensors = param_tensors(params, steps, logits.device());
  at::Tensor scaled = logits / tensors.temperature.unsqueeze(1);
  if (tensors.restricts) scaled = restrict_to_nucleus(scaled, tensors.top_k, tensors.top_p);
  const at::Tensor noise = gumbel_noise(tensors.seeds, tensors.steps, logits.size(1));
  const at::Tensor sampled = (scaled + noise).argmax(-1);
  return at::where(tensors.greedy_rows, greedy, sampled);
}

at::Tensor sampling_distribution(const at::Tensor& logits, const SamplingParams& params) {
  c10::InferenceMode inference;
  if (params.temperature <= 0) {
    return at::one_hot(logits.reshape({-1}).argmax(), logits.numel()).to(at::kFloat);
  }
  const at::Tensor row = logits.reshape({1, -1}).to(at::kFloat) / params.temperature;
  const at::Tensor restricted = restrict_to_nucleus(row, at::full({1}, params.top_k, at::kLong),
                                                    at::full({1}, params.top_p, at::kFloat));
  return at::softmax(restricted, -1).squeeze(0);
}

}  // namespace evalflow::torch_local
