// The BPE merges as an open-addressing hash table from a pair of token ids to (rank, merged id): the
// merge loop looks a pair up for every adjacent pair of symbols, so this lookup is the hot path of encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <evalflow/text/tokenizer.hpp>

namespace evalflow::text::detail {

class MergeTable {
 public:
  struct Merge {
    std::uint32_t rank = 0;
    TokenId merged = 0;
  };

  void reserve(std::size_t merges) {
    std::size_t capacity = 16;
    while (capacity < merges * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }

  // Keeps the first (lowest-rank) merge of a pair, as HuggingFace does for duplicated merge lines.
  void insert(TokenId left, TokenId right, Merge merge) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::uint64_t key = pack(left, right);
    for (std::size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      if (slots_[slot].key == kEmpty) {
        slots_[slot] = {key, merge};
        ++size_;
        return;
      }
      if (slots_[slot].key == key) return;
    }
  }

  [[nodiscard]] std::optional<Merge> find(TokenId left, TokenId right) const {
    const std::uint64_t key = pack(left, right);
    for (std::size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      if (slots_[slot].key == key) return slots_[slot].merge;
      if (slots_[slot].key == kEmpty) return std::nullopt;
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  struct Slot {
    std::uint64_t key = kEmpty;
    Merge merge;
  };

  static std::uint64_t pack(TokenId left, TokenId right) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
           static_cast<std::uint32_t>(right);
  }
  [[nodiscard]] std::size_t hash(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask_;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    reserve(old.size());
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.key != kEmpty) {
        insert(static_cast<TokenId>(slot.key >> 32), static_cast<TokenId>(slot.key & 0xFFFFFFFFu),
               slot.merge);
      }
    }
  }

  std::vector<Slot> slots_ = std::vector<Slot>(16);
  std::size_t mask_ = 15;
  std::size_t size_ = 0;
};

}  // namespace evalflow::text::detail
