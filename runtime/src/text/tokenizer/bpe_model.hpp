// Byte-level BPE: turns one pre-tokenised piece (raw bytes) into vocabulary ids by applying merges in rank
// order, lowest rank first and leftmost first among equals, exactly as HuggingFace's BPE::merge_word does.
#pragma once

#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include <evalflow/text/tokenizer.hpp>

#include "tokenizer/merge_table.hpp"
#include "tokenizer/vocabulary.hpp"
#include "tokenizer/word_cache.hpp"

namespace evalflow::text::detail {

class BpeModel {
 public:
  // `vocabulary` maps byte-level token strings to ids; `merges` are (left, right) token strings in rank
  // order. Throws std::invalid_argument when a byte has no token or a merge names an unknown token.
  BpeModel(Vocabulary vocabulary, const std::vector<std::pair<std::string_view, std::string_view>>& merges,
           bool ignore_merges);

  // Appends the ids of `piece` (raw bytes, not byte-level characters) to `out`.
  void encode_piece(std::string_view piece, std::vector<TokenId>& out) const;

  [[nodiscard]] const Vocabulary& vocabulary() const { return vocabulary_; }

 private:
  void merge(std::string_view piece, std::vector<TokenId>& out) const;

  Vocabulary vocabulary_;
  std::array<TokenId, 256> byte_ids_{};
  MergeTable merges_;
  bool ignore_merges_ = false;
  WordCache cache_;
};

}  // namespace evalflow::text::detail
