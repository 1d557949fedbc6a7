// Fused CUDA kernels for decode steps (built with nvcc where the CUDA toolkit is present). Plain pointers
// and a stream, no ATen: fused_ops.cpp adapts them to tensors. Element type: bf16 or fp16 (`half` false =
// bf16); math in fp32. Each launcher is asynchronous on `stream` and capturable in a CUDA graph.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace evalflow::torch_local::kernels {

struct RowShape {
  int64_t rows = 0;
  int64_t width = 0;
};

// residual += delta (when delta is not null), then out = rms_norm(residual) * weight, rounding as
// transformers does in bf16: the sum, the normalised value and the product each rounded to the dtype.
void add_rms_norm(void* residual, const void* delta, const void* weight, void* out, RowShape shape, float eps,
                  bool half, cudaStream_t stream);

// out[r, i] = silu(gate_up[r, i]) * gate_up[r, width + i], rounded as transformers' act_fn(gate) * up.
void silu_mul(const void* gate_up, void* out, RowShape shape, bool half, cudaStream_t stream);

// y[m, n] = sum_k x[m, k] * w[n, k] (+ bias[n]) for m < rows <= 8: 1-4 warps per output column, 16-byte
// loads, for the batch sizes where a GEMM library's tiles waste most of the weight reads. `gated`:
// w holds gate then up rows ([2n, k]) and y[m, n] = silu(gate) * up (no bias). Needs k % 8 == 0 and
// 16-byte aligned rows.
struct GemvShape {
  int64_t rows = 0;              // m
  int64_t outputs = 0;           // n
  int64_t inner = 0;             // k
  int64_t warps_per_output = 0;  // 1, 2 or 4 warps share a column; 0 picks by row length
};
void gemv(const void* x, const void* w, const void* bias, void* y, GemvShape shape, bool gated, bool half,
          cudaStream_t stream);

struct AttentionShape {
  int64_t batch = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;
  int64_t head_dim = 0;
  int64_t block_size = 0;
  int64_t table_width = 0;  // blocks per row of `block_tables`
};

// Rotates the queries and keys of `tokens` rows of qkv ([tokens, row_stride], q then k then v heads) in
// place with the rotary tables (fp32 [positions, head_dim / 2]) at each token's position, and stores its
// key and value at `slots` (block * block_size + offset) of the [blocks, kv_heads, block_size, head_dim]
// pools.
void rotary_store(void* qkv, int64_t tokens, int64_t row_stride, const int64_t* positions, const float* cos,
                  const float* sin, const int64_t* slots, void* key_pool, void* value_pool,
                  const AttentionShape& shape, bool half, cudaStream_t stream);

// The fp32 scratch paged_decode_attention needs, in floats, and the split count it uses (both depend on the
// kernel the shape runs: q_stride and `half` as passed to paged_decode_attention).
int64_t attention_splits(const AttentionShape& shape, int64_t q_stride, bool half);
int64_t attention_workspace_floats(const AttentionShape& shape, int64_t q_stride, bool half);

// One query token per row attending to its cached positions 0..positions[b] through the row's block table
// (flash-decoding: the positions are split across thread blocks, then combined). q rows are `q_stride`
// elements apart; out is [batch, heads * head_dim]. Heads of 64 or 128 dimensions with up to 16 query heads
// per key/value head (and an even q_stride) run on tensor cores, others take 1 to 8 query heads per
// key/value head.
void paged_decode_attention(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                            const int32_t* block_tables, const int64_t* positions, void* out,
                            float* workspace, const AttentionShape& shape, float scale, bool half,
                            cudaStream_t stream);

}  // namespace evalflow::torch_local::kernels
