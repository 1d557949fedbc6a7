#include "transformer.hpp"

#include <ATen/TensorIndexing.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include "fused_ops.hpp"
#include "host_tensor.hpp"
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
  model.choose_kernels();
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
  model.choose_kernels();
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
    const auto old_context = static_cast<double>(rope.original_max_position_embeddings);
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
  auto total = static_cast<int64_t>(embedding_.nbytes() + final_norm_.nbytes());
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

void Transformer::choose_kernels() {
  fused_ = fused::usable(embedding_);
  fused_attention_ =
      fused_ && fused::attention_usable(config_.num_heads, config_.num_kv_heads, config_.head_dim);
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
  const int64_t block_size = cache.block_size();
  std::vector<int64_t> positions;
  std::vector<int64_t> slots;
  std::vector<int64_t> last_rows;
  positions.reserve(tokens.size());
  // A decode step finds each token's cache slot on the device, from its block table.
  const bool decode =
      std::all_of(chunks.begin(), chunks.end(), [](const SequenceChunk& chunk) { return chunk.length == 1; });
  int64_t table_width = 0;
  for (const SequenceChunk& chunk : chunks) {
    if (chunk.blocks == nullptr || cache.capacity(*chunk.blocks) < chunk.start + chunk.length) {
      throw std::out_of_range("a chunk of positions " + std::to_string(chunk.start) + ".." +
                              std::to_string(chunk.start + chunk.length - 1) +
                              " is not covered by its cache blocks");
    }
    for (int64_t p = chunk.start; p < chunk.start + chunk.length; ++p) {
      positions.push_back(p);
      if (!decode) {
        slots.push_back(int64_t{(*chunk.blocks)[static_cast<size_t>(p / block_size)]} * block_size +
                        p % block_size);
      }
    }
    last_rows.push_back(static_cast<int64_t>(positions.size()) - 1);
    table_width = std::max(table_width, KvCache::blocks_for(chunk.start + 1, block_size));
  }
  if (positions.size() != tokens.size()) throw std::invalid_argument("tokens and chunks disagree in length");
  const at::Device device = options_.device();
  const at::Tensor position_tensor = host_tensor<int64_t>(positions, device);
  const at::Tensor token_tensor = host_tensor<int64_t>(tokens, device);
  if (decode) {
    std::vector<const BlockTable*> tables;
    for (const SequenceChunk& chunk : chunks) tables.push_back(chunk.blocks);
    const at::Tensor rows = block_table_rows(tables, static_cast<int64_t>(chunks.size()), table_width);
    return decode_step({token_tensor, position_tensor, rows.to(device)}, cache);
  }
  Pass pass = make_pass(position_tensor, host_tensor<int64_t>(slots, device), block_size);
  pass.chunks = chunks;
  for (const SequenceChunk& chunk : chunks) {
    std::vector<int64_t> blocks;
    if (chunk.start > 0) {
      const int64_t used = KvCache::blocks_for(chunk.start + chunk.length, block_size);
      blocks.assign(chunk.blocks->begin(), chunk.blocks->begin() + used);
    }
    pass.prefix_blocks.push_back(blocks.empty() ? at::Tensor() : host_tensor<int64_t>(blocks, device));
  }
  return run(token_tensor, pass, host_tensor<int64_t>(last_rows, device), cache);
}

at::Tensor Transformer::decode_step(const DecodeInputs& inputs, KvCache& cache) const {
  c10::InferenceMode inference;
  const int64_t block_size = cache.block_size();
  const at::Tensor own_blocks =
      inputs.block_tables.gather(1, inputs.positions.div(block_size, "floor").unsqueeze(1)).squeeze(1);
  Pass pass = make_pass(inputs.positions,
                        own_blocks.to(at::kLong) * block_size + inputs.positions % block_size, block_size);
  pass.decode = &inputs;
  if (!fused_attention_) {
    const int64_t width = inputs.block_tables.size(1) * block_size;
    pass.future = (at::arange(width, inputs.positions.options()).unsqueeze(0) > inputs.positions.unsqueeze(1))
                      .view({inputs.positions.size(0), 1, 1, width});
  }
  return run(inputs.tokens, pass, {}, cache);
}

