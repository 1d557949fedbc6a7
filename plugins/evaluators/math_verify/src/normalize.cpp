#include "normalize.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

#include "regex.hpp"

namespace evalflow::math_verify {
namespace {

void replace_every(std::string& text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

std::string strip(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

const Regex& left_delimiter() {
  static const Regex regex(
      R"(\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\vert|\\lvert|\\langle|\\llcorner|\\ulcorner))");
  return regex;
}

const Regex& right_delimiter() {
  static const Regex regex(
      R"(\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\rbrack|\\vert|\\rvert|\\rceil|\\rfloor|\\vert|\\rvert|\\rangle|\\lrcorner|\\urcorner))");
  return regex;
}

const Regex& permutation() {
  static const Regex regex(R"(\(([a-zA-Z0-9+\-*/\\ ]+?)\)_{([a-zA-Z0-9+\-*/\\ ]+?)})");
  return regex;
}

const Regex& to_remove() {
  static const Regex regex(R"(\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)["']|\\displaystyle)");
  return regex;
}

// One alternation with a named group per rule, applied in a single left-to-right pass like
// latex2sympy's to_replace_regex. Group names index kReplacements.
struct Replacement {
  const char* name;
  const char* pattern;
  const char* replacement;
};
constexpr Replacement kReplacements[] = {
    {"math", R"(\\math(?:rm|it|bf))", "\\text"},
    {"text", R"(\\text(?:normal|bf|it|rm))", "\\text"},
    {"frac", R"(\\(?:d|t|c)frac)", "\\frac"},
    {"decimal_space", R"(\s\.)", " 0."},
    {"decimal_brace", R"(\{\.)", "{0."},
    {"approx", R"(\~\=)", "\\approx"},
    {"comma", R"(\s*\{\s*,\s*\})", ","},
    {"and_or", R"((?<![a-zA-Z])(,?\s*(?:and|or))(?![a-zA-Z]))", ","},
    {"and_or_text", R"((,?\s*\\text{\s*(?:and|or)\s*}))", ","},
    {"backslash_space", R"((?<!\\)\\\s)", " "},
    {"infinity", R"(infinity)", "\\infty"},
    {"dot", R"(,?(\\ldots))", " "},
    {"percentage", R"(\s*\bpercentage\b)", "%"},
    {"percent", R"(\s*\bpercent\b)", "%"},
    {"pct", R"(\s*\bpct\b)", "%"},
    {"percent_in_text", R"(\\text{percent})", "%"},
    {"pct_in_text", R"(\\text{pct})", "%"},
    {"percentage_in_text", R"(\\text{percentage})", "%"},
    {"inf", R"(((?<!\\)inf(?!inity)))", "\\infty"},
    {"sqrt", R"( sqrt)", "\\sqrt"},
};

const Regex& replacements_regex() {
  static const Regex regex([] {
    std::string pattern;
    for (const Replacement& rule : kReplacements) {
      if (!pattern.empty()) pattern += "|";
      pattern += std::string("(?<") + rule.name + ">" + rule.pattern + ")";
    }
    return pattern;
  }());
  return regex;
}

std::string apply_replacements(std::string_view text) {
  const Regex& regex = replacements_regex();
  static const std::vector<std::pair<int, const char*>> groups = [] {
    std::vector<std::pair<int, const char*>> numbered;
    for (const Replacement& rule : kReplacements) {
      numbered.emplace_back(replacements_regex().group_number(rule.name), rule.replacement);
    }
    return numbered;
  }();
  std::string output;
  Match match(regex);
  size_t last = 0;
  size_t offset = 0;
  while (offset <= text.size() && regex.search(text, offset, match)) {
    output.append(text.substr(last, match.start() - last));
    for (const auto& [number, replacement] : groups) {
      if (match.matched(number)) {
        output += replacement;
        break;
      }
    }
    last = match.end();
    offset = match.end() == match.start() ? match.end() + 1 : match.end();
    if (match.end() == match.start() && match.start() < text.size()) {
      output += text[match.start()];
      last = match.start() + 1;
    }
  }
  if (last < text.size()) output.append(text.substr(last));
  return output;
}

const Regex& command_slash_fix() {
  static const Regex regex(R"(\\\\(?=[a-zA-Z]))");
  return regex;
}

const Regex& equation_split() {
  static const Regex regex(R"((?<!\\|\<|\!|\>)=)");
  return regex;
}

const Regex& unit_superscript() {
  static const Regex regex(R"((\\(?:text|mbox){.*?})(\^\d|\{\^\d\})?$)");
  return regex;
}

// latex2sympy's unit words. "integer" "point" is one word there (a missing comma in its list),
// and we keep it so for parity.
constexpr const char* kUnits[] = {
    "integerpoint",
    "feet",
    "sue",
    "digit",
    "pound",
    "meal",
    "edge",
    "student",
    "children ticket",
    "multiple",
    "east",
    "degree",
    "mph",
    "kmph",
    "ft",
    "m square",
    " m east",
    "sq m",
    "deg",
    "mile",
    "q .",
    "monkey",
    "prime",
    "ratio",
    "profit of rs",
    "rd",
    "o",
    "gm",
    "p . m",
    "lb",
    "tile",
    "per",
    "dm",
    "lt",
    "gain",
    "ab",
    "way",
    "west",
    "a .",
    "b .",
    "c .",
    "d .",
    "e .",
    "f .",
    "g .",
    "h .",
    "t",
    "h",
    "no change",
    "men",
    "soldier",
    "pie",
    "bc",
    "excess",
    "st",
    "inches",
    "noon",
    "cent",
    "by",
    "gal",
    "kmh",
    "c",
    "acre",
    "rise",
    "a . m",
    "th",
    "\xCF\x80 r 2",
    "sq",
    "mark",
    "l",
    "toy",
    "coin",
    "sq . m",
    "gallon",
    "\xC2\xB0 f",
    "profit",
    "minw",
    "yr",
    "women",
    "am",
    "pm",
    "hr",
    "cu cm",
    "square",
    "v \xC3\xA2 \xE2\x82\xAC \xE2\x84\xA2",
    "are",
    "rupee",
    "rounds",
    "cubic",
    "cc",
    "mtr",
    "s",
    "ohm",
    "number",
    "kmph",
    "day",
    "hour",
    "minute",
    "min",
    "second",
    "man",
    "woman",
    "sec",
    "cube",
    "mt",
    "sq inch",
    "mp",
    "\xE2\x88\x8F cm \xC2\xB3",
    "hectare",
    "more",
    "sec",
    "unit",
    "cu . m",
    "cm 2",
    "rs .",
    "rs",
    "kg",
    "g",
    "month",
    "km",
    "m",
    "cm",
    "mm",
    "apple",
    "liter",
    "loss",
    "yard",
    "pure",
    "year",
    "increase",
    "decrease",
    "d",
    "less",
    "Surface",
    "litre",
    "pi sq m",
    "s .",
    "metre",
    "meter",
    "inch",
};

const Regex& units_regex() {
  static const Regex regex([] {
    std::string alternatives;
    for (const char* unit : kUnits) {
      if (!alternatives.empty()) alternatives += "|";
      // The words are regex source in latex2sympy; "." there matches any character.
      alternatives += unit;
    }
    return std::string(R"((\d|\}|\s)\s*(?:(?:)") + alternatives + R"()(?:s|es)?)\s*$)";
  }());
  return regex;
}

struct MalformedRule {
  const char* pattern;
  const char* replacement;
};
constexpr MalformedRule kMalformedRules[] = {
    {R"(\^\s?\((.*?)\))", "^{$1}"},
    {R"(sqrt\s?\((.*?)\))", "\\sqrt{$1}"},
    {R"(\\frac\s?(\d)\s?(\d+))", "\\frac{$1}{$2}"},
    {R"(\\log_\s?(\d)\s?(\d+))", "\\log_{$1}{$2}"},
    {R"(\\frac\s?{(.*?)}\s?(\d))", "\\frac{$1}{$2}"},
    {R"(\\frac\s?(\d)\s?{(.*?)})", "\\frac{$1}{$2}"},
    {R"(\\sqrt\s?(\d))", "\\sqrt{$1}"},
};

std::string fix_malformed_operators(std::string text) {
  static const std::vector<std::unique_ptr<Regex>> rules = [] {
    std::vector<std::unique_ptr<Regex>> compiled;
    for (const MalformedRule& rule : kMalformedRules)
      compiled.push_back(std::make_unique<Regex>(rule.pattern));
    return compiled;
  }();
  for (size_t i = 0; i < rules.size(); ++i)
    text = rules[i]->replace_all(text, kMalformedRules[i].replacement);
  replace_every(text, " sqrt", "\\sqrt");
  return text;
}

std::string lstrip(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  return std::string(text.substr(begin));
}

std::vector<std::string> split_on(std::string_view text, std::string_view separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t found = text.find(separator, start);
    if (found == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, found - start));
    start = found + separator.size();
  }
}

// Hendrycks' _fix_sqrt: \sqrt3 -> \sqrt{3}.
std::string fix_sqrt(std::string_view text) {
  if (text.find("\\sqrt") == std::string_view::npos) return std::string(text);
  std::vector<std::string> parts = split_on(text, "\\sqrt");
  std::string output = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string part = lstrip(parts[i]);
    if (!part.empty() && part[0] != '{' && part[0] != '[') {
      output += "\\sqrt{" + part.substr(0, 1) + "}" + part.substr(1);
    } else {
      output += "\\sqrt" + part;
    }
  }
  return output;
}

// Hendrycks' _fix_fracs: \frac12 -> \frac{1}{2}, \frac1{2} -> \frac{1}{2}.
std::string fix_fracs(std::string_view text) {
  std::vector<std::string> parts = split_on(text, "\\frac");
  std::string output = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string part = lstrip(parts[i]);
    output += "\\frac";
    if (!part.empty() && part[0] == '{') {
      output += part;
    } else if (part.size() < 2) {
      return std::string(text);
    } else if (part[1] != '{') {
      output += "{" + part.substr(0, 1) + "}{" + part.substr(1, 1) + "}" + part.substr(2);
    } else {
      output += "{" + part.substr(0, 1) + "}" + part.substr(1);
    }
  }
  return output;
}

std::optional<long long> parse_python_int(std::string_view text) {
  // int() accepts surrounding spaces, a sign and underscores between digits; str() of it must then
  // give the text back, so only canonical integers pass.
  if (text.empty()) return std::nullopt;
  size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size()) return std::nullopt;
  for (size_t j = i; j < text.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(text[j]))) return std::nullopt;
  }
  if (text.size() - i > 1 && text[i] == '0') return std::nullopt;
  if (text.size() > 18) return std::nullopt;
  return std::stoll(std::string(text));
}

