#include "strip_string.hpp"

#include <evalflow/math_text/python_re.hpp>
#include <evalflow/math_text/python_str.hpp>

namespace evalflow::math_string {
namespace {

namespace py = math_text::py;

std::string_view first_character(std::string_view text) {
  return text.substr(0, py::character_at(text, 0).size);
}

// Python 3.11 refuses to convert a string of more than 4300 digits to int (ValueError), and
// _fix_a_slash_b then leaves the string as it is.
constexpr size_t kPythonIntMaxStrDigits = 4300;

// True when Python's '{}'.format(int(text)) gives text back.
bool is_python_int_literal(std::string_view text) {
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > kPythonIntMaxStrDigits) return false;
  // No leading zeros, and no "-0" (Python prints it as "0").
  if (text.front() == '0' && (text.size() > 1 || negative)) return false;
  return text.find_first_not_of("0123456789") == std::string_view::npos;
}

// _remove_right_units: everything before "\text{ "; raises when it occurs more than once.
std::optional<std::string> remove_right_units(std::string string) {
  constexpr std::string_view kUnitsStart = "\\text{ ";
  const size_t found = string.find(kUnitsStart);
  if (found == std::string::npos) return string;
  if (string.find(kUnitsStart, found + kUnitsStart.size()) != std::string::npos) return std::nullopt;
  string.resize(found);
  return string;
}

// _fix_sqrt (v1): "\sqrt3" -> "\sqrt{3}", one character; raises (IndexError) on an empty piece after
// "\sqrt".
std::optional<std::string> fix_sqrt_v1(const std::string& string) {
  if (!py::contains(string, "\\sqrt")) return string;
  const auto pieces = py::split(string, "\\sqrt");
  std::string result(pieces[0]);
  for (size_t i = 1; i < pieces.size(); ++i) {
    const std::string_view piece = pieces[i];
    if (piece.empty()) return std::nullopt;
    if (piece.front() == '{') {
      result.append("\\sqrt").append(piece);
    } else {
      const std::string_view first = first_character(piece);
      result.append("\\sqrt{").append(first).append("}").append(piece.substr(first.size()));
    }
  }
  return result;
}

// _fix_sqrt_v2: re.sub(r'\\sqrt(\w+)', r'\\sqrt{\1}', string), \w being Unicode word characters.
std::string fix_sqrt_v2(std::string_view string) {
  constexpr std::string_view kSqrt = "\\sqrt";
  std::string result;
  size_t copied = 0;
  size_t search_from = 0;
  for (size_t start = string.find(kSqrt); start != std::string_view::npos;
       start = string.find(kSqrt, search_from)) {
    size_t word_end = start + kSqrt.size();
    while (word_end < string.size()) {
      const py::Character c = py::character_at(string, word_end);
      if (!py::is_word(c.code_point)) break;
      word_end += c.size;
    }
    search_from = start + 1;
    if (word_end == start + kSqrt.size()) continue;
    const size_t word_start = start + kSqrt.size();
    result.append(string.substr(copied, start - copied));
    result.append("\\sqrt{").append(string.substr(word_start, word_end - word_start)).append("}");
    copied = search_from = word_end;
  }
  if (copied == 0) return std::string(string);
  result.append(string.substr(copied));
  return result;
}

// re.sub(r'\\text{.*?}$', '', string) on a string without newlines: from the first "\text{" to the
// end, when the string ends with '}' (which then necessarily lies after that "\text{").
std::string_view without_trailing_text(std::string_view string) {
  const size_t found = string.find("\\text{");
  if (found == std::string_view::npos || !string.ends_with('}')) return string;
  return string.substr(0, found);
}

// re.sub(r'(\d+)\.0+([^\d])', r'\1\2', string) then re.sub(r'(\d+)\.0+$', r'\1', string).
std::string drop_zero_decimals(std::string_view string) {
  std::string result;
  size_t copied = 0;
  size_t position = 0;
  while (position < string.size()) {
    const py::Character c = py::character_at(string, position);
    if (!py::is_decimal(c.code_point)) {
      position += c.size;
      continue;
    }
    // A match starting inside a run of digits fails exactly like one starting at the run's first digit.
    size_t run_end = position;
    while (run_end < string.size()) {
      const py::Character digit = py::character_at(string, run_end);
      if (!py::is_decimal(digit.code_point)) break;
      run_end += digit.size;
    }
    position = run_end;
    if (run_end + 1 >= string.size() || string[run_end] != '.' || string[run_end + 1] != '0') continue;
    size_t zeros_end = run_end + 1;
    while (zeros_end < string.size() && string[zeros_end] == '0') ++zeros_end;
    if (zeros_end == string.size()) continue;
    const py::Character after = py::character_at(string, zeros_end);
    if (py::is_decimal(after.code_point)) continue;
    result.append(string.substr(copied, run_end - copied));
    result.append(string.substr(zeros_end, after.size));
    copied = position = zeros_end + after.size;
  }
  result.append(string.substr(copied));

  const size_t zeros_start = result.find_last_not_of('0') + 1;
  if (zeros_start == result.size() || zeros_start < 2 || result[zeros_start - 1] != '.') return result;
  const size_t dot = zeros_start - 1;
  // The character before the dot, found walking forwards (stray bytes make walking back ambiguous).
  py::Character before{py::kInvalidCodePoint, 0};
  for (size_t at = 0; at < dot; at += before.size) before = py::character_at(result, at);
  if (py::is_decimal(before.code_point)) result.resize(dot);
  return result;
}

// "k = 5" -> " 5": a left side of at most two characters is a variable name.
void drop_short_left_side(std::string& string) {
  const size_t equals = string.find('=');
  if (equals == std::string::npos || string.find('=', equals + 1) != std::string::npos) return;
  if (py::length(std::string_view(string).substr(0, equals)) <= 2) string.erase(0, equals + 1);
}

void prefix_leading_dot_with_zero(std::string& string) {
  if (string.starts_with('.')) string.insert(0, "0");
}

void replace_frac_variants_and_delimiters(std::string& string) {
  py::replace_all(string, "tfrac", "frac");
  py::replace_all(string, "dfrac", "frac");
  py::replace_all(string, "\\left", "");
  py::replace_all(string, "\\right", "");
}

}  // namespace

