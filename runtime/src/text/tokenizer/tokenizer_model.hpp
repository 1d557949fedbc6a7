// Everything a loaded tokenizer.json holds, immutable once built and shared by every Tokenizer copy.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <evalflow/text/tokenizer.hpp>

#include "tokenizer/added_vocabulary.hpp"
#include "tokenizer/bpe_model.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/pre_tokenizer.hpp"

namespace evalflow::text::detail {

struct TokenizerModel {
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  std::optional<BpeModel> bpe;
  std::vector<AddedToken> added_tokens;
  AddedTokenMatcher raw_added_tokens;         // normalized=false: matched on the text as given
  AddedTokenMatcher normalized_added_tokens;  // normalized=true: matched on the normalised text
  // Indexed by id; an id that names no token has an empty `token_text` and `known` false.
  std::vector<std::string_view> token_text;
  std::vector<std::string> token_bytes;
  std::vector<char> known;
  std::vector<char> special;
};

// Builds the model from tokenizer.json. `origin` names the file in every error message.
// Throws TokenizerError.
std::shared_ptr<const TokenizerModel> load_tokenizer_file(const std::filesystem::path& path);
std::shared_ptr<const TokenizerModel> load_tokenizer_text(std::string_view json_text,
                                                          std::string_view origin);

}  // namespace evalflow::text::detail
