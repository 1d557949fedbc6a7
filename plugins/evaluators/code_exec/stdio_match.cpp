#include "stdio_match.hpp"

#include <cctype>
#include <optional>
#include <string>
#include <vector>

namespace evalflow::code_exec {
namespace {

// Python's str.strip()/split() white space, ASCII part (non-ASCII white space is not handled).
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\x1c' ||
         c == '\x1d' || c == '\x1e' || c == '\x1f';
}

std::string_view strip(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> stripped_lines(std::string_view text) {
  text = strip(text);
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    lines.push_back(
        strip(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// A Decimal's value in a canonical form where equal values give equal strings; NaN gives "nan" (never
// equal, see below); nullopt when Python's Decimal() would refuse the text.
std::optional<std::string> canonical_decimal(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::string lower;  // CPython's Decimal() drops every '_' before parsing ("1__0", "_1", "1e1_0" are valid)
  for (char c : text) {
    if (c != '_') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "inf" || lower == "infinity") return negative ? "-inf" : "inf";
  if (lower == "nan" || lower == "snan") return "nan";
  std::string digits;
  long long exponent = 0;
  bool any_digit = false;
  bool seen_point = false;
  size_t i = 0;
  for (; i < lower.size() && lower[i] != 'e'; ++i) {
    const char c = lower[i];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      any_digit = true;
      digits += c;
      if (seen_point) --exponent;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      return std::nullopt;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < lower.size()) {  // exponent
    std::string_view rest = std::string_view(lower).substr(i + 1);
    bool negative_exponent = false;
    if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
      negative_exponent = rest[0] == '-';
      rest.remove_prefix(1);
    }
    if (rest.empty() || rest.size() > 17) return std::nullopt;
    long long value = 0;
    for (char c : rest) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    exponent += negative_exponent ? -value : value;
  }
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";  // -0 == 0, whatever the exponent
  digits.erase(0, first);
  while (digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  return std::string(negative ? "-" : "") + digits + "e" + std::to_string(exponent);
}

bool lines_match(std::string_view output, std::string_view expected) {
  if (output == expected) return true;
  const auto output_words = split_words(output);
  const auto expected_words = split_words(expected);
  std::vector<std::string> output_numbers;
  std::vector<std::string> expected_numbers;
  for (auto word : output_words) {
    auto number = canonical_decimal(word);
    if (!number) return false;
    output_numbers.push_back(*number);
  }
  for (auto word : expected_words) {
    auto number = canonical_decimal(word);
    if (!number) return false;
    expected_numbers.push_back(*number);
  }
  if (output_numbers.size() != expected_numbers.size()) return false;
  for (size_t i = 0; i < output_numbers.size(); ++i) {
    if (output_numbers[i] == "nan" || output_numbers[i] != expected_numbers[i]) return false;
  }
  return true;
}

}  // namespace

bool stdio_outputs_match(std::string_view output, std::string_view expected) {
  const auto output_lines = stripped_lines(output);
  const auto expected_lines = stripped_lines(expected);
  if (output_lines.size() != expected_lines.size()) return false;
  for (size_t i = 0; i < output_lines.size(); ++i) {
    if (!lines_match(output_lines[i], expected_lines[i])) return false;
  }
  return true;
}

}  // namespace evalflow::code_exec
