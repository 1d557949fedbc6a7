#include "evalflow/math_text/boxed.hpp"

namespace evalflow::math_text {
namespace {

constexpr std::string_view kBoxed = "\\boxed";
constexpr std::string_view kFbox = "\\fbox";

// `re.match(r'^\{(.*)\}$', answer)`: the group, or nullopt when the pattern does not match.
std::optional<std::string_view> inside_outer_braces(std::string_view answer) {
  if (answer.size() < 2 || answer.front() != '{') return std::nullopt;
  const size_t first_newline = answer.find('\n', 1);
  if (first_newline == std::string_view::npos) {
    if (answer.back() != '}') return std::nullopt;
    return answer.substr(1, answer.size() - 2);
  }
  // '.' cannot cross a newline, so the only way left is '$' matching before a newline that ends the text.
  if (first_newline != answer.size() - 1 || first_newline < 2 || answer[first_newline - 1] != '}') {
    return std::nullopt;
  }
  return answer.substr(1, first_newline - 2);
}

}  // namespace

std::optional<std::string_view> last_boxed_only_string(std::string_view text) {
  size_t start = text.rfind(kBoxed);
  if (start == std::string_view::npos) start = text.rfind(kFbox);
  if (start == std::string_view::npos) return std::nullopt;
  long open_braces = 0;
  for (size_t position = start; position < text.size(); ++position) {
    if (text[position] == '{') {
      ++open_braces;
    } else if (text[position] == '}') {
      if (--open_braces == 0) return text.substr(start, position + 1 - start);
    }
  }
  return std::nullopt;
}

std::optional<std::string> extract_boxed_answer(std::string_view text, bool strip_double_curly_brace) {
  const std::optional<std::string_view> boxed = last_boxed_only_string(text);
  if (!boxed) return std::nullopt;
  std::string_view answer;
  if (boxed->starts_with("\\boxed{")) {
    answer = boxed->substr(kBoxed.size() + 1, boxed->size() - kBoxed.size() - 2);
  } else if (boxed->starts_with("\\fbox{")) {
    answer = boxed->substr(kFbox.size() + 1, boxed->size() - kFbox.size() - 2);
  } else {
    return std::nullopt;
  }
  if (strip_double_curly_brace) {
    if (auto inner = inside_outer_braces(answer)) answer = *inner;
  }
  return std::string(answer);
}

}  // namespace evalflow::math_text
