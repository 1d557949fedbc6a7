#include "transformer.hpp"

#include <ATen/TensorIndexing.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include "safetensors.hpp"
#include "torch_shim.hpp"

namespace evalflow::torch_local {
namespace {

using at::indexing::Slice;

std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream text;
  text << '[';
  for (size_t i = 0; i < shape.size(); ++i) text << (i ? ", " : "") << shape[i];
  text << ']';
  return text.str();
}

at::Tensor host_longs(std::span<const int64_t> values, const at::Device& device) {
  auto tensor = at::empty({static_cast<int64_t>(values.size())}, at::kLong);
  std::copy(values.begin(), values.end(), tensor.data_ptr<int64_t>());
  return tensor.to(device);
}

// Builds each layer from `take(name, shape)`, which the loader and the random initialiser implement.
template <class Take>
void fill_weights(const ModelConfig& c, Take&& take, at::Tensor& embedding, std::vector<LayerWeights>& layers,
                  at::Tensor& final_norm, at::Tensor& lm_head) {
  const int64_t q_size = c.num_heads * c.head_dim;
  const int64_t kv_size = c.num_kv_heads * c.head_dim;
  embedding = take("model.embed_tokens.weight", std::vector<int64_t>{c.vocab_size, c.hidden_size});
  for (int64_t i = 0; i < c.num_layers; ++i) {
    const std::string prefix = "model.layers." + std::to_string(i) + ".";
    const std::string attn = prefix + "self_attn.";
    const std::string mlp = prefix + "mlp.";
    LayerWeights layer;
    layer.input_norm = take(prefix + "input_layernorm.weight", std::vector<int64_t>{c.hidden_size});
    layer.qkv_weight = at::cat({take(attn + "q_proj.weight", std::vector<int64_t>{q_size, c.hidden_size}),
                                take(attn + "k_proj.weight", std::vector<int64_t>{kv_size, c.hidden_size}),
                                take(attn + "v_proj.weight", std::vector<int64_t>{kv_size, c.hidden_size})});
    if (c.qkv_bias) {
      layer.qkv_bias = at::cat({take(attn + "q_proj.bias", std::vector<int64_t>{q_size}),
                                take(attn + "k_proj.bias", std::vector<int64_t>{kv_size}),
                                take(attn + "v_proj.bias", std::vector<int64_t>{kv_size})});
    }
    layer.o_weight = take(attn + "o_proj.weight", std::vector<int64_t>{c.hidden_size, q_size});
    if (c.o_bias) layer.o_bias = take(attn + "o_proj.bias", std::vector<int64_t>{c.hidden_size});
    layer.post_attention_norm =
        take(prefix + "post_attention_layernorm.weight", std::vector<int64_t>{c.hidden_size});
    const std::vector<int64_t> up_shape{c.intermediate_size, c.hidden_size};
    layer.gate_up_weight =
        at::cat({take(mlp + "gate_proj.weight", up_shape), take(mlp + "up_proj.weight", up_shape)});
    layer.down_weight =
        take(mlp + "down_proj.weight", std::vector<int64_t>{c.hidden_size, c.intermediate_size});
    if (c.mlp_bias) {
      layer.gate_up_bias = at::cat({take(mlp + "gate_proj.bias", std::vector<int64_t>{c.intermediate_size}),
                                    take(mlp + "up_proj.bias", std::vector<int64_t>{c.intermediate_size})});
      layer.down_bias = take(mlp + "down_proj.bias", std::vector<int64_t>{c.hidden_size});
    }
    layers.push_back(std::move(layer));
  }
  final_norm = take("model.norm.weight", std::vector<int64_t>{c.hidden_size});
  lm_head = c.tie_word_embeddings ? embedding
                                  : take("lm_head.weight", std::vector<int64_t>{c.vocab_size, c.hidden_size});
}

}  // namespace

Transformer::Transformer(ModelConfig config, const at::TensorOptions& options)
    : config_(std::move(config)), options_(options) {}