// Hendrycks' _fix_a_slash_b: 2/3 -> \frac{2}{3} for integers only.
std::string fix_a_slash_b(const std::string& text) {
  const std::vector<std::string> parts = split_on(text, "/");
  if (parts.size() != 2) return text;
  auto a = parse_python_int(parts[0]);
  auto b = parse_python_int(parts[1]);
  if (!a || !b || (*a == 0 && parts[0] == "-0")) return text;
  return "\\frac{" + std::to_string(*a) + "}{" + std::to_string(*b) + "}";
}

bool is_separator_text(std::string_view between) {
  static const Regex separator(R"(\b(and|or)\b|,|;)");
  return separator.contains(between);
}

}  // namespace

std::string extract_boxed_content(std::string_view text, BoxedMode mode) {
  std::vector<std::string> results;
  size_t current = text.size();
  size_t max_pos = text.size();
  std::optional<size_t> last_boxed_start;
  // Python's rfind(x, 0, current): the last occurrence that ends at or before current. `current` only
  // decreases, so an occurrence found stays the answer until current passes it, and "none" stays none:
  // each needle is searched again only then, which keeps a runaway output of 10^6 boxes linear.
  struct LastOccurrence {
    std::string_view needle;
    bool searched = false;
    size_t position = std::string_view::npos;
  };
  const auto last_before = [&text](LastOccurrence& last, size_t limit) {
    const bool still_valid = last.searched && (last.position == std::string_view::npos ||
                                               last.position + last.needle.size() <= limit);
    if (!still_valid) {
      last.searched = true;
      last.position = limit >= last.needle.size() ? text.rfind(last.needle, limit - last.needle.size())
                                                  : std::string_view::npos;
    }
    return last.position;
  };
  LastOccurrence last_boxed{.needle = "\\boxed"};
  LastOccurrence last_fbox{.needle = "\\fbox"};
  while (true) {
    const size_t boxed = last_before(last_boxed, current);
    const size_t fbox = last_before(last_fbox, current);
    if (boxed == std::string_view::npos && fbox == std::string_view::npos) break;
    const bool use_boxed =
        boxed != std::string_view::npos && (fbox == std::string_view::npos || boxed > fbox);
    const size_t start = use_boxed ? boxed : fbox;
    size_t next = start + (use_boxed ? 6 : 5);
    while (next < max_pos && std::isspace(static_cast<unsigned char>(text[next]))) ++next;
    if (next >= max_pos) break;
    if (text[next] != '{') {
      if (results.empty()) results.emplace_back(text.substr(next));
      break;
    }
    int open = 1;
    size_t close = next;
    bool closed = false;
    while (close + 1 < max_pos) {
      ++close;
      if (text[close] == '{')
        ++open;
      else if (text[close] == '}' && --open == 0) {
        closed = true;
        break;
      }
    }
    if (!closed) {
      if (results.empty()) results.emplace_back(text.substr(next));
      break;
    }
    std::string content = strip(text.substr(next + 1, close - next - 1));
    if (mode == BoxedMode::kLast && last_boxed_start) {
      const std::string_view between = text.substr(close + 1, *last_boxed_start - close - 1);
      const std::string& previous = results.empty() ? std::string() : results.back();
      const bool near = between.size() < 10;
      const bool separated = content != previous && between.size() < 70 && is_separator_text(between);
      if (!near && !separated) break;
    }
    if (results.empty() || results.back() != content) results.push_back(content);
    last_boxed_start = start;
    max_pos = start;
    current = start;
  }
  if (results.empty()) return std::string(text);
  std::string joined;
  // Reverse iterators, not std::ranges::reverse_view: clang 14 (the fuzzer build) rejects libstdc++ 12's
  // ranges.
  for (auto result = results.rbegin(); result != results.rend(); ++result) {
    if (!joined.empty()) joined += ",";
    joined += *result;
  }
  return joined;
}