Transformer::Pass Transformer::make_pass(const at::Tensor& positions, const at::Tensor& slots,
                                         int64_t block_size) const {
  Pass pass;
  pass.positions = positions;
  pass.slots = slots;
  if (!fused_) {
    pass.write_blocks = slots.div(block_size, "floor");
    pass.write_offsets = slots % block_size;
    pass.cos = rotary_cos_.index_select(0, positions).to(options_.dtype()).unsqueeze(1);
    pass.sin = rotary_sin_.index_select(0, positions).to(options_.dtype()).unsqueeze(1);
  }
  return pass;
}

at::Tensor Transformer::run(const at::Tensor& tokens, const Pass& pass, const at::Tensor& last_rows,
                            KvCache& cache) const {
  at::Tensor residual = at::embedding(embedding_, tokens);
  at::Tensor delta;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const LayerWeights& layer = layers_[i];
    const at::Tensor normed = add_norm(residual, delta, layer.input_norm);
    delta = attention(layer, static_cast<int64_t>(i), normed, pass, cache);
    delta = mlp(layer, add_norm(residual, delta, layer.post_attention_norm));
  }
  if (last_rows.defined()) {
    residual = residual.index_select(0, last_rows);
    delta = delta.index_select(0, last_rows);
  }
  return project(add_norm(residual, delta, final_norm_), lm_head_, {}).to(at::kFloat);
}

// residual += delta, then RMSNorm as transformers computes it (fp32 inside, the weight applied in the
// model dtype).
at::Tensor Transformer::add_norm(at::Tensor& residual, const at::Tensor& delta,
                                 const at::Tensor& weight) const {
  if (fused_) return fused::add_rms_norm(residual, delta, weight, config_.rms_norm_eps);
  if (delta.defined()) residual = residual + delta;
  return shim::rms_norm(residual, weight, config_.rms_norm_eps);
}

at::Tensor Transformer::project(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) const {
  if (fused_ && fused::gemv_usable(x, weight)) return fused::gemv(x, weight, bias, /*gated=*/false);
  return at::linear(x, weight, bias);
}

at::Tensor Transformer::mlp(const LayerWeights& layer, const at::Tensor& x) const {
  at::Tensor activated;
  if (fused_ && !layer.gate_up_bias.defined() && fused::gemv_usable(x, layer.gate_up_weight)) {
    activated = fused::gemv(x, layer.gate_up_weight, {}, /*gated=*/true);
  } else {
    const at::Tensor gate_up = at::linear(x, layer.gate_up_weight, layer.gate_up_bias);
    if (fused_) {
      activated = fused::silu_mul(gate_up);
    } else {
      const auto halves = gate_up.chunk(2, -1);
      activated = at::silu(halves[0]) * halves[1];
    }
  }
  return project(activated, layer.down_weight, layer.down_bias);
}

at::Tensor Transformer::attention(const LayerWeights& layer, int64_t layer_index, const at::Tensor& x,
                                  const Pass& pass, KvCache& cache) const {
  const int64_t tokens = x.size(0);
  const int64_t heads = config_.num_heads;
  const int64_t kv_heads = config_.num_kv_heads;
  const int64_t dim = config_.head_dim;
  at::Tensor qkv = project(x, layer.qkv_weight, layer.qkv_bias);
  at::Tensor q;
  at::Tensor k;
  const at::Tensor v = qkv.narrow(1, (heads + kv_heads) * dim, kv_heads * dim).view({tokens, kv_heads, dim});
  if (fused_) {
    fused::rotary_store(qkv, pass.positions, rotary_cos_, rotary_sin_, pass.slots,
                        {cache.keys(layer_index), cache.values(layer_index)}, heads);
    q = qkv.narrow(1, 0, heads * dim).view({tokens, heads, dim});
    k = qkv.narrow(1, heads * dim, kv_heads * dim).view({tokens, kv_heads, dim});
  } else {
    // Queries and keys rotate together: one set of kernels instead of two.
    const at::Tensor rotated = apply_rotary(
        qkv.narrow(1, 0, (heads + kv_heads) * dim).view({tokens, heads + kv_heads, dim}), pass.cos, pass.sin);
    q = rotated.narrow(1, 0, heads);
    k = rotated.narrow(1, heads, kv_heads);
    cache.keys(layer_index).index_put_({pass.write_blocks, Slice(), pass.write_offsets}, k);
    cache.values(layer_index).index_put_({pass.write_blocks, Slice(), pass.write_offsets}, v);
  }
  at::Tensor out;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
  if (pass.decode != nullptr && fused_attention_) {
    out = fused::paged_decode_attention(qkv, {cache.keys(layer_index), cache.values(layer_index)},
                                        pass.decode->block_tables, pass.positions, heads, scale);
  } else if (pass.decode != nullptr) {
    out = gathered_decode_attention(q, pass, layer_index, cache);
  } else {
    std::vector<at::Tensor> parts;
    int64_t offset = 0;
    for (size_t c = 0; c < pass.chunks.size(); ++c) {
      const SequenceChunk& chunk = pass.chunks[c];
      parts.push_back(chunk_attention(q.narrow(0, offset, chunk.length), k.narrow(0, offset, chunk.length),
                                      v.narrow(0, offset, chunk.length), chunk, pass.prefix_blocks[c],
                                      layer_index, cache));
      offset += chunk.length;
    }
    out = parts.size() == 1 ? parts[0] : at::cat(parts);
  }
  return project(out, layer.o_weight, layer.o_bias);
}

