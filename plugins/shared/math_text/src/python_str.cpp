#include "evalflow/math_text/python_str.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <utility>

namespace evalflow::math_text::py {
namespace {

// Characters that are str.isdigit() without being decimal (category Nd): Numeric_Type=Digit.
// Listed from CPython 3.11's unicodedata (Unicode 14); they are superscripts, subscripts and circled
// or parenthesised digits.
constexpr std::array<std::pair<char32_t, char32_t>, 20> kDigitsOutsideNd = {{
    {0xB2, 0xB3},     {0xB9, 0xB9},       {0x1369, 0x1371},   {0x19DA, 0x19DA},   {0x2070, 0x2070},
    {0x2074, 0x2079}, {0x2080, 0x2089},   {0x2460, 0x2468},   {0x2474, 0x247C},   {0x2488, 0x2490},
    {0x24EA, 0x24EA}, {0x24F5, 0x24FD},   {0x24FF, 0x24FF},   {0x2776, 0x277E},   {0x2780, 0x2788},
    {0x278A, 0x2792}, {0x10A40, 0x10A43}, {0x10E60, 0x10E68}, {0x11052, 0x1105A}, {0x1F100, 0x1F10A},
}};

utf8proc_category_t category(char32_t code_point) {
  if (code_point == kInvalidCodePoint) return UTF8PROC_CATEGORY_CN;
  return utf8proc_category(static_cast<utf8proc_int32_t>(code_point));
}

bool is_digit(char32_t code_point) {
  if (code_point >= '0' && code_point <= '9') return true;
  if (code_point < 0x80) return false;
  if (category(code_point) == UTF8PROC_CATEGORY_ND) return true;
  return std::any_of(kDigitsOutsideNd.begin(), kDigitsOutsideNd.end(), [&](const auto& range) {
    return code_point >= range.first && code_point <= range.second;
  });
}

}  // namespace

Character character_at(std::string_view text, size_t position) {
  const auto lead = static_cast<unsigned char>(text[position]);
  if (lead < 0x80) return {lead, 1};
  utf8proc_int32_t code_point = 0;
  const utf8proc_ssize_t size =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + position),
                       static_cast<utf8proc_ssize_t>(text.size() - position), &code_point);
  if (size <= 0) return {kInvalidCodePoint, 1};
  return {static_cast<char32_t>(code_point), static_cast<size_t>(size)};
}

bool is_valid_utf8(std::string_view text) {
  for (size_t position = 0; position < text.size();) {
    const Character c = character_at(text, position);
    if (c.code_point == kInvalidCodePoint) return false;
    position += c.size;
  }
  return true;
}

bool is_space(char32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_decimal(char32_t code_point) {
  if (code_point < 0x80) return code_point >= '0' && code_point <= '9';
  return category(code_point) == UTF8PROC_CATEGORY_ND;
}

bool is_word(char32_t code_point) {
  if (code_point < 0x80) {
    const auto c = static_cast<char>(code_point);
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  switch (category(code_point)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

size_t length(std::string_view text) {
  size_t characters = 0;
  for (size_t position = 0; position < text.size(); position += character_at(text, position).size)
    ++characters;
  return characters;
}

std::string_view strip(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size()) {
    const Character c = character_at(text, begin);
    if (!is_space(c.code_point)) break;
    begin += c.size;
  }
  // Walk forward to find where the trailing run of whitespace starts: UTF-8 cannot be decoded backwards
  // reliably when stray bytes are present.
  size_t end = begin;
  for (size_t position = begin; position < text.size();) {
    const Character c = character_at(text, position);
    position += c.size;
    if (!is_space(c.code_point)) end = position;
  }
  return text.substr(begin, end - begin);
}

std::string_view rstrip(std::string_view text, char c) {
  while (!text.empty() && text.back() == c) text.remove_suffix(1);
  return text;
}

bool isdigit(std::string_view text) {
  if (text.empty()) return false;
  for (size_t position = 0; position < text.size();) {
    const Character c = character_at(text, position);
    if (!is_digit(c.code_point)) return false;
    position += c.size;
  }
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lowered;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  size_t found = text.find(from);
  if (found == std::string::npos) return;
  std::string result;
  result.reserve(text.size());
  size_t copied = 0;
  while (found != std::string::npos) {
    result.append(text, copied, found - copied);
    result.append(to);
    copied = found + from.size();
    found = text.find(from, copied);
  }
  result.append(text, copied);
  text = std::move(result);
}

std::vector<std::string_view> split(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t found = text.find(separator); found != std::string_view::npos;
       found = text.find(separator, start)) {
    pieces.push_back(text.substr(start, found - start));
    start = found + separator.size();
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

size_t count(std::string_view text, std::string_view part) {
  size_t occurrences = 0;
  for (size_t found = text.find(part); found != std::string_view::npos;
       found = text.find(part, found + part.size())) {
    ++occurrences;
  }
  return occurrences;
}

}  // namespace evalflow::math_text::py
