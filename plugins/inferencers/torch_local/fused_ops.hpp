// The decode step's fused CUDA kernels (cuda/kernels.cu) on tensors, where they apply: a build with the
// kernels, a CUDA tensor in bf16 or fp16, and shapes they support. Elsewhere (the CPU, fp32, a build
// without nvcc) each `usable` is false and the transformer composes the same operation from ATen calls,
// which are also the reference the kernels are tested against.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace evalflow::torch_local::fused {

// True where `tensor` (an activation or weight of the model) can go through the kernels.
[[nodiscard]] bool usable(const at::Tensor& tensor);

// residual += delta (when defined); returns rms_norm(residual) * weight.
at::Tensor add_rms_norm(at::Tensor& residual, const at::Tensor& delta, const at::Tensor& weight, double eps);

// silu(gate) * up of gate_up [rows, 2 * width].
at::Tensor silu_mul(const at::Tensor& gate_up);

// Whether gemv serves x [rows, k] @ weight.T: one or two rows, aligned, contiguous.
[[nodiscard]] bool gemv_usable(const at::Tensor& x, const at::Tensor& weight);
// x @ weight.T + bias; `gated`: weight is [2n, k] gate then up and the result silu(gate) * up.
// warps_per_output: how many warps share an output column (1, 2 or 4); 0 lets the kernel choose.
at::Tensor gemv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool gated,
                int64_t warps_per_output = 0);

struct PagedCache {
  at::Tensor& keys;  // [blocks, kv_heads, block_size, head_dim]
  at::Tensor& values;
};

// Rotates the q and k heads of qkv [tokens, (heads + 2 kv_heads) * head_dim] in place at `positions` with
// the fp32 tables [positions, head_dim / 2], and stores k and v at `slots` (block * block_size + offset).
void rotary_store(at::Tensor& qkv, const at::Tensor& positions, const at::Tensor& cos, const at::Tensor& sin,
                  const at::Tensor& slots, PagedCache cache, int64_t heads);

// Whether paged_decode_attention supports this head layout.
[[nodiscard]] bool attention_usable(int64_t heads, int64_t kv_heads, int64_t head_dim);
// q [batch, heads * head_dim] (rows may be strided) attending to positions 0..positions[b] of its row of
// block_tables [batch, width] (int32); returns [batch, heads * head_dim].
at::Tensor paged_decode_attention(const at::Tensor& q, PagedCache cache, const at::Tensor& block_tables,
                                  const at::Tensor& positions, int64_t heads, double scale);

}  // namespace evalflow::torch_local::fused