// One sequence's new tokens attending to its cached prefix (gathered from its blocks) and to each other,
// causally.
at::Tensor Transformer::chunk_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                        const SequenceChunk& chunk, const at::Tensor& prefix_blocks,
                                        int64_t layer_index, KvCache& cache) const {
  const int64_t length = chunk.length;
  const int64_t total = chunk.start + length;
  const int64_t heads = config_.num_heads;
  const int64_t kv_heads = config_.num_kv_heads;
  const int64_t group = heads / kv_heads;
  const int64_t dim = config_.head_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
  at::Tensor keys = k.transpose(0, 1);  // [kv_heads, total, dim]
  at::Tensor values = v.transpose(0, 1);
  if (chunk.start > 0) {
    auto gather = [&](const at::Tensor& pool) {
      return pool.index_select(0, prefix_blocks)
          .permute({1, 0, 2, 3})
          .reshape({kv_heads, -1, dim})
          .narrow(1, 0, total);
    };
    keys = gather(cache.keys(layer_index));
    values = gather(cache.values(layer_index));
  }
  const at::Tensor query = q.transpose(0, 1).unsqueeze(0);
  auto fused =
      chunk.start == 0
          ? shim::fused_causal_attention(query, keys.unsqueeze(0), values.unsqueeze(0), scale)
          : shim::fused_prefix_attention(query, keys.unsqueeze(0), values.unsqueeze(0), chunk.start, scale);
  if (fused) return fused->squeeze(0).transpose(0, 1).reshape({length, heads * dim});
  // Rows are (group member, token): query head h = kv_head * group + member uses kv_head, as repeat_kv does.
  const at::Tensor grouped_q = q.reshape({length, kv_heads, group, dim})
                                   .permute({1, 2, 0, 3})
                                   .reshape({kv_heads, group * length, dim});
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

// Decode attention composed from ATen calls: each row's blocks gathered into one [batch, kv_heads, width,
// dim] view, keys after the row's position masked. The reference the paged kernel is tested against.
at::Tensor Transformer::gathered_decode_attention(const at::Tensor& q, const Pass& pass, int64_t layer_index,
                                                  KvCache& cache) const {
  const int64_t batch = q.size(0);
  const int64_t kv_heads = config_.num_kv_heads;
  const int64_t group = config_.num_heads / kv_heads;
  const int64_t dim = config_.head_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
  const at::Tensor& tables = pass.decode->block_tables;
  const int64_t width = tables.size(1);
  const at::Tensor flat = tables.reshape({-1}).to(at::kLong);
  auto gather = [&](const at::Tensor& pool) {
    return pool.index_select(0, flat)
        .view({batch, width, kv_heads, cache.block_size(), dim})
        .permute({0, 2, 1, 3, 4})
        .reshape({batch, kv_heads, width * cache.block_size(), dim});
  };
  const at::Tensor keys = gather(cache.keys(layer_index));
  const at::Tensor values = gather(cache.values(layer_index));
  at::Tensor scores = at::matmul(q.reshape({batch, kv_heads, group, dim}), keys.transpose(2, 3)) * scale;
  scores.masked_fill_(pass.future, -std::numeric_limits<double>::infinity());
  const at::Tensor probabilities = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return at::matmul(probabilities, values).reshape({batch, config_.num_heads * dim});
}

}  // namespace evalflow::torch_local
