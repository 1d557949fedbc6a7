// Every difference between the libtorch versions torch_local builds against (Debian's CPU 1.13 in CI,
// PyTorch 2.x with CUDA on the GPU machine) lives here, so that the rest of the code is version-free.
#pragma once

#include <ATen/ATen.h>
#include <torch/version.h>

#include <cstdint>
#include <optional>

namespace evalflow::torch_local::shim {

// Causal attention of queries [1, heads, T, D] over keys/values [1, kv_heads, T, D] that start at the same
// position, through the fused kernels (flash or memory-efficient) where libtorch has them. Returns nullopt
// where it does not (fused attention with grouped key/value heads, `enable_gqa`, arrived in PyTorch 2.5),
// and the caller computes attention itself.
inline std::optional<at::Tensor> fused_causal_attention(const at::Tensor& query, const at::Tensor& key,
                                                        const at::Tensor& value, double scale) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
  return at::scaled_dot_product_attention(query, key, value, /*attn_mask=*/{}, /*dropout_p=*/0.0,
                                          /*is_causal=*/true, scale, /*enable_gqa=*/true);
#else
  (void)query, (void)key, (void)value, (void)scale;
  return std::nullopt;
#endif
}

// Queries [1, heads, T, D] at positions start..start+T-1 attending causally to keys/values [1, kv_heads,
// start + T, D] (a cached prefix and the new tokens), through the memory-efficient kernel with a boolean
// mask: memory grows with T x (start + T) booleans instead of fp32 scores per head. nullopt before 2.5.
inline std::optional<at::Tensor> fused_prefix_attention(const at::Tensor& query, const at::Tensor& key,
                                                        const at::Tensor& value, int64_t start,
                                                        double scale) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
  const int64_t length = query.size(2);
  const auto longs = at::TensorOptions(at::kLong).device(query.device());
  const at::Tensor allowed =
      at::arange(start + length, longs).unsqueeze(0) <= at::arange(start, start + length, longs).unsqueeze(1);
  return at::scaled_dot_product_attention(query, key, value, allowed, /*dropout_p=*/0.0, /*is_causal=*/false,
                                          scale, /*enable_gqa=*/true);
#else
  (void)query, (void)key, (void)value, (void)start, (void)scale;
  return std::nullopt;
#endif
}

// RMSNorm as transformers computes it: in fp32, the weight applied in the input dtype. PyTorch 2.4 has it as
// one operator (fused on CUDA), which saves seven kernel launches per call in decode steps.
inline at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  if (x.is_cuda()) return at::rms_norm(x, {x.size(-1)}, weight, eps);
#endif
  const at::Tensor x32 = x.to(at::kFloat);
  const at::Tensor variance = x32.pow(2).mean(-1, /*keepdim=*/true);
  return weight * (x32 * at::rsqrt(variance + eps)).to(x.scalar_type());
}

}  // namespace evalflow::torch_local::shim
