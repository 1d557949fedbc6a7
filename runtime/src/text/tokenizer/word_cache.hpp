// A thread-safe cache from a pre-tokenised piece (its bytes) to its BPE ids. Text repeats the same words
// constantly, so most pieces skip the merge loop. Sharded so that concurrent encoders rarely wait; a full
// shard is cleared rather than grown, bounding memory on endless streams of distinct words.
#pragma once

#include <array>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <evalflow/text/tokenizer.hpp>

namespace evalflow::text::detail {

class WordCache {
 public:
  static constexpr std::size_t kMaxWordBytes = 256;

  // Appends the cached ids of `word` to `out`; false when `word` is not cached.
  bool append(std::string_view word, std::vector<TokenId>& out) const {
    Shard& shard = shard_for(word);
    const std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(word);
    if (found == shard.entries.end()) return false;
    out.insert(out.end(), found->second.begin(), found->second.end());
    return true;
  }

  void insert(std::string_view word, const TokenId* ids, std::size_t count) const {
    if (word.size() > kMaxWordBytes) return;
    Shard& shard = shard_for(word);
    const std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= kEntriesPerShard) shard.entries.clear();
    shard.entries.try_emplace(std::string(word), ids, ids + count);
  }

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kEntriesPerShard = 4096;

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<TokenId>, Hash, std::equal_to<>> entries;
  };

  Shard& shard_for(std::string_view word) const {
    const std::size_t first = word.empty() ? 0 : static_cast<unsigned char>(word.front());
    const std::size_t last = word.empty() ? 0 : static_cast<unsigned char>(word.back());
    return shards_[(first * 31 + last + word.size()) % kShards];
  }

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace evalflow::text::detail
