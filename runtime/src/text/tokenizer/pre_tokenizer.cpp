#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pre_tokenizer.hpp"

#include <pcre2.h>

#include <stdexcept>

namespace evalflow::text::detail {
namespace {

// Oniguruma's Unicode \s: U+0009-000D, U+0085 and the Zs/Zl/Zp categories (Unicode 14), without U+180E.
constexpr std::string_view kOnigurumaSpaces =
    R"(\t\n\x{0B}\f\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

std::string pcre2_error_text(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

// Per-thread PCRE2 state: match data for one pair of offsets and a JIT stack large enough for the
// long whitespace runs that `\s+(?!\S)` backtracks over.
struct MatchScratch {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);

  MatchScratch() { pcre2_jit_stack_assign(context, nullptr, jit_stack); }
  ~MatchScratch() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;
};

MatchScratch& match_scratch() {
  thread_local MatchScratch scratch;
  return scratch;
}

}  // namespace

std::string oniguruma_to_pcre2(std::string_view pattern) {
  std::string translated;
  translated.reserve(pattern.size() + 64);
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char escaped = pattern[++i];
      switch (escaped) {
        case 's':
          translated += in_class ? std::string(kOnigurumaSpaces) : "[" + std::string(kOnigurumaSpaces) + "]";
          continue;
        case 'S':
          if (in_class) throw std::invalid_argument("\\S inside a character class is not supported");
          translated += "[^" + std::string(kOnigurumaSpaces) + "]";
          continue;
        case 'w':
        case 'W':
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'X':
        case 'R':
          throw std::invalid_argument(std::string("the escape \\") + escaped +
                                      " means different things in Oniguruma and PCRE2");
        default:
          translated += c;
          translated += escaped;
          continue;
      }
    }
    if (!in_class && c == '[') {
      in_class = true;
      translated += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') translated += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') translated += pattern[++i];
      continue;
    }
    if (in_class && c == '[') throw std::invalid_argument("nested character classes are not supported");
    if (in_class && c == ']') in_class = false;
    translated += c;
  }
  return translated;
}

struct IsolatingSplit::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

IsolatingSplit::IsolatingSplit(std::string_view pattern, bool literal) {
  const std::string source = literal ? std::string(pattern) : oniguruma_to_pcre2(pattern);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  const uint32_t options = PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0);
  auto compiled = std::make_shared<Compiled>();
  compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options,
                                 &error_code, &error_offset, nullptr);
  if (compiled->code == nullptr) {
    throw std::invalid_argument("PCRE2 cannot compile the pattern at offset " + std::to_string(error_offset) +
                                ": " + pcre2_error_text(error_code));
  }
  // Without JIT (an unusual PCRE2 build) pcre2_match interprets the pattern: slower, same result.
  pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE);
  compiled_ = std::move(compiled);
}

void IsolatingSplit::split(std::string_view text, Piece piece, std::vector<Piece>& out) const {
  MatchScratch& scratch = match_scratch();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + piece.begin);
  const PCRE2_SIZE length = piece.end - piece.begin;
  PCRE2_SIZE gap_start = 0;
  PCRE2_SIZE search_from = 0;
  while (search_from < length) {
    const int result = pcre2_match(compiled_->code, subject, length, search_from, PCRE2_NO_UTF_CHECK,
                                   scratch.data, scratch.context);
    if (result == PCRE2_ERROR_NOMATCH) break;
    if (result < 0) throw std::runtime_error("PCRE2 matching failed: " + pcre2_error_text(result));
    const PCRE2_SIZE* offsets = pcre2_get_ovector_pointer(scratch.data);
    const PCRE2_SIZE match_begin = offsets[0];
    const PCRE2_SIZE match_end = offsets[1];
    if (match_end == match_begin) {
      // An empty match produces no piece; step over one whole character and search again.
      search_from = match_begin + 1;
      while (search_from < length && (subject[search_from] & 0xC0) == 0x80) ++search_from;
      continue;
    }
    if (match_begin > gap_start) {
      out.push_back(
          {piece.begin + static_cast<uint32_t>(gap_start), piece.begin + static_cast<uint32_t>(match_begin)});
    }
    out.push_back(
        {piece.begin + static_cast<uint32_t>(match_begin), piece.begin + static_cast<uint32_t>(match_end)});
    gap_start = search_from = match_end;
  }
  if (gap_start < length) out.push_back({piece.begin + static_cast<uint32_t>(gap_start), piece.end});
}

void PreTokenizer::split(std::string_view text, std::vector<Piece>& pieces) const {
  pieces.clear();
  if (text.empty()) return;
  pieces.push_back({0, static_cast<std::uint32_t>(text.size())});
  thread_local std::vector<Piece> next;
  for (const IsolatingSplit& step : steps_) {
    next.clear();
    for (const Piece piece : pieces) step.split(text, piece, next);
    pieces.swap(next);
  }
}

}  // namespace evalflow::text::detail
