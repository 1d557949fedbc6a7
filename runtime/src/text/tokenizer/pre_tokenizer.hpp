// The pre-tokenizer: splits normalised text into the pieces that BPE merges independently.
//
// HuggingFace runs its Split regexes on Oniguruma; evalflow runs them on PCRE2 (JIT). Both are
// backtracking engines with the same leftmost-first alternation and Unicode 14 property tables. They differ
// in `\s`: PCRE2 also counts U+180E as space, so the pattern is translated to spell Oniguruma's set out, and
// escapes whose meaning differs (\w, \b, \h ...) are refused instead of silently matching differently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::text::detail {

// A byte range [begin, end) of the text being pre-tokenised.
struct Piece {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

// `pattern` (Oniguruma syntax as written in tokenizer.json) rewritten for PCRE2.
// Throws std::invalid_argument naming the construct it cannot translate faithfully.
std::string oniguruma_to_pcre2(std::string_view pattern);

// One "Split" step with behaviour "Isolated": every match and every gap between matches is a piece.
class IsolatingSplit {
 public:
  // `pattern` is a regex in Oniguruma syntax, or with `literal` a plain string.
  // Throws std::invalid_argument when PCRE2 cannot compile it.
  IsolatingSplit(std::string_view pattern, bool literal);

  // Appends the pieces of `text[piece]` to `out`.
  void split(std::string_view text, Piece piece, std::vector<Piece>& out) const;

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
};

class PreTokenizer {
 public:
  void add_step(IsolatingSplit step) { steps_.push_back(std::move(step)); }

  // Replaces `pieces` with the pieces of `text`, in order; together they cover every byte of `text`.
  void split(std::string_view text, std::vector<Piece>& pieces) const;

 private:
  std::vector<IsolatingSplit> steps_;
};

}  // namespace evalflow::text::detail
