#include "fused_ops.hpp"

#include <stdexcept>

#if TORCH_LOCAL_WITH_KERNELS
#include <c10/cuda/CUDAStream.h>

#include "cuda/kernels.hpp"
#endif

namespace evalflow::torch_local::fused {

#if TORCH_LOCAL_WITH_KERNELS

namespace {

// Measured on the H200 (torch_local_kernels_bench, README): at 1 and 2 rows the GEMV reads weights at
// 3.0-4.5 TB/s, as fast as cuBLAS or faster, and fuses bias and SwiGLU; from 4 rows cuBLAS is faster.
constexpr int64_t kGemvMaxRows = 2;

bool is_half(const at::Tensor& tensor) {
  return tensor.scalar_type() == at::kHalf;
}

cudaStream_t stream() {
  return c10::cuda::getCurrentCUDAStream().stream();
}

bool aligned16(const at::Tensor& tensor) {
  return reinterpret_cast<uintptr_t>(tensor.data_ptr()) % 16 == 0;
}

kernels::AttentionShape attention_shape(const at::Tensor& pool, int64_t batch, int64_t heads,
                                        int64_t table_width) {
  return {.batch = batch,
          .heads = heads,
          .kv_heads = pool.size(1),
          .head_dim = pool.size(3),
          .block_size = pool.size(2),
          .table_width = table_width};
}

}  // namespace

bool usable(const at::Tensor& tensor) {
  return tensor.is_cuda() && (tensor.scalar_type() == at::kBFloat16 || tensor.scalar_type() == at::kHalf);
}

at::Tensor add_rms_norm(at::Tensor& residual, const at::Tensor& delta, const at::Tensor& weight, double eps) {
  at::Tensor out = at::empty_like(residual);
  const at::Tensor contiguous_delta = delta.defined() ? delta.contiguous() : delta;
  kernels::add_rms_norm(residual.data_ptr(), delta.defined() ? contiguous_delta.data_ptr() : nullptr,
                        weight.data_ptr(), out.data_ptr(), {residual.size(0), residual.size(1)},
                        static_cast<float>(eps), is_half(residual), stream());
  return out;
}

at::Tensor silu_mul(const at::Tensor& gate_up) {
  const int64_t width = gate_up.size(1) / 2;
  at::Tensor out = at::empty({gate_up.size(0), width}, gate_up.options());
  kernels::silu_mul(gate_up.data_ptr(), out.data_ptr(), {gate_up.size(0), width}, is_half(gate_up), stream());
  return out;
}

bool gemv_usable(const at::Tensor& x, const at::Tensor& weight) {
  return usable(x) && x.dim() == 2 && x.size(0) <= kGemvMaxRows && x.is_contiguous() &&
         weight.is_contiguous() && x.size(1) % 8 == 0 && aligned16(x) && aligned16(weight) &&
         x.scalar_type() == weight.scalar_type();
}

at::Tensor gemv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool gated,
                int64_t warps_per_output) {
  const int64_t outputs = gated ? weight.size(0) / 2 : weight.size(0);
  at::Tensor y = at::empty({x.size(0), outputs}, x.options());
  kernels::gemv(x.data_ptr(), weight.data_ptr(), bias.defined() ? bias.data_ptr() : nullptr, y.data_ptr(),
                {x.size(0), outputs, x.size(1), warps_per_output}, gated, is_half(x), stream());
  return y;
}

void rotary_store(at::Tensor& qkv, const at::Tensor& positions, const at::Tensor& cos, const at::Tensor& sin,
                  const at::Tensor& slots, PagedCache cache, int64_t heads) {
  const kernels::AttentionShape shape = attention_shape(cache.keys, qkv.size(0), heads, 0);
  kernels::rotary_store(qkv.data_ptr(), qkv.size(0), qkv.stride(0), positions.data_ptr<int64_t>(),
                        cos.data_ptr<float>(), sin.data_ptr<float>(), slots.data_ptr<int64_t>(),
                        cache.keys.data_ptr(), cache.values.data_ptr(), shape, is_half(qkv), stream());
}

bool attention_usable(int64_t heads, int64_t kv_heads, int64_t head_dim) {
  const int64_t group = heads / kv_heads;
  const bool tensor_cores = (head_dim == 64 || head_dim == 128) && group <= 16;  // kernels.hpp
  return group >= 1 && (group <= 8 || tensor_cores) && head_dim % 8 == 0 && head_dim <= 256;
}

at::Tensor paged_decode_attention(const at::Tensor& q, PagedCache cache, const at::Tensor& block_tables,
                                  const at::Tensor& positions, int64_t heads, double scale) {
  const kernels::AttentionShape shape = attention_shape(cache.keys, q.size(0), heads, block_tables.size(1));
  at::Tensor workspace = at::empty({kernels::attention_workspace_floats(shape, q.stride(0), is_half(q))},
                                   q.options().dtype(at::kFloat));
  at::Tensor out = at::empty({q.size(0), heads * shape.head_dim}, q.options());
  kernels::paged_decode_attention(q.data_ptr(), q.stride(0), cache.keys.data_ptr(), cache.values.data_ptr(),
                                  block_tables.data_ptr<int32_t>(), positions.data_ptr<int64_t>(),
                                  out.data_ptr(), workspace.data_ptr<float>(), shape,
                                  static_cast<float>(scale), is_half(q), stream());
  return out;
}

#else

namespace {
[[noreturn]] void unavailable() {
  throw std::logic_error("this build has no fused CUDA kernels (no nvcc when it was configured)");
}
}  // namespace

bool usable(const at::Tensor& /*tensor*/) {
  return false;
}
at::Tensor add_rms_norm(at::Tensor& /*residual*/, const at::Tensor& /*delta*/, const at::Tensor& /*weight*/,
                        double /*eps*/) {
  unavailable();
}
at::Tensor silu_mul(const at::Tensor& /*gate_up*/) {
  unavailable();
}
bool gemv_usable(const at::Tensor& /*x*/, const at::Tensor& /*weight*/) {
  return false;
}
at::Tensor gemv(const at::Tensor& /*x*/, const at::Tensor& /*weight*/, const at::Tensor& /*bias*/,
                bool /*gated*/, int64_t /*warps_per_output*/) {
  unavailable();
}
void rotary_store(at::Tensor& /*qkv*/, const at::Tensor& /*positions*/, const at::Tensor& /*cos*/,
                  const at::Tensor& /*sin*/, const at::Tensor& /*slots*/, PagedCache /*cache*/,
                  int64_t /*heads*/) {
  unavailable();
}
bool attention_usable(int64_t /*heads*/, int64_t /*kv_heads*/, int64_t /*head_dim*/) {
  return false;
}
at::Tensor paged_decode_attention(const at::Tensor& /*q*/, PagedCache /*cache*/,
                                  const at::Tensor& /*block_tables*/, const at::Tensor& /*positions*/,
                                  int64_t /*heads*/, double /*scale*/) {
  unavailable();
}

#endif

}  // namespace evalflow::torch_local::fused
