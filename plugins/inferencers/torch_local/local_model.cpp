#include "local_model.hpp"

#include <torch/cuda.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace evalflow::torch_local {
namespace {

using nlohmann::json;

uint64_t mix_seed(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string no_gpu_message(const std::string& device) {
  return "device '" + device + "' was asked for, but this libtorch has no CUDA or no GPU is visible";
}

at::TensorOptions tensor_options(const std::string& device_name, const std::string& dtype_name) {
  const at::Device device(device_name);
  if (device.is_cuda()) {
    const size_t visible = torch::cuda::device_count();
    if (visible == 0) throw std::invalid_argument(no_gpu_message(device_name));
    if (device.has_index() && static_cast<size_t>(device.index()) >= visible) {
      throw std::invalid_argument("device '" + device_name + "' was asked for, but only " +
                                  std::to_string(visible) +
                                  " GPU(s) are visible (cuda:0 to cuda:" + std::to_string(visible - 1) + ")");
    }
  }
  at::ScalarType dtype = device.is_cuda() ? at::kBFloat16 : at::kFloat;
  if (dtype_name == "float32") {
    dtype = at::kFloat;
  } else if (dtype_name == "bfloat16") {
    dtype = at::kBFloat16;
  } else if (dtype_name == "float16") {
    dtype = at::kHalf;
  } else if (dtype_name != "auto") {
    throw std::invalid_argument("dtype '" + dtype_name + "' is not one of auto, float32, bfloat16, float16");
  }
  return at::TensorOptions().device(device).dtype(dtype);
}

std::vector<int64_t> widen(const std::vector<text::TokenId>& ids) {
  return {ids.begin(), ids.end()};
}

}  // namespace

GenerationOptions GenerationOptions::from_json(const json& kwargs) {
  GenerationOptions options;
  options.temperature = kwargs.value("temperature", options.temperature);
  options.top_p = kwargs.value("top_p", options.top_p);
  options.top_k = kwargs.value("top_k", options.top_k);
  for (const char* key : {"max_out_len", "max_new_tokens", "max_tokens"}) {
    if (kwargs.contains(key)) options.max_tokens = kwargs.at(key).get<int64_t>();
  }
  if (kwargs.contains("seed") && !kwargs.at("seed").is_null())
    options.seed = kwargs.at("seed").get<uint64_t>();
  if (auto stop = kwargs.find("stop"); stop != kwargs.end()) {
    options.stop = stop->is_string() ? std::vector<std::string>{stop->get<std::string>()}
                                     : stop->get<std::vector<std::string>>();
  }
  options.ignore_eos = kwargs.value("ignore_eos", false);
  if (!kwargs.value("do_sample", true)) options.temperature = 0;
  if (options.temperature < 0 || options.top_p <= 0 || options.top_p > 1 || options.top_k < 0 ||
      options.max_tokens < 1) {
    throw std::invalid_argument(
        "generation_kwargs: need temperature >= 0, 0 < top_p <= 1, top_k >= 0 and max_tokens >= 1");
  }
  return options;
}

LocalModelOptions LocalModelOptions::from_json(const json& options, const std::filesystem::path& base_dir) {
  auto resolve = [&](const std::string& path) {
    const std::filesystem::path value(path);
    return value.is_absolute() || base_dir.empty() ? value : base_dir / value;
  };
  LocalModelOptions parsed;
  parsed.path = resolve(options.at("path").get<std::string>());
  parsed.tokenizer_path = options.contains("tokenizer_path")
                              ? resolve(options.at("tokenizer_path").get<std::string>())
                              : parsed.path;
  parsed.device = options.value("device", parsed.device);
  parsed.devices = options.value("devices", parsed.devices);
  parsed.dtype = options.value("dtype", parsed.dtype);
  parsed.random_weights = options.value("random_weights", false);
  parsed.weights_seed = options.value("weights_seed", uint64_t{0});
  parsed.generation = GenerationOptions::from_json(options.value("generation_kwargs", json::object()));
  parsed.scheduler.max_sequences = options.value("max_batch", parsed.scheduler.max_sequences);
  parsed.scheduler.prefill_chunk_tokens =
      options.value("prefill_chunk_tokens", parsed.scheduler.prefill_chunk_tokens);
  parsed.scheduler.cuda_graphs = options.value("cuda_graphs", parsed.scheduler.cuda_graphs);
  parsed.scheduler.kv_block_size = options.value("kv_block_size", parsed.scheduler.kv_block_size);
  parsed.scheduler.kv_cache_tokens = options.value("kv_cache_tokens", parsed.scheduler.kv_cache_tokens);
  parsed.scheduler.gpu_memory_utilization =
      options.value("gpu_memory_utilization", parsed.scheduler.gpu_memory_utilization);
  // Room for a long prompt and the longest answer, unless said otherwise.
  parsed.scheduler.max_sequence_length =
      options.value("max_sequence_length", parsed.generation.max_tokens + int64_t{4096});
  return parsed;
}

std::vector<std::string> LocalModelOptions::engine_devices() const {
  if (!devices.empty()) {
    // With devices of different kinds (and so, with dtype auto, different dtypes) a result would depend
    // on which engine served it.
    const bool cuda = at::Device(devices.front()).is_cuda();
    for (const std::string& entry : devices) {
      if (at::Device(entry).is_cuda() != cuda) {
        throw std::invalid_argument("devices mixes cpu and cuda ('" + devices.front() + "', '" + entry +
                                    "'): list devices of one kind");
      }
    }
    return devices;
  }
  if (device != "cuda") return {device};
  const size_t visible = torch::cuda::device_count();
  if (visible == 0) throw std::invalid_argument(no_gpu_message(device));
  std::vector<std::string> every_gpu;
  for (size_t index = 0; index < visible; ++index) every_gpu.push_back("cuda:" + std::to_string(index));
  return every_gpu;
}

LocalModel::LocalModel(const LocalModelOptions& options)
    : options_(options), config_(load_model_config(options.path)), devices_(options.engine_devices()) {
  // One replica per device, built one after another: random weights come from the global generator, so
  // every device gets the same ones.
  std::vector<std::shared_ptr<const Transformer>> replicas;
  for (const std::string& device : devices_) {
    const at::TensorOptions tensors = tensor_options(device, options.dtype);
    replicas.push_back(std::make_shared<const Transformer>(
        options.random_weights ? Transformer::random(config_, tensors, options.weights_seed)
                               : Transformer::load(options.path, config_, tensors)));
  }
  if (std::filesystem::exists(options.tokenizer_path / "tokenizer.json")) {
    tokenizer_ = text::Tokenizer::from_file(options.tokenizer_path / "tokenizer.json");
  }
  const auto tokenizer_config = options.tokenizer_path / "tokenizer_config.json";
  if (std::filesystem::exists(tokenizer_config)) {
    chat_template_ = text::ChatTemplate::from_tokenizer_config(tokenizer_config);
  }
  engines_ = std::make_unique<EnginePool>(replicas, options.scheduler);
}

std::string LocalModel::engines_summary() const {
  std::string summary = devices_.size() == 1
                            ? "1 engine on "
                            : std::to_string(devices_.size()) + " engines fed from one queue, on ";
  for (size_t index = 0; index < devices_.size(); ++index) summary += (index ? ", " : "") + devices_[index];
  return summary;
}

const text::Tokenizer& LocalModel::tokenizer() const {
  if (!tokenizer_) {
    throw std::invalid_argument(
        "no tokenizer.json in " + options_.tokenizer_path.string() +
        ": give prompt_ids, or set tokenizer_path to a folder with the model's tokenizer");
  }
  return *tokenizer_;
}

std::vector<int64_t> LocalModel::encode_messages(const json& messages) const {
  if (!chat_template_) {
    throw std::invalid_argument("no tokenizer_config.json with a chat_template in " +
                                options_.tokenizer_path.string() + ": cannot render messages");
  }
  const std::string prompt =
      chat_template_->render(nlohmann::ordered_json(messages), /*add_generation_prompt=*/true);
  return widen(tokenizer().encode(prompt));
}

std::vector<int64_t> LocalModel::encode_text(const std::string& text) const {
  return widen(tokenizer().encode(text));
}

std::string LocalModel::completion_text(const std::vector<int64_t>& tokens,
                                        const GenerationOptions& generation) const {
  const std::vector<text::TokenId> ids(tokens.begin(), tokens.end());
  std::string text = tokenizer().decode(ids, /*skip_special_tokens=*/true);
  size_t cut = text.size();
  for (const std::string& stop : generation.stop) cut = std::min(cut, text.find(stop));
  text.resize(cut);
  return text;
}

GenerationRequest LocalModel::make_request(std::vector<int64_t> prompt_ids,
                                           const GenerationOptions& generation, uint64_t request_key) const {
  GenerationRequest request;
  request.prompt_ids = std::move(prompt_ids);
  request.max_tokens = generation.max_tokens;
  request.sampling = {.temperature = generation.temperature,
                      .top_p = generation.top_p,
                      .top_k = generation.top_k,
                      .seed = generation.seed ? mix_seed(*generation.seed ^ mix_seed(request_key))
                                              : std::random_device{}() * 0x100000001ULL};
  if (!generation.ignore_eos) request.stop_token_ids = config_.eos_token_ids;
  if (!generation.stop.empty()) {
    // Only the last few tokens can complete a stop string that was not there a token earlier.
    size_t longest = 0;
    for (const auto& stop : generation.stop) longest = std::max(longest, stop.size());
    request.stop_check = [tokenizer = tokenizer(), stops = generation.stop,
                          window = longest + 8](std::span<const int64_t> generated) {
      const size_t count = std::min(generated.size(), window);
      const std::vector<text::TokenId> tail(generated.end() - static_cast<std::ptrdiff_t>(count),
                                            generated.end());
      const std::string text = tokenizer.decode(tail, /*skip_special_tokens=*/true);
      return std::any_of(stops.begin(), stops.end(),
                         [&](const std::string& stop) { return text.find(stop) != std::string::npos; });
    };
  }
  return request;
}

}  // namespace evalflow::torch_local