Transformer Transformer::load(const std::filesystem::path& model_dir, const ModelConfig& config,
                              const at::TensorOptions& options) {
  c10::InferenceMode inference;
  Transformer model(config, options);
  const auto checkpoint = SafetensorsCheckpoint::open(model_dir);
  auto take = [&](const std::string& name, const std::vector<int64_t>& shape) {
    if (!checkpoint.contains(name)) {
      throw std::runtime_error("checkpoint " + model_dir.string() + " has no tensor '" + name +
                               "' (expected shape " + shape_text(shape) + " from config.json)");
    }
    at::Tensor tensor = checkpoint.tensor(name);
    if (tensor.sizes() != at::IntArrayRef(shape)) {
      throw std::runtime_error(checkpoint.file_of(name) + ": tensor '" + name + "' has shape " +
                               shape_text(tensor.sizes()) + ", expected " + shape_text(shape) +
                               " from config.json");
    }
    // Always a copy: the mapped view is read-only and must not outlive the load.
    return tensor.to(options, /*non_blocking=*/false, /*copy=*/true);
  };
  fill_weights(config, take, model.embedding_, model.layers_, model.final_norm_, model.lm_head_);
  model.build_rotary_tables(config.max_position_embeddings);
  return model;
}

Transformer Transformer::random(const ModelConfig& config, const at::TensorOptions& options, uint64_t seed) {
  c10::InferenceMode inference;
  Transformer model(config, options);
  at::manual_seed(seed);
  auto take = [&](const std::string& name, const std::vector<int64_t>& shape) {
    if (name.ends_with("norm.weight")) return at::ones(shape, options);
    return at::empty(shape, options).normal_(0.0, 0.02);
  };
  fill_weights(config, take, model.embedding_, model.layers_, model.final_norm_, model.lm_head_);
  model.build_rotary_tables(config.max_position_embeddings);
  return model;
}

