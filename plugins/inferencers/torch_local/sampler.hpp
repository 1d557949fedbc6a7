// Picks the next token of every sequence in a batch from its logits: greedy, or sampling at a temperature
// restricted to the top-k tokens and then to the top-p nucleus, in that order (as transformers' warpers).
//
// Randomness is counter-based: the noise for (seed, step, token) is a hash of the three, so a request's
// tokens depend only on its own seed and never on which other requests share its batch or on the device.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace evalflow::torch_local {

struct SamplingParams {
  double temperature = 0.0;  // 0 = greedy
  double top_p = 1.0;
  int64_t top_k = 0;  // 0 = no limit
  uint64_t seed = 0;
};

// Returns one token per row of `logits` [batch, vocab] (fp32), as int64 on the logits' device. `steps[i]`
// numbers row i's draw (its position in its sequence), so that every draw of a request sees fresh noise.
at::Tensor sample_tokens(const at::Tensor& logits, const std::vector<SamplingParams>& params,
                         const std::vector<int64_t>& steps);

// The probabilities sampling draws from for one row: softmax(logits / T) restricted to top-k, then to the
// top-p nucleus, renormalised. Exposed for the statistical tests.
at::Tensor sampling_distribution(const at::Tensor& logits, const SamplingParams& params);

}  // namespace evalflow::torch_local
