#include "verdict.hpp"

#include <cctype>
#include <string>

namespace evalflow::llm_judge {

namespace {

bool is_decoration(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '*' || c == '_' || c == '`' || c == '"' ||
         c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' || c == '#';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_decoration(text.front())) text.remove_prefix(1);
  while (!text.empty() && (is_decoration(text.back()) || text.back() == '.')) text.remove_suffix(1);
  return text;
}

bool is_word(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<bool> parse_verdict(std::string_view judge_output) {
  constexpr std::string_view kThinkEnd = "</think>";
  if (const size_t end = judge_output.rfind(kThinkEnd); end != std::string_view::npos)
    judge_output.remove_prefix(end + kThinkEnd.size());
  const std::string_view text = trimmed(judge_output);
  if (text.empty()) return std::nullopt;
  const char letter = text.front();
  const bool letter_alone = text.size() == 1 || std::isalnum(static_cast<unsigned char>(text[1])) == 0;
  if (letter_alone && (letter == 'A' || letter == 'B')) return letter == 'A';
  if (is_word(text, "CORRECT")) return true;
  if (is_word(text, "INCORRECT")) return false;
  return std::nullopt;
}

}  // namespace evalflow::llm_judge