// As transformers' ROPE_INIT_FUNCTIONS, in fp32 like it, so that the angles match to the last bit.
void Transformer::build_rotary_tables(int64_t max_positions) {
  const RopeConfig& rope = config_.rope;
  const int64_t dim = config_.head_dim;
  auto exponents = at::arange(0, dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(dim);
  at::Tensor inv_freq = 1.0 / at::pow(rope.theta, exponents);
  if (rope.type == RopeConfig::Type::kLinear) {
    inv_freq = inv_freq / rope.factor;
  } else if (rope.type == RopeConfig::Type::kLlama3) {
    const double old_context = static_cast<double>(rope.original_max_position_embeddings);
    const double low_freq_wavelen = old_context / rope.low_freq_factor;
    const double high_freq_wavelen = old_context / rope.high_freq_factor;
    const at::Tensor wavelen = 2 * std::numbers::pi / inv_freq;
    at::Tensor scaled = at::where(wavelen > low_freq_wavelen, inv_freq / rope.factor, inv_freq);
    const at::Tensor smooth =
        (old_context / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
    const at::Tensor smoothed = (1 - smooth) * scaled / rope.factor + smooth * scaled;
    const at::Tensor medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
    inv_freq = at::where(medium, smoothed, scaled);
  }
  const at::Tensor positions = at::arange(max_positions, at::kLong).to(at::kFloat);
  const at::Tensor angles = positions.unsqueeze(1) * inv_freq.unsqueeze(0);
  rotary_cos_ = angles.cos().to(options_.device());
  rotary_sin_ = angles.sin().to(options_.device());
}

int64_t Transformer::parameter_bytes() const {
  int64_t total = static_cast<int64_t>(embedding_.nbytes() + final_norm_.nbytes());
  if (!config_.tie_word_embeddings) total += static_cast<int64_t>(lm_head_.nbytes());
  for (const auto& layer : layers_) {
    for (const at::Tensor* tensor : {&layer.input_norm, &layer.qkv_weight, &layer.qkv_bias, &layer.o_weight,
                                     &layer.o_bias, &layer.post_attention_norm, &layer.gate_up_weight,
                                     &layer.gate_up_bias, &layer.down_weight, &layer.down_bias}) {
      if (tensor->defined()) total += static_cast<int64_t>(tensor->nbytes());
    }
  }
  return total;
}

at::Tensor Transformer::rms_norm(const at::Tensor& x, const at::Tensor& weight) const {
  return shim::rms_norm(x, weight, config_.rms_norm_eps);
}

at::Tensor Transformer::apply_rotary(const at::Tensor& x, const at::Tensor& cos,
                                     const at::Tensor& sin) const {
  const int64_t half = config_.head_dim / 2;
  const at::Tensor x1 = x.narrow(-1, 0, half);
  const at::Tensor x2 = x.narrow(-1, half, half);
  return at::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
}

at::Tensor Transformer::forward(std::span<const int64_t> tokens, std::span<const SequenceChunk> chunks,
                                KvCache& cache) const {
  c10::InferenceMode inference;
  std::vector<int64_t> positions;
  std::vector<int64_t> last_rows;
  positions.reserve(tokens.size());
  bool contiguous_decode = true;
  int64_t max_length = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const SequenceChunk& chunk = chunks[i];
    if (chunk.start + chunk.length > cache.capacity()) {
      throw std::out_of_range("sequence of " + std::to_string(chunk.start + chunk.length) +
                              " tokens exceeds the KV cache capacity of " + std::to_string(cache.capacity()));
    }
    for (int64_t p = chunk.start; p < chunk.start + chunk.length; ++p) positions.push_back(p);
    last_rows.push_back(static_cast<int64_t>(positions.size()) - 1);
    contiguous_decode = contiguous_decode && chunk.length == 1 && chunk.slot == static_cast<int64_t>(i);
    max_length = std::max(max_length, chunk.start + chunk.length);
  }
  if (positions.size() != tokens.size()) throw std::invalid_argument("tokens and chunks disagree in length");
  const at::Device device = options_.device();
  const at::Tensor position_tensor = host_longs(positions, device);
  const at::Tensor token_tensor = host_longs(tokens, device);
  if (contiguous_decode) return decode_step(token_tensor, position_tensor, max_length, cache);
  const at::Tensor hidden = run_layers(token_tensor, position_tensor, chunks, 0, cache);
  return logits(hidden.index_select(0, host_longs(last_rows, device)));
}

at::Tensor Transformer::decode_step(const at::Tensor& tokens, const at::Tensor& positions, int64_t length,
                                    KvCache& cache) const {
  c10::InferenceMode inference;
  return logits(run_layers(tokens, positions, {}, length, cache));
}

at::Tensor Transformer::run_layers(const at::Tensor& tokens, const at::Tensor& positions,
                                   std::span<const SequenceChunk> chunks, int64_t decode_length,
                                   KvCache& cache) const {
  const at::Tensor cos = rotary_cos_.index_select(0, positions).to(options_.dtype()).unsqueeze(1);
  const at::Tensor sin = rotary_sin_.index_select(0, positions).to(options_.dtype()).unsqueeze(1);
  DecodeBatch decode;
  if (decode_length > 0) {
    decode.positions = positions;
    decode.slots = at::arange(positions.size(0), positions.options());
    decode.future = (at::arange(decode_length, positions.options()).unsqueeze(0) > positions.unsqueeze(1))
                        .view({positions.size(0), 1, 1, decode_length});
    decode.length = decode_length;
  }
  at::Tensor x = at::embedding(embedding_, tokens);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const LayerWeights& layer = layers_[i];
    x = x + attention(layer, static_cast<int64_t>(i), rms_norm(x, layer.input_norm), cos, sin, chunks,
                      decode_length > 0 ? &decode : nullptr, cache);
    const at::Tensor gate_up =
        at::linear(rms_norm(x, layer.post_attention_norm), layer.gate_up_weight, layer.gate_up_bias);
    const auto halves = gate_up.chunk(2, -1);
    x = x + at::linear(at::silu(halves[0]) * halves[1], layer.down_weight, layer.down_bias);
  }
  return x;
}

at::Tensor Transformer::logits(const at::Tensor& hidden) const {
  return at::linear(rms_norm(hidden, final_norm_), lm_head_).to(at::kFloat);
}

at::Tensor Transformer::attention(const LayerWeights& layer, int64_t layer_index, const at::Tensor& x,
                                  const at::Tensor& cos, const at::Tensor& sin,
                                  std::span<const SequenceChunk> chunks, const DecodeBatch* decode,
                                  KvCache& cache) const {
  const int64_t tokens = x.size(0);
  const int64_t q_size = config_.num_heads * config_.head_dim;
  const int64_t kv_size = config_.num_kv_heads * config_.head_dim;
  const at::Tensor qkv = at::linear(x, layer.qkv_weight, layer.qkv_bias);
  // Queries and keys rotate together: one set of kernels instead of two.
  const at::Tensor rotated =
      apply_rotary(qkv.narrow(1, 0, q_size + kv_size)
                       .view({tokens, config_.num_heads + config_.num_kv_heads, config_.head_dim}),
                   cos, sin);
  const at::Tensor q = rotated.narrow(1, 0, config_.num_heads);
  const at::Tensor k = rotated.narrow(1, config_.num_heads, config_.num_kv_heads);
  const at::Tensor v =
      qkv.narrow(1, q_size + kv_size, kv_size).view({tokens, config_.num_kv_heads, config_.head_dim});
  at::Tensor out;
  if (decode != nullptr) {
    out = decode_attention(q, k, v, *decode, layer_index, cache);
  } else {
    std::vector<at::Tensor> parts;
    int64_t offset = 0;
    for (const SequenceChunk& chunk : chunks) {
      parts.push_back(chunk_attention(q.narrow(0, offset, chunk.length), k.narrow(0, offset, chunk.length),
                                      v.narrow(0, offset, chunk.length), chunk, layer_index, cache));
      offset += chunk.length;
    }
    out = parts.size() == 1 ? parts[0] : at::cat(parts);
  }
  return at::linear(out, layer.o_weight, layer.o_bias);
}

