// A model ready to serve: options parsed from JSON (the plugin's options, `evalflow generate`'s flags),
// weights loaded or made random on each device, the tokenizer and chat template when the model folder has
// them, and one engine per device running, fed from one queue. Both the plugin and `evalflow generate` are
// thin layers over this.
#pragma once

#include <evalflow/text/chat_template.hpp>
#include <evalflow/text/tokenizer.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine_pool.hpp"

namespace evalflow::torch_local {

// Per-request generation settings: generation_kwargs in a pipeline, flags on the command line.
struct GenerationOptions {
  double temperature = 0.0;  // 0 = greedy
  double top_p = 1.0;
  int64_t top_k = 0;
  int64_t max_tokens = 256;
  std::optional<uint64_t> seed;  // per-request seeds derive from it; none = nondeterministic
  std::vector<std::string> stop;
  bool ignore_eos = false;

  // Reads temperature, top_p, top_k, max_tokens (or max_new_tokens, max_out_len), seed, stop (string or
  // list), ignore_eos and do_sample (false = greedy), as transformers' and OpenAI's names.
  static GenerationOptions from_json(const nlohmann::json& kwargs);
};

struct LocalModelOptions {
  std::filesystem::path path;            // the model folder (config.json, *.safetensors, tokenizer files)
  std::filesystem::path tokenizer_path;  // where tokenizer.json is, when not in `path`
  std::string device = "cpu";            // cpu, cuda (every visible GPU), cuda:N
  std::vector<std::string> devices;      // one engine per entry, all fed from one queue; overrides device
  std::string dtype = "auto";            // auto (bf16 on CUDA, fp32 on CPU), float32, bfloat16, float16
  bool random_weights = false;           // from config.json alone, for benchmarks
  uint64_t weights_seed = 0;             // the same random weights on every device
  SchedulerOptions scheduler;
  GenerationOptions generation;

  // Reads the plugin's options object; relative paths are resolved against `base_dir`.
  static LocalModelOptions from_json(const nlohmann::json& options, const std::filesystem::path& base_dir);

  // Where the engines run, one per entry: `devices`, else cuda:0..cuda:N-1 for "cuda" (every visible GPU),
  // else `device`. Throws std::invalid_argument for "cuda" where no GPU is visible.
  [[nodiscard]] std::vector<std::string> engine_devices() const;
};

class LocalModel {
 public:
  explicit LocalModel(const LocalModelOptions& options);

  [[nodiscard]] bool has_tokenizer() const { return tokenizer_.has_value(); }
  // The prompt ids of `messages`, rendered with the chat template as apply_chat_template(messages,
  // add_generation_prompt=True) and encoded without added special tokens, as transformers does.
  [[nodiscard]] std::vector<int64_t> encode_messages(const nlohmann::json& messages) const;
  [[nodiscard]] std::vector<int64_t> encode_text(const std::string& text) const;
  // The generated text: special tokens skipped, cut before the first stop string.
  [[nodiscard]] std::string completion_text(const std::vector<int64_t>& tokens,
                                            const GenerationOptions& generation) const;

  // A request with the model's EOS ids (unless ignore_eos), stop strings and a seed derived from
  // generation.seed and `request_key` (e.g. sample index and replica), so that replicas differ.
  [[nodiscard]] GenerationRequest make_request(std::vector<int64_t> prompt_ids,
                                               const GenerationOptions& generation,
                                               uint64_t request_key) const;

  // One engine per device of options().engine_devices(), in that order.
  EnginePool& engines() { return *engines_; }
  [[nodiscard]] size_t engine_count() const { return engines_->size(); }
  [[nodiscard]] Engine::LiveStats live() const { return engines_->live(); }
  [[nodiscard]] const std::vector<std::string>& devices() const { return devices_; }
  // For logs: "1 engine on cpu", "2 engines fed from one queue, on cuda:0, cuda:1".
  [[nodiscard]] std::string engines_summary() const;
  [[nodiscard]] const ModelConfig& config() const { return config_; }
  [[nodiscard]] const LocalModelOptions& options() const { return options_; }

 private:
  [[nodiscard]] const text::Tokenizer& tokenizer() const;

  LocalModelOptions options_;
  ModelConfig config_;
  std::optional<text::Tokenizer> tokenizer_;
  std::optional<text::ChatTemplate> chat_template_;
  std::vector<std::string> devices_;
  std::unique_ptr<EnginePool> engines_;
};

}  // namespace evalflow::torch_local
