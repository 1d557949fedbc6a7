#include "kv_cache.hpp"

namespace evalflow::torch_local {

KvCache::KvCache(const ModelConfig& config, int64_t max_sequences, int64_t capacity,
                 const at::TensorOptions& options)
    : max_sequences_(max_sequences), capacity_(capacity) {
  for (int64_t layer = 0; layer < config.num_layers; ++layer) {
    keys_.push_back(at::zeros({max_sequences, config.num_kv_heads, capacity, config.head_dim}, options));
    values_.push_back(at::zeros({max_sequences, config.num_kv_heads, capacity, config.head_dim}, options));
  }
}

void KvCache::move_slot(int64_t from, int64_t to, int64_t length) {
  if (from == to || length == 0) return;
  for (size_t layer = 0; layer < keys_.size(); ++layer) {
    keys_[layer][to].narrow(1, 0, length).copy_(keys_[layer][from].narrow(1, 0, length));
    values_[layer][to].narrow(1, 0, length).copy_(values_[layer][from].narrow(1, 0, length));
  }
}

}  // namespace evalflow::torch_local
