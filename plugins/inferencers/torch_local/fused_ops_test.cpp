// The fused CUDA kernels against the same operations composed from ATen calls, on random inputs in bf16.
// Skipped where the kernels are not built or no GPU is visible (EVALFLOW_TEST_DEVICE=cuda runs them).
#include "fused_ops.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_support.hpp"
#include "torch_shim.hpp"

namespace evalflow::torch_local {
namespace {

at::TensorOptions bf16_on_test_device() {
  return testing::test_options().dtype(at::kBFloat16);
}

class FusedOps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fused::usable(at::empty({1}, bf16_on_test_device()))) {
      GTEST_SKIP() << "no fused kernels here (a CUDA build and EVALFLOW_TEST_DEVICE=cuda run them)";
    }
    at::manual_seed(3);
  }
};

// max |actual - expected| / max |expected|, in fp32
double relative(const at::Tensor& actual, const at::Tensor& expected) {
  const at::Tensor a = actual.to(at::kFloat);
  const at::Tensor e = expected.to(at::kFloat);
  return (a - e).abs().max().item<double>() / e.abs().max().item<double>();
}

at::Tensor random(const std::vector<int64_t>& shape) {
  return at::randn(shape, bf16_on_test_device());
}

TEST_F(FusedOps, AddRmsNormRoundsAsTransformers) {
  at::Tensor residual = random({3, 5120});
  const at::Tensor delta = random({3, 5120});
  const at::Tensor weight = random({5120});
  const at::Tensor expected_residual = residual + delta;
  const at::Tensor expected = shim::rms_norm(expected_residual, weight, 1e-6);
  const at::Tensor normed = fused::add_rms_norm(residual, delta, weight, 1e-6);
  EXPECT_TRUE(residual.equal(expected_residual));
  EXPECT_LT(relative(normed, expected), 1e-2);
  const at::Tensor alone = fused::add_rms_norm(residual, {}, weight, 1e-6);
  EXPECT_TRUE(residual.equal(expected_residual)) << "no delta: the residual is left alone";
  EXPECT_LT(relative(alone, expected), 1e-2);
}

TEST_F(FusedOps, SiluMul) {
  const at::Tensor gate_up = random({4, 192});
  const auto halves = gate_up.chunk(2, -1);
  EXPECT_LT(relative(fused::silu_mul(gate_up), at::silu(halves[0]) * halves[1]), 1e-2);
}

TEST_F(FusedOps, GemvMatchesLinearForTheRowsItServes) {
  // 518 outputs (and 259 gated ones: gate_up holds 2 x 259 rows) leave the last thread block partly empty at
  // every split; 4,104 inputs (513 chunks of 8) take both the unrolled loop and the remainder at every split.
  const at::Tensor weight = random({518, 4104}) * 0.02;
  const at::Tensor bias = random({518});
  const at::Tensor gate_up = random({518, 4104}) * 0.02;
  for (int64_t rows = 1; rows <= 2; ++rows) {
    const at::Tensor x = random({rows, 4104});
    ASSERT_TRUE(fused::gemv_usable(x, weight));
    const auto halves = at::linear(x, gate_up).chunk(2, -1);
    for (int64_t split : {0, 1, 2, 4}) {
      EXPECT_LT(relative(fused::gemv(x, weight, {}, false, split), at::linear(x, weight)), 2e-2)
          << rows << " rows, " << split << " warps per output";
      EXPECT_LT(relative(fused::gemv(x, weight, bias, false, split), at::linear(x, weight, bias)), 2e-2)
          << rows << " rows, " << split << " warps per output";
      EXPECT_LT(relative(fused::gemv(x, gate_up, {}, true, split), at::silu(halves[0]) * halves[1]), 2e-2)
          << rows << " rows, " << split << " warps per output";
    }
  }
  EXPECT_FALSE(fused::gemv_usable(random({3, 1024}), weight)) << "cuBLAS is faster from 3 rows";
}

struct Heads {
  int64_t heads = 10;
  int64_t kv_heads = 2;
  int64_t dim = 128;
  int64_t block_size = 16;
};

// Rotary as transformers' rotate_half, on fp32 tables; the reference for the fused rotation and store.
at::Tensor rotate(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  const at::Tensor x1 = x.narrow(-1, 0, half).to(at::kFloat);
  const at::Tensor x2 = x.narrow(-1, half, half).to(at::kFloat);
  return at::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1).to(x.scalar_type());
}

