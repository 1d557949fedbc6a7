// Token string -> id, built once from tokenizer.json. An open-addressing table over one string arena:
// loading Qwen3's 151,643 tokens into std::unordered_map<std::string, int> took a third of the load time
// (one allocation per token and a cache miss per lookup).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <evalflow/text/tokenizer.hpp>

namespace evalflow::text::detail {

class Vocabulary {
 public:
  void reserve(std::size_t tokens, std::size_t bytes) {
    entries_.reserve(tokens);
    arena_.reserve(bytes);
    std::size_t capacity = 16;
    while (capacity < tokens * 2) capacity *= 2;
    rehash(capacity);
  }

  // A token already present keeps its first id.
  void insert(std::string_view token, TokenId id) {
    if ((entries_.size() + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    std::size_t slot = find_slot(token);
    if (slots_[slot] != kEmpty) return;
    slots_[slot] = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back(
        {static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(token.size()), id});
    arena_.append(token);
  }

  [[nodiscard]] std::optional<TokenId> find(std::string_view token) const {
    const std::uint32_t index = slots_[find_slot(token)];
    if (index == kEmpty) return std::nullopt;
    return entries_[index].id;
  }

  [[nodiscard]] std::size_t size() const { return entries_.size(); }

  template <typename Function>  // Function(std::string_view token, TokenId id)
  void for_each(Function&& function) const {
    for (const Entry& entry : entries_) function(text_of(entry), entry.id);
  }

 private:
  static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};
  struct Entry {
    std::uint32_t offset;
    std::uint32_t length;
    TokenId id;
  };

  [[nodiscard]] std::string_view text_of(const Entry& entry) const {
    return std::string_view(arena_).substr(entry.offset, entry.length);
  }
  [[nodiscard]] std::size_t find_slot(std::string_view token) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = std::hash<std::string_view>{}(token)&mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == kEmpty || text_of(entries_[slots_[slot]]) == token) return slot;
    }
  }
  void rehash(std::size_t capacity) {
    slots_.assign(capacity, kEmpty);
    for (std::uint32_t index = 0; index < entries_.size(); ++index) {
      slots_[find_slot(text_of(entries_[index]))] = index;
    }
  }

  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> slots_ = std::vector<std::uint32_t>(16, kEmpty);
};

}  // namespace evalflow::text::detail