// One sequence's new tokens attending to its cached prefix and to each other, causally.
at::Tensor Transformer::chunk_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                        const SequenceChunk& chunk, int64_t layer_index,
                                        KvCache& cache) const {
  const int64_t length = chunk.length;
  const int64_t total = chunk.start + length;
  const int64_t heads = config_.num_heads;
  const int64_t kv_heads = config_.num_kv_heads;
  const int64_t group = heads / kv_heads;
  const int64_t dim = config_.head_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
  at::Tensor slot_keys = cache.keys(layer_index)[chunk.slot];  // [kv_heads, capacity, dim]
  at::Tensor slot_values = cache.values(layer_index)[chunk.slot];
  slot_keys.narrow(1, chunk.start, length).copy_(k.transpose(0, 1));
  slot_values.narrow(1, chunk.start, length).copy_(v.transpose(0, 1));
  const at::Tensor keys = slot_keys.narrow(1, 0, total);
  const at::Tensor values = slot_values.narrow(1, 0, total);
  if (chunk.start == 0) {
    if (auto fused = shim::fused_causal_attention(q.transpose(0, 1).unsqueeze(0), keys.unsqueeze(0),
                                                  values.unsqueeze(0), scale)) {
      return fused->squeeze(0).transpose(0, 1).reshape({length, heads * dim});
    }
  }
  // Rows are (group member, token): query head h = kv_head * group + member uses kv_head, as repeat_kv does.
  const at::Tensor grouped_q =
      q.view({length, kv_heads, group, dim}).permute({1, 2, 0, 3}).reshape({kv_heads, group * length, dim});
  at::Tensor scores = at::matmul(grouped_q, keys.transpose(1, 2)) * scale;
  const at::Tensor query_positions =
      at::arange(chunk.start, total, at::TensorOptions(at::kLong).device(q.device()));
  const at::Tensor key_positions = at::arange(total, at::TensorOptions(at::kLong).device(q.device()));
  const at::Tensor future = key_positions.unsqueeze(0) > query_positions.unsqueeze(1);  // [length, total]
  scores.masked_fill_(future.repeat({group, 1}), -std::numeric_limits<double>::infinity());
  const at::Tensor probabilities = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return at::matmul(probabilities, values)
      .view({kv_heads, group, length, dim})
      .permute({2, 0, 1, 3})
      .reshape({length, heads * dim});
}

// One new token for each sequence in slots 0..batch-1, reading the cache as one contiguous view.
at::Tensor Transformer::decode_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                         const DecodeBatch& decode, int64_t layer_index,
                                         KvCache& cache) const {
  const int64_t batch = q.size(0);
  const int64_t kv_heads = config_.num_kv_heads;
  const int64_t group = config_.num_heads / kv_heads;
  const int64_t dim = config_.head_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
  at::Tensor& all_keys = cache.keys(layer_index);
  at::Tensor& all_values = cache.values(layer_index);
  all_keys.index_put_({decode.slots, Slice(), decode.positions}, k);
  all_values.index_put_({decode.slots, Slice(), decode.positions}, v);
  const at::Tensor keys =
      all_keys.narrow(0, 0, batch).narrow(2, 0, decode.length);  // [batch, kv_heads, L, dim]
  const at::Tensor values = all_values.narrow(0, 0, batch).narrow(2, 0, decode.length);
  at::Tensor scores = at::matmul(q.view({batch, kv_heads, group, dim}), keys.transpose(2, 3)) * scale;
  scores.masked_fill_(decode.future, -std::numeric_limits<double>::infinity());
  const at::Tensor probabilities = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return at::matmul(probabilities, values).reshape({batch, config_.num_heads * dim});
}

}  // namespace evalflow::torch_local
