// The architecture of a Qwen2- or Llama-family decoder, read from a HuggingFace config.json (and the EOS ids
// from generation_config.json), in the forms transformers 4.x and 5.x write.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace evalflow::torch_local {

// How rotary frequencies are derived (transformers' rope_type); others (yarn, dynamic...) are refused.
struct RopeConfig {
  enum class Type { kDefault, kLinear, kLlama3 };
  Type type = Type::kDefault;
  double theta = 10000.0;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct ModelConfig {
  std::string model_type;  // "qwen2" or "llama"
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;  // Qwen2 always; Llama when attention_bias
  bool o_bias = false;    // Llama when attention_bias
  bool mlp_bias = false;  // Llama when mlp_bias
  RopeConfig rope;
  std::vector<int64_t> eos_token_ids;
};

// Parses config.json's object; `origin` names the file in errors. Throws std::invalid_argument saying which
// key is missing or unsupported.
ModelConfig parse_model_config(const nlohmann::json& config, const std::string& origin);

// Reads DIR/config.json, and DIR/generation_config.json when present (its eos_token_id wins, as in
// transformers' generate()).
ModelConfig load_model_config(const std::filesystem::path& model_dir);

}  // namespace evalflow::torch_local
