#include "tokenizer/added_vocabulary.hpp"

#include <algorithm>

namespace evalflow::text::detail {

AddedTokenMatcher::AddedTokenMatcher(const std::vector<std::pair<std::string, TokenId>>& tokens) {
  for (const auto& [content, id] : tokens) {
    if (content.empty()) continue;
    std::uint32_t node = 0;
    for (const char c : content) {
      const auto byte = static_cast<unsigned char>(c);
      std::uint32_t next = child(node, byte);
      if (next == 0) {
        next = static_cast<std::uint32_t>(nodes_.size());
        nodes_.emplace_back();
        auto& children = nodes_[node].children;
        children.insert(std::upper_bound(children.begin(), children.end(), std::make_pair(byte, 0u)),
                        {byte, next});
      }
      node = next;
    }
    nodes_[node].token = id;
    starts_token_[static_cast<unsigned char>(content.front())] = true;
  }
}

std::uint32_t AddedTokenMatcher::child(std::uint32_t node, unsigned char byte) const {
  const auto& children = nodes_[node].children;
  const auto found = std::lower_bound(children.begin(), children.end(), std::make_pair(byte, 0u));
  return found != children.end() && found->first == byte ? found->second : 0;
}

std::optional<AddedTokenMatcher::Match> AddedTokenMatcher::find(std::string_view text,
                                                                std::size_t from) const {
  for (std::size_t begin = from; begin < text.size(); ++begin) {
    if (!starts_token_[static_cast<unsigned char>(text[begin])]) continue;
    std::optional<Match> longest;
    std::uint32_t node = 0;
    for (std::size_t pos = begin; pos < text.size(); ++pos) {
      node = child(node, static_cast<unsigned char>(text[pos]));
      if (node == 0) break;
      if (nodes_[node].token >= 0) longest = Match{begin, pos + 1, nodes_[node].token};
    }
    if (longest) return longest;
  }
  return std::nullopt;
}

}  // namespace evalflow::text::detail