std::string fix_fracs(std::string_view string) {
  const auto pieces = py::split(string, "\\frac");
  std::string result(pieces[0]);
  for (size_t i = 1; i < pieces.size(); ++i) {
    const std::string_view piece = pieces[i];
    result.append("\\frac");
    if (!piece.empty() && piece.front() == '{') {
      result.append(piece);
      continue;
    }
    if (piece.empty()) return std::string(string);
    const std::string_view a = first_character(piece);
    if (a.size() == piece.size()) return std::string(string);
    const std::string_view b = first_character(piece.substr(a.size()));
    const std::string_view rest = piece.substr(a.size() + b.size());
    result.append("{").append(a).append("}");
    if (b != "{") {
      result.append("{").append(b).append("}");
    } else {
      result.append(b);
    }
    result.append(rest);
  }
  return result;
}

std::string fix_a_slash_b(std::string_view string) {
  const size_t slash = string.find('/');
  if (slash == std::string_view::npos || string.find('/', slash + 1) != std::string_view::npos) {
    return std::string(string);
  }
  const std::string_view numerator = string.substr(0, slash);
  const std::string_view denominator = string.substr(slash + 1);
  if (!is_python_int_literal(numerator) || !is_python_int_literal(denominator)) return std::string(string);
  std::string result = "\\frac{";
  result.append(numerator).append("}{").append(denominator).append("}");
  return result;
}

std::optional<std::string> strip_string_v1(std::string_view input) {
  std::string string(input);
  py::replace_all(string, "\n", "");
  py::replace_all(string, "\\!", "");
  py::replace_all(string, "\\\\", "\\");
  replace_frac_variants_and_delimiters(string);
  py::replace_all(string, "^{\\circ}", "");
  py::replace_all(string, "^\\circ", "");
  py::replace_all(string, "\\$", "");
  std::optional<std::string> without_units = remove_right_units(std::move(string));
  if (!without_units) return std::nullopt;
  string = std::move(*without_units);
  // AISBench removes "\%" twice; the second pass catches a "\%" that the first one joined.
  py::replace_all(string, "\\%", "");
  py::replace_all(string, "\\%", "");
  py::replace_all(string, " .", " 0.");
  py::replace_all(string, "{.", "{0.");
  if (string.empty()) return string;
  prefix_leading_dot_with_zero(string);
  drop_short_left_side(string);
  std::optional<std::string> with_sqrt_braces = fix_sqrt_v1(string);
  if (!with_sqrt_braces) return std::nullopt;
  string = std::move(*with_sqrt_braces);
  py::replace_all(string, " ", "");
  string = fix_fracs(string);
  if (string == "0.5") string = "\\frac{1}{2}";
  return fix_a_slash_b(string);
}

std::string strip_string_v2(std::string_view input) {
  std::string string(py::strip(input));
  py::replace_all(string, "\n", "");
  string.resize(py::rstrip(string, '.').size());
  py::replace_all(string, "\\!", "");
  py::replace_all(string, "\\ ", "");
  py::replace_all(string, "\\\\", "\\");
  py::replace_all(string, "\\\\", "\\");
  replace_frac_variants_and_delimiters(string);

  // A trailing \text{...} is a unit, removed unless nothing else is left.
  const std::string_view without_unit = py::strip(without_trailing_text(string));
  if (!without_unit.empty() && without_unit != string) string = std::string(without_unit);

  py::replace_all(string, "^{\\circ}", "");
  py::replace_all(string, "^\\circ", "");
  py::replace_all(string, "\\$", "");
  py::replace_all(string, "$", "");
  py::replace_all(string, "\\text", "");
  py::replace_all(string, "x\\in", "");
  py::replace_all(string, "\\%", "");
  py::replace_all(string, "\\%", "");
  py::replace_all(string, "%", "");
  py::replace_all(string, " .", " 0.");
  py::replace_all(string, "{.", "{0.");
  py::replace_all(string, "\\cdot", "");
  py::replace_all(string, "infinity", "\\infty");
  if (!py::contains(string, "\\infty")) py::replace_all(string, "inf", "\\infty");
  py::replace_all(string, "+\\inity", "\\infty");
  py::replace_all(string, "and", "");
  py::replace_all(string, "\\mathbf", "");
  string = py::sub_lazy(string, "\\mbox{", "}", py::Keep::nothing);
  // (AISBench's quote removal discards its result, so quotes stay.)
  if (py::contains(string, "j") && !py::contains(string, "i")) py::replace_all(string, "j", "i");
  string = drop_zero_decimals(string);
  if (string.empty()) return string;
  prefix_leading_dot_with_zero(string);
  drop_short_left_side(string);
  string = fix_sqrt_v2(string);
  py::replace_all(string, " ", "");
  string = fix_fracs(string);
  return fix_a_slash_b(string);
}

}  // namespace evalflow::math_string