TEST_F(FusedOps, RotaryStoreRotatesInPlaceAndStoresKeysAndValues) {
  const Heads h;
  const int64_t tokens = 5;
  const int64_t blocks = 8;
  at::Tensor qkv = random({tokens, (h.heads + 2 * h.kv_heads) * h.dim});
  const at::Tensor original = qkv.clone();
  const auto longs = at::TensorOptions(at::kLong).device(qkv.device());
  const at::Tensor positions = at::tensor({0, 3, 17, 100, 31}, longs);
  const at::Tensor slots = at::tensor({16 + 0, 48 + 3, 32 + 1, 80 + 4, 112 + 15}, longs);
  const at::Tensor angles = at::arange(128, longs).to(at::kFloat).unsqueeze(1) *
                            at::rand({1, h.dim / 2}, qkv.options().dtype(at::kFloat));
  const at::Tensor cos = angles.cos();
  const at::Tensor sin = angles.sin();
  at::Tensor keys = at::zeros({blocks, h.kv_heads, h.block_size, h.dim}, qkv.options());
  at::Tensor values = at::zeros_like(keys);
  fused::rotary_store(qkv, positions, cos, sin, slots, {keys, values}, h.heads);

  const at::Tensor rows_cos = cos.index_select(0, positions).unsqueeze(1);
  const at::Tensor rows_sin = sin.index_select(0, positions).unsqueeze(1);
  const at::Tensor qk = original.narrow(1, 0, (h.heads + h.kv_heads) * h.dim).view({tokens, -1, h.dim});
  const at::Tensor expected_qk = rotate(qk, rows_cos, rows_sin);
  EXPECT_LT(relative(qkv.narrow(1, 0, (h.heads + h.kv_heads) * h.dim).view({tokens, -1, h.dim}), expected_qk),
            1e-2);
  const at::Tensor block = slots.div(h.block_size, "floor");
  const at::Tensor offset = slots % h.block_size;
  const at::Tensor stored_keys = keys.index({block, at::indexing::Slice(), offset});  // [tokens, kv, dim]
  const at::Tensor stored_values = values.index({block, at::indexing::Slice(), offset});
  EXPECT_LT(relative(stored_keys, expected_qk.narrow(1, h.heads, h.kv_heads)), 1e-2);
  EXPECT_TRUE(stored_values.equal(original.narrow(1, (h.heads + h.kv_heads) * h.dim, h.kv_heads * h.dim)
                                      .view({tokens, h.kv_heads, h.dim})));
  EXPECT_EQ(keys.abs().sum().item<double>() > 0, true);
}

// 10/2 heads of 128 and 4/4 and 12/1 of 64 take the tensor-core kernel, 8/1 of 16 the general one.
TEST_F(FusedOps, PagedDecodeAttentionMatchesGatheredSoftmax) {
  for (const Heads h : {Heads{}, Heads{.heads = 4, .kv_heads = 4, .dim = 64, .block_size = 8},
                        Heads{.heads = 12, .kv_heads = 1, .dim = 64, .block_size = 16},
                        Heads{.heads = 8, .kv_heads = 1, .dim = 16, .block_size = 4}}) {
    // 4,099 positions: several splits, each warp of the tensor-core kernel cycling through its copy ring.
    const std::vector<int64_t> lengths{1, h.block_size + 3, 700, 37, 4099};
    const int64_t width = (4099 + h.block_size - 1) / h.block_size + 2;
    const auto batch = static_cast<int64_t>(lengths.size());
    const int64_t blocks = batch * width + 1;
    at::Tensor keys = random({blocks, h.kv_heads, h.block_size, h.dim});
    at::Tensor values = random({blocks, h.kv_heads, h.block_size, h.dim});
    // Rows take blocks from a shuffled pool, so no row's blocks are consecutive.
    const at::Tensor pool = at::randperm(blocks - 1, at::kLong) + 1;
    at::Tensor tables = pool.narrow(0, 0, batch * width).view({batch, width}).to(at::kInt);
    const at::Tensor positions = at::tensor(lengths, at::kLong) - 1;
    // q rows strided as in qkv: heads, then room for keys and values.
    const at::Tensor qkv = random({batch, (h.heads + 2 * h.kv_heads) * h.dim});
    const at::Tensor q = qkv.narrow(1, 0, h.heads * h.dim);
    const double scale = 1.0 / std::sqrt(static_cast<double>(h.dim));
    ASSERT_TRUE(fused::attention_usable(h.heads, h.kv_heads, h.dim));
    const at::Tensor device_tables = tables.to(qkv.device());
    const at::Tensor device_positions = positions.to(qkv.device());
    const at::Tensor out =
        fused::paged_decode_attention(qkv, {keys, values}, device_tables, device_positions, h.heads, scale);
    for (int64_t row = 0; row < batch; ++row) {
      const int64_t length = lengths[static_cast<size_t>(row)];
      const at::Tensor row_blocks = device_tables[row].to(at::kLong);
      auto gather = [&](const at::Tensor& cache) {  // [kv_heads, length, dim] fp32
        return cache.index_select(0, row_blocks)
            .permute({1, 0, 2, 3})
            .reshape({h.kv_heads, -1, h.dim})
            .narrow(1, 0, length)
            .to(at::kFloat);
      };
      const int64_t group = h.heads / h.kv_heads;
      const at::Tensor query = q[row].view({h.kv_heads, group, h.dim}).to(at::kFloat);
      const at::Tensor scores = at::matmul(query, gather(keys).transpose(1, 2)) * scale;
      const at::Tensor expected = at::matmul(at::softmax(scores, -1), gather(values)).reshape({-1});
      EXPECT_LT(relative(out[row], expected), 1e-2)
          << "row of " << length << " positions, " << h.heads << "/" << h.kv_heads << " heads of " << h.dim;
    }
  }
}

}  // namespace
}  // namespace evalflow::torch_local