std::string last_equation_side(std::string_view latex) {
  if (latex.find(',') != std::string_view::npos || latex.find(';') != std::string_view::npos) {
    return std::string(latex);
  }
  std::vector<std::string> parts = equation_split().split(latex);
  return parts.size() > 2 ? parts.back() : std::string(latex);
}

std::string normalize_latex(std::string_view input, const NormalizationConfig& config) {
  std::string text(input);
  if (config.boxed != BoxedMode::kNone) text = extract_boxed_content(text, config.boxed);

  if (config.basic_latex) {
    replace_every(text, "\\mathrm{T}", "T");
    replace_every(text, "\\mathrm{d}", "d");
    replace_every(text, "{\\rm d}", "d");
    replace_every(text, "\\left[\\begin{matrix}", "\\begin{bmatrix}");
    replace_every(text, "\\end{matrix}\\right]", "\\end{bmatrix}");
    text = left_delimiter().replace_all(text, "$1");
    text = right_delimiter().replace_all(text, "$1");
    text = permutation().replace_all(text, "\\frac{($1)!}{(($1)-($2))!}");
    text = to_remove().replace_all(text, "");
    text = apply_replacements(text);
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\t', ' ');
    if (text.find("matrix") == std::string::npos) text = command_slash_fix().replace_all(text, "\\");
  }

  if (config.equations) text = last_equation_side(text);

  if (config.units) {
    std::string without_unit = strip(unit_superscript().replace_all(text, ""));
    if (!without_unit.empty() && without_unit != text) text = without_unit;
    for (int i = 0; i < 2; ++i) {
      std::string shorter = units_regex().replace_all(text, "$1");
      if (!shorter.empty() && shorter != text) text = shorter;
    }
  }

  if (config.nits) {
    if (!text.empty() && text[0] == '.') text = "0" + text;
    if (text == "0.5") text = "\\frac{1}{2}";
  }

  if (config.malformed_operators) {
    text = fix_malformed_operators(text);
    text = fix_sqrt(text);
    text = fix_fracs(text);
    text = fix_a_slash_b(text);
  }
  return strip(text);
}

}  // namespace evalflow::math_verify
