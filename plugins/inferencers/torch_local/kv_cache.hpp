// The key/value cache: per layer, one [max_sequences, kv_heads, capacity, head_dim] tensor for keys and one
// for values. A running sequence owns one slot; the scheduler keeps the running sequences in slots
// 0..n-1 so that a decode step reads the cache as one contiguous view instead of gathering it.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "model_config.hpp"

namespace evalflow::torch_local {

class KvCache {
 public:
  KvCache(const ModelConfig& config, int64_t max_sequences, int64_t capacity,
          const at::TensorOptions& options);

  [[nodiscard]] int64_t max_sequences() const { return max_sequences_; }
  [[nodiscard]] int64_t capacity() const { return capacity_; }
  [[nodiscard]] at::Tensor& keys(int64_t layer) { return keys_[static_cast<size_t>(layer)]; }
  [[nodiscard]] at::Tensor& values(int64_t layer) { return values_[static_cast<size_t>(layer)]; }
  // Copies the first `length` positions of slot `from` into slot `to` (compaction when a sequence leaves).
  void move_slot(int64_t from, int64_t to, int64_t length);

 private:
  int64_t max_sequences_;
  int64_t capacity_;
  std::vector<at::Tensor> keys_;
  std::vector<at::Tensor> values_;
};

}  // namespace evalflow::torch_local
