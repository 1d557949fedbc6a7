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

// `length` new tokens of the sequence in cache slot `slot`, at positions start..start+length-1.
struct SequenceChunk {
  int64_t slot = 0;
  int64_t start = 0;
  int64_t length = 0;
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
  // their keys and values into `cache`, and returns the fp32 logits [chunks, vocab] of each chunk's last
  // token.
  at::Tensor forward(std::span<const int64_t> tokens, std::span<const SequenceChunk> chunks,
                     KvCache& cache) const;

  // One decode step of the sequences in cache slots 0..batch-1: `tokens` and `positions` ([batch], int64, on
  // the model's device) are each sequence's newest token and its position; attention reads the first
  // `length` cached positions, masked per sequence. No host synchronisation and no host-to-device copy, so
  // that it can be captured in a CUDA graph. Returns fp32 logits [batch, vocab].
  at::Tensor decode_step(const at::Tensor& tokens, const at::Tensor& positions, int64_t length,
                         KvCache& cache) const;

  [[nodiscard]] const ModelConfig& config() const { return config_; }
  [[nodiscard]] const at::TensorOptions& options() const { return options_; }
  [[nodiscard]] int64_t parameter_bytes() const;

 private:
  Transformer(ModelConfig config, const at::TensorOptions& options);
  void build_rotary_tables(int64_t max_positions);
  [[nodiscard]] at::Tensor run_layers(const at::Tensor& tokens, const at::Tensor& positions,
                                      std::span<const SequenceChunk> chunks, int64_t decode_length,
                                      KvCache& cache) const;
  [[nodiscard]] at::Tensor logits(const at::Tensor& hidden) const;
  [[nodiscard]] at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight) const;
  [[nodiscard]] at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos,
                                        const at::Tensor& sin) const;
  // What every layer of a decode step shares, computed once per step.
  struct DecodeBatch {
    at::Tensor positions;  // [batch]
    at::Tensor slots;      // [batch]: 0..batch-1
    at::Tensor future;     // [batch, 1, 1, length]: true where a key lies after the sequence's position
    int64_t length = 0;
  };
  [[nodiscard]] at::Tensor attention(const LayerWeights& layer, int64_t layer_index, const at::Tensor& x,
                                     const at::Tensor& cos, const at::Tensor& sin,
                                     std::span<const SequenceChunk> chunks, const DecodeBatch* decode,
                                     KvCache& cache) const;
  [[nodiscard]] at::Tensor chunk_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                           const SequenceChunk& chunk, int64_t layer_index,
                                           KvCache& cache) const;
  [[nodiscard]] at::Tensor decode_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                            const DecodeBatch& decode, int64_t layer_index,
                                            KvCache& cache) const;

  ModelConfig config_;
  at::TensorOptions options_;
  at::Tensor embedding_;
  std::vector<LayerWeights> layers_;
  at::Tensor final_norm_;
  at::Tensor lm_head_;
  at::Tensor rotary_cos_;  // [positions, head_dim / 2], fp32
  at::Tensor rotary_sin_;
};

}  // namespace evalflow::torch_local
