#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "number_match.hpp"

namespace evalflow::number_match {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != b[i]) return false;
  }
  return true;
}

// Removes Python's digit-group underscores ("1_000"); nullopt when one is not between two digits.
std::optional<std::string> without_underscores(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '_') {
      out.push_back(text[i]);
      continue;
    }
    if (i == 0 || i + 1 == text.size() || !is_digit(text[i - 1]) || !is_digit(text[i + 1]))
      return std::nullopt;
  }
  return out;
}

// [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, the whole text.
bool is_decimal(std::string_view text, bool allow_exponent) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits = 0;
  while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (allow_exponent && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && is_digit(text[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == text.size();
}

std::optional<double> parse_double(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);  // from_chars takes no '+'
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> lenient_number(std::string_view text) {
  text = trimmed(text);
  std::string cleaned;
  for (const char c : text) {
    if (c != ',' && c != '$' && !is_space(c)) cleaned.push_back(c);
  }
  if (!cleaned.empty() && cleaned.back() == '%') cleaned.pop_back();
  if (!cleaned.empty() && cleaned.back() == '.') cleaned.pop_back();  // the full stop after "is 18."
  if (!is_decimal(cleaned, false)) return std::nullopt;
  return parse_double(cleaned);
}

std::optional<double> python_float(std::string_view text) {
  text = trimmed(text);
  std::string_view unsigned_text = text;
  double sign = 1;
  if (!unsigned_text.empty() && (unsigned_text.front() == '+' || unsigned_text.front() == '-')) {
    sign = unsigned_text.front() == '-' ? -1 : 1;
    unsigned_text.remove_prefix(1);
  }
  if (iequals(unsigned_text, "inf") || iequals(unsigned_text, "infinity")) {
    return sign * std::numeric_limits<double>::infinity();
  }
  if (iequals(unsigned_text, "nan")) return std::numeric_limits<double>::quiet_NaN();
  const auto digits = without_underscores(text);
  if (!digits || !is_decimal(*digits, true)) return std::nullopt;
  return parse_double(*digits);
}

std::optional<double> python_int(std::string_view text) {
  const auto digits = without_underscores(trimmed(text));
  if (!digits || digits->find('.') != std::string::npos || !is_decimal(*digits, false)) return std::nullopt;
  return parse_double(*digits);  // exact for GSM8K's integers; huge ones round, as float() of them would
}

Verdict compare(std::string_view prediction, std::string_view gold, Rule rule, double tolerance) {
  if (rule == Rule::kAisbenchGsm8k) {
    const auto reference = python_int(gold);
    Verdict verdict{.correct = prediction == gold, .gold_is_number = reference.has_value()};
    if (!verdict.correct && reference) {
      const auto predicted = python_float(prediction);
      verdict.correct = predicted && std::fabs(*predicted - *reference) < tolerance;
    }
    return verdict;
  }
  const auto reference = lenient_number(gold);
  if (!reference) return {.correct = false, .gold_is_number = false};
  const auto predicted = lenient_number(prediction);
  return {.correct = predicted && std::fabs(*predicted - *reference) < tolerance, .gold_is_number = true};
}

}  // namespace evalflow::number_match
