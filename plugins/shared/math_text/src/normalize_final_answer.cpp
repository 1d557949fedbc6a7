#include "evalflow/math_text/normalize_final_answer.hpp"

#include <optional>
#include <utility>

#include "evalflow/math_text/python_re.hpp"
#include "evalflow/math_text/python_str.hpp"

namespace evalflow::math_text {
namespace {

using Replacement = std::pair<std::string_view, std::string_view>;

constexpr Replacement kSubstitutions[] = {
    {"an ", ""},   {"a ", ""},       {".$", "$"},           {"\\$", ""},          {"\\ ", ""},
    {" ", ""},     {"mbox", "text"}, {",\\text{and}", ","}, {"\\text{and}", ","}, {"\\text{m}", "\\text{}"},
    {"\\le", "<"},
};

constexpr std::string_view kRemovedExpressions[] = {
    "square",       "ways",
    "integers",     "dollars",
    "mph",          "inches",
    "ft",           "hours",
    "km",           "units",
    "\\ldots",      "sue",
    "points",       "feet",
    "minutes",      "digits",
    "cents",        "degrees",
    "cm",           "gm",
    "pounds",       "meters",
    "meals",        "edges",
    "students",     "childrentickets",
    "multiples",    "\\text{s}",
    "\\text{.}",    "\\text{\ns}",
    "\\text{}^2",   "\\text{}^3",
    "\\text{\n}",   "\\text{}",
    "\\mathrm{th}", "^\\circ",
    "^{\\circ}",    "\\;",
    ",\\!",         "{,}",
    "\"",           "\\dots",
    "\n",           "\r",
    "\f",
};

// re.sub(r'(\\boxed\{)(.*)(\})', r'\2', text): the greedy group runs to the last '}' of the text, so
// there is at most one match.
std::string unwrap_boxed_greedily(std::string_view text) {
  constexpr std::string_view kOpen = "\\boxed{";
  const size_t start = text.find(kOpen);
  const size_t end = text.rfind('}');
  if (start == std::string_view::npos || end == std::string_view::npos || end < start + kOpen.size()) {
    return std::string(text);
  }
  std::string result(text.substr(0, start));
  result.append(text.substr(start + kOpen.size(), end - start - kOpen.size()));
  result.append(text.substr(end + 1));
  return result;
}

// re.findall(r'answer?is:?(.*)', text)[-1]: (.*) runs to the end, so the leftmost match is the only one.
std::optional<std::string_view> after_answer_is(std::string_view text) {
  for (size_t start = text.find("answe"); start != std::string_view::npos;
       start = text.find("answe", start + 1)) {
    const std::string_view rest = text.substr(start + 5);
    size_t group = std::string_view::npos;
    if (rest.starts_with("ris")) {
      group = start + 8;
    } else if (rest.starts_with("is")) {
      group = start + 7;
    }
    if (group == std::string_view::npos) continue;
    if (group < text.size() && text[group] == ':') ++group;
    return text.substr(group);
  }
  return std::nullopt;
}

// re.sub(r'(frac)([^{])(.)', r'frac{\2}{\3}', text) when `with_second` and
// re.sub(r'(sqrt)([^{])', r'sqrt{\2}', text) otherwise; the groups are characters, not bytes.
std::string brace_shorthand(std::string_view text, std::string_view command, bool with_second) {
  std::string result;
  size_t copied = 0;
  size_t search_from = 0;
  for (size_t start = text.find(command); start != std::string_view::npos;
       start = text.find(command, search_from)) {
    search_from = start + 1;
    const size_t first_at = start + command.size();
    if (first_at >= text.size() || text[first_at] == '{') continue;
    const py::Character first = py::character_at(text, first_at);
    size_t end = first_at + first.size;
    std::string_view second;
    if (with_second) {
      if (end >= text.size() || text[end] == '\n') continue;
      second = text.substr(end, py::character_at(text, end).size);
      end += second.size();
    }
    result.append(text.substr(copied, start - copied));
    result.append(command);
    result.append("{").append(text.substr(first_at, first.size)).append("}");
    if (with_second) result.append("{").append(second).append("}");
    copied = end;
    search_from = end;
  }
  if (copied == 0) return std::string(text);
  result.append(text.substr(copied));
  return result;
}

}  // namespace

std::string normalize_final_answer(std::string_view final_answer) {
  std::string answer(final_answer);
  for (const auto& [before, after] : kSubstitutions) py::replace_all(answer, before, after);
  for (std::string_view expression : kRemovedExpressions) py::replace_all(answer, expression, "");

  answer = py::sub_lazy(answer, "\\text{(", ")}", py::Keep::inner);
  answer = py::sub_lazy(answer, "\\text{", "}", py::Keep::inner);
  answer = py::sub_lazy(answer, "\\textbf{", "}", py::Keep::inner);
  answer = py::sub_lazy(answer, "\\overline{", "}", py::Keep::inner);
  answer = unwrap_boxed_greedily(answer);

  // AISBench asserts here that no line break is left; the removals above guarantee it.
  if (const size_t found = answer.find("finalansweris"); found != std::string::npos) {
    answer.erase(0, found + std::string_view("finalansweris").size());
  }
  if (auto rest = after_answer_is(answer)) answer = std::string(*rest);
  if (auto boxed = py::findall_last_lazy(answer, "oxed{", "}")) answer = std::string(*boxed);
  if (auto math = py::findall_last_lazy(answer, "$", "$")) answer = std::string(*math);
  answer = std::string(py::strip(answer));

  if (py::contains(answer, "rac") && !py::contains(answer, "\\frac")) {
    py::replace_all(answer, "rac", "\\frac");
  }
  answer = brace_shorthand(answer, "frac", true);
  answer = brace_shorthand(answer, "sqrt", false);
  py::replace_all(answer, "$", "");

  std::string without_commas = answer;
  py::replace_all(without_commas, ",", "");
  if (py::isdigit(without_commas)) return without_commas;
  return answer;
}

}  // namespace evalflow::math_text
