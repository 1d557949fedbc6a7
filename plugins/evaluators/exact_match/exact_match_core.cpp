#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "exact_match.hpp"

namespace evalflow::exact_match {
namespace {

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Unicode case folding (with NFC so that composed and decomposed forms agree); nullopt for invalid UTF-8.
std::optional<std::string> case_folded(std::string_view text) {
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t size = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
      &folded, static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  if (size < 0) return std::nullopt;
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(folded, &std::free);
  return std::string(reinterpret_cast<const char*>(folded), static_cast<size_t>(size));
}

}  // namespace

bool matches(std::string_view prediction, std::string_view gold, const MatchOptions& options) {
  if (options.trim) {
    prediction = trim(prediction);
    gold = trim(gold);
  }
  if (!options.case_insensitive) return prediction == gold;
  // The common case costs no allocation.
  if (is_ascii(prediction) && is_ascii(gold)) {
    return prediction.size() == gold.size() &&
           std::equal(prediction.begin(), prediction.end(), gold.begin(),
                      [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  }
  const auto folded_prediction = case_folded(prediction);
  const auto folded_gold = case_folded(gold);
  if (!folded_prediction || !folded_gold) return prediction == gold;  // invalid UTF-8: compare the bytes
  return *folded_prediction == *folded_gold;
}

}  // namespace evalflow::exact_match
