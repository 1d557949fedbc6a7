#include "model_config.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace evalflow::torch_local {
namespace {

using nlohmann::json;

json qwen2_like() {
  return json{{"model_type", "qwen2"},        {"vocab_size", 152064},
              {"hidden_size", 5120},          {"intermediate_size", 13824},
              {"num_hidden_layers", 48},      {"num_attention_heads", 40},
              {"num_key_value_heads", 8},     {"max_position_embeddings", 131072},
              {"rms_norm_eps", 1e-5},         {"rope_theta", 1000000.0},
              {"tie_word_embeddings", false}, {"eos_token_id", 151643}};
}

TEST(ModelConfig, ReadsTransformers4StyleQwen2) {
  const ModelConfig config = parse_model_config(qwen2_like(), "config.json");
  EXPECT_EQ(config.head_dim, 128);
  EXPECT_EQ(config.num_kv_heads, 8);
  EXPECT_TRUE(config.qkv_bias);
  EXPECT_FALSE(config.o_bias);
  EXPECT_DOUBLE_EQ(config.rope.theta, 1000000.0);
  EXPECT_EQ(config.rope.type, RopeConfig::Type::kDefault);
  EXPECT_EQ(config.eos_token_ids, std::vector<int64_t>{151643});
}

TEST(ModelConfig, RopeParametersWinOverTopLevelTheta) {
  json config = qwen2_like();
  config["rope_parameters"] = {{"rope_type", "linear"}, {"rope_theta", 5000.0}, {"factor", 2.0}};
  const ModelConfig parsed = parse_model_config(config, "config.json");
  EXPECT_DOUBLE_EQ(parsed.rope.theta, 5000.0);
  EXPECT_EQ(parsed.rope.type, RopeConfig::Type::kLinear);
  EXPECT_DOUBLE_EQ(parsed.rope.factor, 2.0);
}

TEST(ModelConfig, RefusesUnsupportedRopeAndNamesIt) {
  json config = qwen2_like();
  config["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  try {
    parse_model_config(config, "dir/config.json");
    FAIL() << "yarn was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("dir/config.json: rope_type 'yarn'"), std::string::npos)
        << error.what();
  }
}

TEST(ModelConfig, NamesAMissingKey) {
  json config = qwen2_like();
  config.erase("hidden_size");
  EXPECT_THROW(
      {
        try {
          parse_model_config(config, "config.json");
        } catch (const std::invalid_argument& error) {
          EXPECT_STREQ(error.what(), "config.json: integer 'hidden_size' is missing");
          throw;
        }
      },
      std::invalid_argument);
}

TEST(ModelConfig, LlamaFixtureHasLlama3RopeTiedEmbeddingsAndGenerationEos) {
  const ModelConfig config = load_model_config(testing::fixture_dir("tiny_llama"));
  EXPECT_EQ(config.model_type, "llama");
  EXPECT_EQ(config.rope.type, RopeConfig::Type::kLlama3);
  EXPECT_DOUBLE_EQ(config.rope.theta, 500000.0);
  EXPECT_EQ(config.rope.original_max_position_embeddings, 64);
  EXPECT_TRUE(config.tie_word_embeddings);
  EXPECT_FALSE(config.qkv_bias);
  EXPECT_EQ(config.head_dim, 8);
  EXPECT_EQ(config.eos_token_ids, (std::vector<int64_t>{2, 3}));
}

}  // namespace
}  // namespace evalflow::torch_local
