// Finds added tokens (<|im_start|>, <think>, ...) written in text, before normalisation and BPE see it.
// Matching is leftmost-longest, as HuggingFace's aho-corasick matcher does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <evalflow/text/tokenizer.hpp>

namespace evalflow::text::detail {

class AddedTokenMatcher {
 public:
  struct Match {
    std::size_t begin = 0;
    std::size_t end = 0;
    TokenId id = 0;
  };

  // `tokens` are (content, id) pairs; empty contents are ignored.
  explicit AddedTokenMatcher(const std::vector<std::pair<std::string, TokenId>>& tokens);
  AddedTokenMatcher() = default;

  [[nodiscard]] bool empty() const { return nodes_.size() <= 1; }
  // The leftmost match starting at or after `from`, the longest among those starting there.
  [[nodiscard]] std::optional<Match> find(std::string_view text, std::size_t from) const;

 private:
  struct Node {
    std::vector<std::pair<unsigned char, std::uint32_t>> children;  // sorted by byte
    TokenId token = -1;
  };
  [[nodiscard]] std::uint32_t child(std::uint32_t node, unsigned char byte) const;

  std::vector<Node> nodes_{Node{}};
  std::array<bool, 256> starts_token_{};
};

}  // namespace evalflow::text::detail
