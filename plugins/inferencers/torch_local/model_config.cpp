#include "model_config.hpp"

#include <fstream>
#include <stdexcept>

namespace evalflow::torch_local {
namespace {

using nlohmann::json;

json read_json_file(const std::filesystem::path& path) {
  std::ifstream stream(path);
  if (!stream) throw std::invalid_argument("cannot open " + path.string());
  try {
    return json::parse(stream);
  } catch (const json::parse_error& error) {
    throw std::invalid_argument(path.string() + ": not valid JSON: " + error.what());
  }
}

int64_t required_int(const json& config, const char* key, const std::string& origin) {
  auto it = config.find(key);
  if (it == config.end() || !it->is_number_integer()) {
    throw std::invalid_argument(origin + ": integer '" + key + "' is missing");
  }
  return it->get<int64_t>();
}

std::vector<int64_t> token_ids(const json& value) {
  if (value.is_number_integer()) return {value.get<int64_t>()};
  if (value.is_array()) return value.get<std::vector<int64_t>>();
  return {};
}

// transformers 5 writes `rope_parameters` (holding rope_theta); 4.x wrote top-level `rope_theta` and an
// optional `rope_scaling`. Both are accepted, the newer one first.
RopeConfig parse_rope(const json& config, const std::string& origin) {
  RopeConfig rope;
  json parameters = json::object();
  if (auto it = config.find("rope_parameters"); it != config.end() && it->is_object()) {
    parameters = *it;
  } else if (auto scaling = config.find("rope_scaling"); scaling != config.end() && scaling->is_object()) {
    parameters = *scaling;
  }
  rope.theta = parameters.value("rope_theta", config.value("rope_theta", rope.theta));
  const std::string type = parameters.value("rope_type", parameters.value("type", std::string("default")));
  if (type == "default") {
    rope.type = RopeConfig::Type::kDefault;
  } else if (type == "linear") {
    rope.type = RopeConfig::Type::kLinear;
    rope.factor = parameters.at("factor").get<double>();
  } else if (type == "llama3") {
    rope.type = RopeConfig::Type::kLlama3;
    rope.factor = parameters.at("factor").get<double>();
    rope.low_freq_factor = parameters.at("low_freq_factor").get<double>();
    rope.high_freq_factor = parameters.at("high_freq_factor").get<double>();
    rope.original_max_position_embeddings = parameters.at("original_max_position_embeddings").get<int64_t>();
  } else {
    throw std::invalid_argument(origin + ": rope_type '" + type +
                                "' is not supported (supported: default, linear, llama3)");
  }
  return rope;
}

}  // namespace

ModelConfig parse_model_config(const json& config, const std::string& origin) {
  ModelConfig model;
  model.model_type = config.value("model_type", std::string());
  if (model.model_type != "qwen2" && model.model_type != "llama") {
    throw std::invalid_argument(origin + ": model_type '" + model.model_type +
                                "' is not supported (supported: qwen2, llama)");
  }
  model.vocab_size = required_int(config, "vocab_size", origin);
  model.hidden_size = required_int(config, "hidden_size", origin);
  model.intermediate_size = required_int(config, "intermediate_size", origin);
  model.num_layers = required_int(config, "num_hidden_layers", origin);
  model.num_heads = required_int(config, "num_attention_heads", origin);
  model.num_kv_heads = config.contains("num_key_value_heads") && !config["num_key_value_heads"].is_null()
                           ? required_int(config, "num_key_value_heads", origin)
                           : model.num_heads;
  model.head_dim = config.contains("head_dim") && !config["head_dim"].is_null()
                       ? required_int(config, "head_dim", origin)
                       : model.hidden_size / model.num_heads;
  model.max_position_embeddings = config.value("max_position_embeddings", int64_t{4096});
  model.rms_norm_eps = config.value("rms_norm_eps", 1e-6);
  model.tie_word_embeddings = config.value("tie_word_embeddings", false);
  if (model.model_type == "qwen2") {
    model.qkv_bias = true;
  } else {
    model.qkv_bias = model.o_bias = config.value("attention_bias", false);
    model.mlp_bias = config.value("mlp_bias", false);
  }
  if (config.value("hidden_act", std::string("silu")) != "silu") {
    throw std::invalid_argument(origin + ": hidden_act '" + config["hidden_act"].get<std::string>() +
                                "' is not supported (only silu)");
  }
  if (model.num_heads % model.num_kv_heads != 0) {
    throw std::invalid_argument(origin + ": num_attention_heads must be a multiple of num_key_value_heads");
  }
  model.rope = parse_rope(config, origin);
  if (auto it = config.find("eos_token_id"); it != config.end()) model.eos_token_ids = token_ids(*it);
  return model;
}

ModelConfig load_model_config(const std::filesystem::path& model_dir) {
  const auto config_path = model_dir / "config.json";
  ModelConfig model = parse_model_config(read_json_file(config_path), config_path.string());
  const auto generation_path = model_dir / "generation_config.json";
  if (std::filesystem::exists(generation_path)) {
    const json generation = read_json_file(generation_path);
    if (auto it = generation.find("eos_token_id"); it != generation.end()) {
      if (auto ids = token_ids(*it); !ids.empty()) model.eos_token_ids = std::move(ids);
    }
  }
  return model;
}

}  // namespace evalflow::torch_local
