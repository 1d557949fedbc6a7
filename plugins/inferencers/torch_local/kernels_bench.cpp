// The fused kernels at DeepSeek-R1-Distill-Qwen-14B's shapes: the GEMV against at::linear (cuBLAS) at 1 to
// 8 rows (the measurement behind fused_ops' row limit), RMSNorm, and paged decode attention by batch and
// context length with the key/value bytes it reads per second, side by side with
// at::scaled_dot_product_attention (enable_gqa) on a contiguous copy of the same KV. Prints one JSON line per
// measurement. Usage: torch_local_kernels_bench (on a CUDA device).
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/core/InferenceMode.h>
#include <c10/cuda/CUDAStream.h>

#include <cstdio>
#include <functional>
#include <utility>
#include <vector>

#include "fused_ops.hpp"

namespace {

double milliseconds_per_call(const std::function<void()>& call) {
  for (int i = 0; i < 5; ++i) call();
  at::cuda::CUDAEvent start(cudaEventDefault);
  at::cuda::CUDAEvent stop(cudaEventDefault);
  constexpr int kCalls = 50;
  start.record();
  for (int i = 0; i < kCalls; ++i) call();
  stop.record();
  stop.synchronize();
  return static_cast<double>(start.elapsed_time(stop)) / kCalls;
}

}  // namespace

int main() {
  using namespace evalflow::torch_local;
  c10::InferenceMode inference;
  const auto options = at::TensorOptions().device(at::kCUDA).dtype(at::kBFloat16);
  struct Shape {
    const char* name;
    int64_t outputs;
    int64_t inner;
    bool gated;
  };
  const Shape shapes[] = {{"qkv", 7168, 5120, false},
                          {"o", 5120, 5120, false},
                          {"gate_up", 2 * 13824, 5120, true},
                          {"down", 5120, 13824, false},
                          {"lm_head", 152064, 5120, false}};
  for (const Shape& shape : shapes) {
    const at::Tensor weight = at::randn({shape.outputs, shape.inner}, options) * 0.02;
    const double gigabytes = static_cast<double>(weight.nbytes()) / 1e9;
    for (int64_t rows : {1, 2, 4, 8}) {
      const at::Tensor x = at::randn({rows, shape.inner}, options);
      const double library = milliseconds_per_call([&] {
        const at::Tensor y = at::linear(x, weight);
        if (shape.gated) {
          const auto halves = y.chunk(2, -1);
          (void)(at::silu(halves[0]) * halves[1]);
        }
      });
      // 0: the split the kernel picks; 1, 2, 4: forced, to check that choice.
      for (int64_t split : {0, 1, 2, 4}) {
        const double fused =
            milliseconds_per_call([&] { (void)fused::gemv(x, weight, {}, shape.gated, split); });
        std::printf(
            "{\"shape\": \"%s\", \"rows\": %ld, \"warps_per_output\": %ld, \"weights_gb\": %.3f, "
            "\"linear_ms\": %.4f, \"gemv_ms\": %.4f, \"linear_tb_s\": %.2f, \"gemv_tb_s\": %.2f}\n",
            shape.name, static_cast<long>(rows), static_cast<long>(split), gigabytes, library, fused,
            gigabytes / library, gigabytes / fused);
      }
    }
  }
  for (int64_t rows : {1, 64}) {
    at::Tensor residual = at::randn({rows, 5120}, options);
    const at::Tensor delta = at::randn({rows, 5120}, options);
    const at::Tensor weight = at::randn({5120}, options);
    const double norm =
        milliseconds_per_call([&] { (void)fused::add_rms_norm(residual, delta, weight, 1e-5); });
    std::printf("{\"kernel\": \"add_rms_norm\", \"rows\": %ld, \"ms\": %.4f}\n", static_cast<long>(rows),
                norm);
  }
  constexpr int64_t kHeads = 40;
  constexpr int64_t kKvHeads = 8;
  constexpr int64_t kDim = 128;
  constexpr int64_t kBlock = 16;
  // The issue-20 shapes; SDPA (enable_gqa) runs on a contiguous copy of the same KV, side by side.
  for (const auto& [batch, length] : std::vector<std::pair<int64_t, int64_t>>{{1, 16384},
                                                                              {1, 32768},
                                                                              {16, 8192},
                                                                              {16, 16384},
                                                                              {48, 8192},
                                                                              {64, 4096},
                                                                              {128, 2048},
                                                                              {4, 32768},
                                                                              {128, 8192}}) {
    const int64_t width = (length + kBlock - 1) / kBlock;
    const int64_t blocks = batch * width + 1;
    at::Tensor keys = at::randn({blocks, kKvHeads, kBlock, kDim}, options);
    at::Tensor values = at::randn({blocks, kKvHeads, kBlock, kDim}, options);
    const at::Tensor tables =
        (at::randperm(blocks - 1, at::kLong) + 1).view({batch, width}).to(at::kInt).to(at::kCUDA);
    const at::Tensor positions =
        at::full({batch}, length - 1, at::TensorOptions(at::kLong).device(at::kCUDA));
    const at::Tensor qkv = at::randn({batch, (kHeads + 2 * kKvHeads) * kDim}, options);
    constexpr double kScale = 0.088;
    const double ms = milliseconds_per_call([&] {
      (void)fused::paged_decode_attention(qkv, {keys, values}, tables, positions, kHeads, kScale);
    });
    // [blocks, kv, block, dim] gathered by the tables into [batch, kv, length, dim].
    const auto contiguous = [&](const at::Tensor& pool) {
      return pool.index_select(0, tables.view(-1).to(at::kLong))
          .view({batch, width, kKvHeads, kBlock, kDim})
          .permute({0, 2, 1, 3, 4})
          .reshape({batch, kKvHeads, width * kBlock, kDim})
          .narrow(2, 0, length)
          .contiguous();
    };
    const at::Tensor k = contiguous(keys);
    const at::Tensor v = contiguous(values);
    const at::Tensor q = qkv.narrow(1, 0, kHeads * kDim).reshape({batch, kHeads, 1, kDim});
    const double sdpa_ms = milliseconds_per_call(
        [&] { (void)at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, kScale, true); });
    const at::Tensor reference =
        at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, kScale, true).reshape({batch, -1});
    const at::Tensor ours =
        fused::paged_decode_attention(qkv, {keys, values}, tables, positions, kHeads, kScale);
    const double max_error = (ours.to(at::kFloat) - reference.to(at::kFloat)).abs().max().item<double>();
    const double bytes = 2.0 * static_cast<double>(batch * length * kKvHeads * kDim * 2);
    std::printf(
        "{\"kernel\": \"paged_decode_attention\", \"batch\": %ld, \"context\": %ld, \"ms\": %.4f, "
        "\"kv_tb_s\": %.2f, \"sdpa_ms\": %.4f, \"sdpa_kv_tb_s\": %.2f, \"max_abs_diff\": %.5f}\n",
        static_cast<long>(batch), static_cast<long>(length), ms, bytes / ms / 1e9, sdpa_ms,
        bytes / sdpa_ms / 1e9, max_error);
  }
  return 0;
}
