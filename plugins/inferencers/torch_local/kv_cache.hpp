// The key/value cache in blocks (vLLM's paged attention): per layer one pool of keys and one of values,
// [blocks, kv_heads, block_size, head_dim]. A sequence holds a table of blocks that grows with it, so memory
// follows each sequence's length instead of being reserved for the longest. Block 0 is never handed out:
// padding rows of captured decode steps write there.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <span>
#include <vector>

#include "model_config.hpp"

namespace evalflow::torch_local {

using BlockTable = std::vector<int32_t>;

class KvCache {
 public:
  // `blocks` usable blocks (plus the scratch block) of `block_size` positions each.
  KvCache(const ModelConfig& config, int64_t blocks, int64_t block_size, const at::TensorOptions& options);

  // Bytes one block takes over all layers, keys and values.
  [[nodiscard]] static int64_t block_bytes(const ModelConfig& config, int64_t block_size,
                                           at::ScalarType dtype);
  [[nodiscard]] static int64_t blocks_for(int64_t positions, int64_t block_size) {
    return (positions + block_size - 1) / block_size;
  }

  [[nodiscard]] int64_t block_size() const { return block_size_; }
  [[nodiscard]] int64_t usable_blocks() const { return static_cast<int64_t>(pool_size_) - 1; }
  [[nodiscard]] int64_t free_blocks() const { return static_cast<int64_t>(free_.size()); }
  // The most blocks held at once so far.
  [[nodiscard]] int64_t peak_used_blocks() const { return peak_used_blocks_; }
  // Positions `table` can hold.
  [[nodiscard]] int64_t capacity(const BlockTable& table) const {
    return static_cast<int64_t>(table.size()) * block_size_;
  }

  // Grows `table` to hold `positions`; false (and `table` unchanged) when too few blocks are free.
  bool reserve(BlockTable& table, int64_t positions);
  // Returns every block of `table` to the pool and empties it.
  void release(BlockTable& table);

  [[nodiscard]] at::Tensor& keys(int64_t layer) { return keys_[static_cast<size_t>(layer)]; }
  [[nodiscard]] at::Tensor& values(int64_t layer) { return values_[static_cast<size_t>(layer)]; }

 private:
  int64_t block_size_;
  size_t pool_size_;
  std::vector<int32_t> free_;  // a stack: recently freed blocks are reused first
  int64_t peak_used_blocks_ = 0;
  std::vector<at::Tensor> keys_;
  std::vector<at::Tensor> values_;
};

// The block tables of a decode step as a host int32 tensor [rows, width]: row r holds the first blocks of
// tables[r] (as many as fit); what is left, and rows past tables.size() (padding), name the scratch block 0.
at::Tensor block_table_rows(std::span<const BlockTable* const> tables, int64_t rows, int64_t width);

}  // namespace evalflow::torch_local
