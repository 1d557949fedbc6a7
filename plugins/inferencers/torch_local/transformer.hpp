// The decoder of the Qwen2/Llama family (gpt-fast's model.py, in C++): token embeddings, per layer RMSNorm,
// grouped-query attention with rotary embeddings and a SwiGLU MLP, a final RMSNorm and the LM head.
// Numerics follow transformers: RMSNorm and softmax in fp32, rotary tables computed as transformers does.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "kv_cache.hpp"
#include "model_config.hpp"

namespace evalflow::torch_local {

// `length` new tokens of a sequence at positions start..start+length-1, whose cache blocks (`blocks`) already
// cover start + length positions.
struct SequenceChunk {
  const BlockTable* blocks = nullptr;
  int64_t start = 0;
  int64_t length = 0;
};

// A decode step's inputs on the model's device: the static inputs of a captured CUDA graph.
struct DecodeInputs {
  at::Tensor tokens;        // [batch] int64: each sequence's newest token
  at::Tensor positions;     // [batch] int64: its position
  at::Tensor block_tables;  // [batch, width] int32: its cache blocks, padded with the scratch block 0
};

struct LayerWeights {
  at::Tensor input_norm;
  at::Tensor qkv_weight;  // q, k and v projections stacked: [(heads + 2 * kv_heads) * head_dim, hidden]
  at::Tensor qkv_bias;    // undefined when the model has none
  at::Tensor o_weight;
  at::Tensor o_bias;
  at::Tensor post_attention_norm;
  at::Tensor gate_up_weight;  // gate and up projections stacked: [2 * intermediate, hidden]
  at::Tensor gate_up_bias;
  at::Tensor down_weight;
  at::Tensor down_bias;
};

class Transformer {
 public:
  // Reads the safetensors checkpoint in `model_dir` onto `options` (device and dtype). Throws
  // std::runtime_error naming the tensor, its file, and the expected and found shapes.
  static Transformer load(const std::filesystem::path& model_dir, const ModelConfig& config,
                          const at::TensorOptions& options);
  // Random weights of the right shapes (benchmarks without a download).
  static Transformer random(const ModelConfig& config, const at::TensorOptions& options, uint64_t seed);

  // Runs the new tokens of each chunk (concatenated in chunk order in `tokens`) through the model, writing
  // their keys and values into their blocks of `cache`, and returns the fp32 logits [chunks, vocab] of each
  // chunk's last token.
  at::Tensor forward(std::span<const int64_t> tokens, std::span<const SequenceChunk> chunks,
                     KvCache& cache) const;

  // One decode step: each row's newest token at its position, attending to positions 0..position through
  // its block table (block_tables.size(1) * block_size positions at most). No host synchronisation and no
  // host-to-device copy, so that it can be captured in a CUDA graph. Returns fp32 logits [batch, vocab].
  at::Tensor decode_step(const DecodeInputs& inputs, KvCache& cache) const;

  // Whether decode steps go through the fused CUDA kernels (cuda/kernels.cu).
  [[nodiscard]] bool uses_fused_kernels() const { return fused_; }

  [[nodiscard]] const ModelConfig& config() const { return config_; }
  [[nodiscard]] const at::TensorOptions& options() const { return options_; }
  [[nodiscard]] int64_t parameter_bytes() const;

 private:
  // What every layer of one forward pass shares.
  struct Pass {
    at::Tensor positions;     // [tokens] int64
    at::Tensor slots;         // [tokens] int64: block * block_size + offset where each token's keys go
    at::Tensor write_blocks;  // slots split for index_put (the unfused path)
    at::Tensor write_offsets;
    at::Tensor cos;  // [tokens, 1, head_dim / 2] in the model dtype (the unfused path)
    at::Tensor sin;
    std::span<const SequenceChunk> chunks;  // a prefill pass
    std::vector<at::Tensor> prefix_blocks;  // per chunk with a cached prefix: its blocks, int64
    const DecodeInputs* decode = nullptr;   // a decode pass
    at::Tensor future;  // [batch, 1, 1, width * block_size]: keys after each row's position (unfused decode)
  };

  Transformer(ModelConfig config, const at::TensorOptions& options);
  void build_rotary_tables(int64_t max_positions);
  void choose_kernels();
  [[nodiscard]] Pass make_pass(const at::Tensor& positions, const at::Tensor& slots,
                               int64_t block_size) const;
  // Logits of the rows `last_rows` (all rows when undefined).
  [[nodiscard]] at::Tensor run(const at::Tensor& tokens, const Pass& pass, const at::Tensor& last_rows,
                               KvCache& cache) const;
  [[nodiscard]] at::Tensor add_norm(at::Tensor& residual, const at::Tensor& delta,
                                    const at::Tensor& weight) const;
  [[nodiscard]] at::Tensor project(const at::Tensor& x, const at::Tensor& weight,
                                   const at::Tensor& bias) const;
  [[nodiscard]] at::Tensor mlp(const LayerWeights& layer, const at::Tensor& x) const;
  [[nodiscard]] at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos,
                                        const at::Tensor& sin) const;
  [[nodiscard]] at::Tensor attention(const LayerWeights& layer, int64_t layer_index, const at::Tensor& x,
                                     const Pass& pass, KvCache& cache) const;
  [[nodiscard]] at::Tensor chunk_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                           const SequenceChunk& chunk, const at::Tensor& prefix_blocks,
                                           int64_t layer_index, KvCache& cache) const;
  [[nodiscard]] at::Tensor gathered_decode_attention(const at::Tensor& q, const Pass& pass,
                                                     int64_t layer_index, KvCache& cache) const;

  ModelConfig config_;
  at::TensorOptions options_;
  at::Tensor embedding_;
  std::vector<LayerWeights> layers_;
  at::Tensor final_norm_;
  at::Tensor lm_head_;
  at::Tensor rotary_cos_;  // [positions, head_dim / 2], fp32
  at::Tensor rotary_sin_;
  bool fused_ = false;            // decode and prefill through the fused kernels
  bool fused_attention_ = false;  // and decode attention through the paged kernel
};

}  // namespace evalflow::torch_local
