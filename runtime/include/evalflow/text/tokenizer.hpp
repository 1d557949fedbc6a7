// A byte-level BPE tokenizer read from a HuggingFace `tokenizer.json`, producing the same ids as the
// HuggingFace `tokenizers` library for the Qwen2/Qwen3 and DeepSeek families (and GPT-2-style files).
//
// Supported pieces of the format: normalizers NFC/NFD/NFKC/NFKD and Sequence; pre-tokenizers Split (regex
// or string, behaviour Isolated), ByteLevel and Sequence; model BPE (merges as "a b" strings or [a, b] pairs,
// ignore_merges); decoder ByteLevel; added tokens without lstrip/rstrip/single_word. Anything else is
// refused when the file is loaded, naming the file and the JSON path, so that a tokenizer never silently
// produces different ids from HuggingFace's. The post-processor is not applied (see encode).
//
// A Tokenizer is cheap to copy (copies share one immutable model and one internally locked cache) and
// encode/decode may be called from many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::text {

namespace detail {
struct TokenizerModel;
}

using TokenId = std::int32_t;

// A tokenizer file that cannot be read, or text that cannot be encoded (invalid UTF-8).
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AddedToken {
  TokenId id = 0;
  std::string content;
  bool special = false;
  bool normalized = false;
};

class Tokenizer {
 public:
  // Reads `path` (a tokenizer.json). Throws TokenizerError naming the file and what is wrong.
  static Tokenizer from_file(const std::filesystem::path& path);
  // Parses tokenizer.json text; `origin` names it in error messages.
  static Tokenizer from_json(std::string_view json_text, std::string_view origin);

  // The ids of `text`, as HuggingFace's `encode(text, add_special_tokens=False).ids`: added tokens (special
  // or not) written in the text are matched first, the rest is normalised, pre-tokenised and BPE-merged.
  // Throws TokenizerError if `text` is not valid UTF-8.
  [[nodiscard]] std::vector<TokenId> encode(std::string_view text) const;

  // The text of `ids`, as HuggingFace's `decode(ids, skip_special_tokens)`: unknown ids are skipped and
  // byte sequences that are not valid UTF-8 become U+FFFD, one per maximal invalid subsequence.
  [[nodiscard]] std::string decode(std::span<const TokenId> ids, bool skip_special_tokens = false) const;

  [[nodiscard]] std::optional<TokenId> token_to_id(std::string_view token) const;
  // The token string as stored in the vocabulary (byte-level form, e.g. "Ġthe"), or the added token.
  [[nodiscard]] std::optional<std::string> id_to_token(TokenId id) const;
  [[nodiscard]] bool is_special(TokenId id) const;
  [[nodiscard]] const std::vector<AddedToken>& added_tokens() const;
  // One more than the largest id, counting added tokens.
  [[nodiscard]] std::size_t vocab_size() const;

 private:
  explicit Tokenizer(std::shared_ptr<const detail::TokenizerModel> model);
  std::shared_ptr<const detail::TokenizerModel> model_;
};

}  // namespace evalflow::text
