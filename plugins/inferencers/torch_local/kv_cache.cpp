#include "kv_cache.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace evalflow::torch_local {

KvCache::KvCache(const ModelConfig& config, int64_t blocks, int64_t block_size,
                 const at::TensorOptions& options)
    : block_size_(block_size), pool_size_(static_cast<size_t>(blocks) + 1) {
  if (blocks < 1 || block_size < 1) {
    throw std::invalid_argument("the KV cache needs at least one block of at least one position (got " +
                                std::to_string(blocks) + " blocks of " + std::to_string(block_size) + ")");
  }
  free_.reserve(pool_size_ - 1);
  for (auto block = static_cast<int32_t>(pool_size_ - 1); block >= 1; --block) free_.push_back(block);
  const std::vector<int64_t> shape{static_cast<int64_t>(pool_size_), config.num_kv_heads, block_size,
                                   config.head_dim};
  for (int64_t layer = 0; layer < config.num_layers; ++layer) {
    keys_.push_back(at::zeros(shape, options));
    values_.push_back(at::zeros(shape, options));
  }
}

int64_t KvCache::block_bytes(const ModelConfig& config, int64_t block_size, at::ScalarType dtype) {
  return 2 * config.num_layers * config.num_kv_heads * block_size * config.head_dim *
         static_cast<int64_t>(c10::elementSize(dtype));
}

bool KvCache::reserve(BlockTable& table, int64_t positions) {
  const int64_t needed = blocks_for(positions, block_size_) - static_cast<int64_t>(table.size());
  if (needed <= 0) return true;
  if (needed > free_blocks()) return false;
  for (int64_t i = 0; i < needed; ++i) {
    table.push_back(free_.back());
    free_.pop_back();
  }
  peak_used_blocks_ = std::max(peak_used_blocks_, usable_blocks() - free_blocks());
  return true;
}

void KvCache::release(BlockTable& table) {
  free_.insert(free_.end(), table.rbegin(), table.rend());
  table.clear();
}

at::Tensor block_table_rows(std::span<const BlockTable* const> tables, int64_t rows, int64_t width) {
  auto host = at::zeros({rows, width}, at::kInt);
  for (size_t row = 0; row < tables.size(); ++row) {
    const BlockTable& table = *tables[row];
    const int64_t used = std::min<int64_t>(width, static_cast<int64_t>(table.size()));
    std::copy_n(table.begin(), used, host.data_ptr<int32_t>() + static_cast<int64_t>(row) * width);
  }
  return host;
}

}  // namespace evalflow::torch_local
