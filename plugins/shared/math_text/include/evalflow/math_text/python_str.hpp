// Python 3 `str` semantics over UTF-8 text, for code that must behave exactly like a Python original.
//
// Substring operations (find, replace, split, `in`) give the same result on UTF-8 bytes as on code
// points, because UTF-8 is self-synchronising. What differs is everything that counts or classifies
// characters: len(), s[0], str.strip(), isdigit(), and the regex classes \d and \w. Those live here.
// A byte that is not part of valid UTF-8 counts as one character of no class (Python would never see
// one: its strings are decoded first).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::math_text::py {

// One decoded character: its code point (kInvalidCodePoint for a stray byte) and its size in bytes.
struct Character {
  char32_t code_point;
  size_t size;
};
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// The character that starts at byte `position` (which must be < text.size()).
Character character_at(std::string_view text, size_t position);

// True when the text is valid UTF-8, i.e. holds no stray byte: such text gives valid UTF-8 back from
// every function of math_text, which the fuzzers check.
bool is_valid_utf8(std::string_view text);

// str.isspace() for one character: Python's whitespace set, not C's.
bool is_space(char32_t code_point);
// The regex class \d of a str pattern: Unicode category Nd.
bool is_decimal(char32_t code_point);
// The regex class \w of a str pattern: letters, numbers and '_' (str.isalnum() or '_').
bool is_word(char32_t code_point);

// len(text): the number of characters.
size_t length(std::string_view text);
// str.strip() without arguments.
std::string_view strip(std::string_view text);
// str.rstrip(c) for one ASCII character.
std::string_view rstrip(std::string_view text, char c);
// str.isdigit(): non-empty and every character a digit (Nd, plus superscripts, circled digits...).
bool isdigit(std::string_view text);
// str.lower() restricted to ASCII. Exact for matching ASCII phrases: no non-ASCII character lowers to
// an ASCII letter sequence that could complete one (U+0130 lowers to "i" + U+0307, U+212A to "k").
std::string ascii_lower(std::string_view text);

bool contains(std::string_view text, std::string_view part);
// str.replace(old, new): one left-to-right pass over non-overlapping occurrences; the result is not
// rescanned. `from` must not be empty.
void replace_all(std::string& text, std::string_view from, std::string_view to);
// str.split(separator) with a non-empty separator.
std::vector<std::string_view> split(std::string_view text, std::string_view separator);
// str.count(part) with a non-empty part.
size_t count(std::string_view text, std::string_view part);

}  // namespace evalflow::math_text::py
