#include "extract.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "latex_parser.hpp"
#include "plain_expr_parser.hpp"

namespace evalflow::math_verify {
namespace {

// --- regex sources, built the way Math-Verify builds them -------------------------------------

enum class Context { kPlain, kBoxed };

std::string latex_env_pattern(const std::string& prefix, Context context) {
  std::string display_dollar = R"((?:[^$]|\$(?!\$)))";
  std::string display_bracket = R"((?:[^\\]|\\(?!\])))";
  std::string inline_dollar = R"((?:\\[$]|[^\n$]))";
  std::string inline_parenthesis = R"((?:[^\\\n]|\\(?!\))))";
  std::string inline_bracket = R"([^\n\]\[])";
  auto shape = [context](const std::string& content) {
    if (context == Context::kBoxed) return content + "*?\\\\boxed{" + content + "+?}" + content + "*?";
    return content + "+?";
  };
  std::vector<std::string> patterns = {
      R"((?<!\\)\$\$(?<)" + prefix + "latexDisplayDollar>" + shape(display_dollar) + R"()(?<!\\)\$\$)",
      R"((?<!\\)\\\[(?<)" + prefix + "latexDisplayBracket>" + shape(display_bracket) + R"()(?<!\\)\\\])",
      R"((?<!\\|\d)\$(?<)" + prefix + "latexInlineDollar>" + shape(inline_dollar) + R"()(?<!\\)\$)",
      R"((?<!\\)\\\((?<)" + prefix + "latexInlineParenthesis>" + shape(inline_parenthesis) +
          R"()(?<!\\)\\\))",
      R"(\s\[(?<)" + prefix + "latexInlineBracket>" + shape(inline_bracket) + R"()\]\s)",
  };
  if (context == Context::kPlain) {
    const std::string simple_number = R"(-?\d+(?:[.,]\d+)?)";
    patterns.push_back("(?<" + prefix + R"(latexFraction>-?\\frac{)" + simple_number + "}{" + simple_number +
                       "})");
  }
  std::string joined;
  for (const std::string& pattern : patterns) joined += (joined.empty() ? "" : "|") + pattern;
  return "(?:(?:" + joined + R"()\s*(?<)" + prefix + R"(percent>(?:\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))?))";
}

std::string latex_envs_pattern() {
  std::string pattern = latex_env_pattern("first_", Context::kPlain);
  for (int i = 1; i <= 5; ++i) {
    pattern += R"((?:\s*(?:,?and|,?or|,)\s*)" +
               latex_env_pattern("next" + std::to_string(i) + "_", Context::kPlain) + ")?";
  }
  return "(?:" + pattern + ")";
}

std::string boxed_envs_pattern() {
  std::string pattern = latex_env_pattern("first_", Context::kBoxed);
  for (int i = 1; i <= 5; ++i) {
    pattern += R"(\s*(?:\s*(?:,?and|,?or|,)\s*)" +
               latex_env_pattern("next" + std::to_string(i) + "_", Context::kBoxed) + ")?";
  }
  return pattern;
}

const std::string& number_pattern() {
  static const std::string pattern =
      R"((?<!\d)(?:(?<integer1>-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(?<decimal1>\.\d+)?|(?<integer2>-?\d+)(?<decimal2>[.,]\d+)|(?<decimal3>\.\d+)|(?<integer3>-?\d+))(?<percent>\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?)";
  return pattern;
}

constexpr const char* kExprChars = R"([\d\.\s\+\-\*×\/\^\(\)÷])";
constexpr const char* kOperators = R"([\+\-\*×\/\^\(\)÷])";
constexpr const char* kCurrency =
    "[$"
    "€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻"
    "₼"
    "₽"
    "₾"
    "₿"
    "]";
constexpr const char* kExprPrefix = R"((?:^|\s|\=)(?:\*\*)?)";
constexpr const char* kExprSuffix = R"((?:\*\*)?(?:\.|,|:|\s|\)|\$|$))";

std::string expr_with_anchors() {
  return std::string("(?:") + kExprPrefix + R"((?<expr>-?\(?-?\d)" + kExprChars + "*" + kOperators +
         kExprChars + R"(+\)?))" + kExprSuffix + ")";
}
std::string number_with_anchors() {
  return std::string("(?:") + kExprPrefix + kCurrency + "?" + number_pattern() + ")";
}

// A literal every match must contain: lets us skip a regex over long texts that cannot match.
enum class Requirement { kNone, kFinalAnswerIsIHope, kFinalAnswer, kAnswer, kBoxed, kBoxedInEnvironment };

// The requirements of one text, computed once: each is a substring test on the lower-cased text.
class Requirements {
 public:
  explicit Requirements(std::string_view text) : text_(text) {}

  bool met(Requirement requirement) {
    switch (requirement) {
      case Requirement::kNone:
        return true;
      case Requirement::kFinalAnswerIsIHope:
        return text_.find("I hope") != std::string_view::npos &&
               lower().find("final answer is") != std::string::npos;
      case Requirement::kFinalAnswer:
        return lower().find("final answer") != std::string::npos;
      case Requirement::kAnswer:
        return lower().find("answer") != std::string::npos;
      case Requirement::kBoxed:
      case Requirement::kBoxedInEnvironment:
        return text_.find("\\boxed") != std::string_view::npos;
    }
    return true;
  }

 private:
  const std::string& lower() {
    if (!lower_) {
      lower_.emplace(text_);
      for (char& c : *lower_) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    return *lower_;
  }

  std::string_view text_;
  std::optional<std::string> lower_;
};

// Where a search for "a math environment holding \\boxed" can start without missing a match: such an
// environment contains the next \\boxed, and cannot cross a line (inline forms), a "$$" (display
// dollars) or a "\\]" (display brackets). Skipping the text before that point keeps PCRE2 from
// trying, and backtracking over, every "$" of a long output. The marks are indexed once per text, so
// each search start is a binary search: a runaway output of 100,000 boxes stays linear.
class EnvironmentStarts {
 public:
  explicit EnvironmentStarts(std::string_view text) {
    for (size_t at = 0; at < text.size(); ++at) {
      const char c = text[at];
      if (c == '\n') newlines_.push_back(at);
      if (c == '$' && at + 1 < text.size() && text[at + 1] == '$') display_dollars_.push_back(at);
      if (c == '\\' && at + 1 < text.size() && text[at + 1] == ']') closing_brackets_.push_back(at);
      if (c == '\\' && at + 1 < text.size() && text[at + 1] == '[') opening_brackets_.push_back(at);
      if (text.substr(at, 6) == "\\boxed") boxes_.push_back(at);
    }
  }

  // npos: no \\boxed left, so no match.
  [[nodiscard]] size_t search_start(size_t offset) const {
    const auto box = std::lower_bound(boxes_.begin(), boxes_.end(), offset);
    if (box == boxes_.end()) return std::string_view::npos;
    const size_t boxed = *box;
    const size_t newline = last_at_or_before(newlines_, boxed);
    size_t earliest = newline == std::string_view::npos ? 0 : newline;  // "\s\[" may start at the newline
    if (boxed >= 2) {
      const size_t display_dollar = last_at_or_before(display_dollars_, boxed - 2);
      if (display_dollar != std::string_view::npos) earliest = std::min(earliest, display_dollar);
    }
    const size_t closing_bracket = last_at_or_before(closing_brackets_, boxed);
    const size_t from = closing_bracket == std::string_view::npos ? 0 : closing_bracket + 2;
    const auto opening = std::lower_bound(opening_brackets_.begin(), opening_brackets_.end(), from);
    if (opening != opening_brackets_.end() && *opening < boxed) earliest = std::min(earliest, *opening);
    return std::max(offset, earliest);
  }

 private:
  static size_t last_at_or_before(const std::vector<size_t>& positions, size_t limit) {
    const auto after = std::upper_bound(positions.begin(), positions.end(), limit);
    return after == positions.begin() ? std::string_view::npos : *(after - 1);
  }

  std::vector<size_t> newlines_, display_dollars_, closing_brackets_, opening_brackets_, boxes_;
};

struct LatexGroup {
  int number;
  bool boxed;  // the plain \boxed{...} pattern: normalised with boxed="last"
  int percent;
};

}  // namespace

struct Extractor::Pattern {
  Pattern(const std::string& source, int priority_value, size_t target_index, bool latex,
          Requirement required)
      : regex(source, latex ? PCRE2_DOTALL : 0),
        priority(priority_value),
        target(target_index),
        is_latex(latex),
        requirement(required) {
    if (latex) {
      // Per prefix (first_, next1_ ... next5_): every latex group and the percent group.
      for (const std::string prefix : {"first", "next1", "next2", "next3", "next4", "next5"}) {
        std::vector<LatexGroup> groups;
        const int percent = regex.group_number((prefix + "_percent").c_str());
        for (const auto& [name, number] : regex.named_groups()) {
          if (name.rfind(prefix + "_latex", 0) == 0) {
            groups.push_back({number, name == prefix + "_latexBoxed", percent > 0 ? percent : -1});
          }
        }
        std::sort(groups.begin(), groups.end(),
                  [](const LatexGroup& a, const LatexGroup& b) { return a.number < b.number; });
        if (!groups.empty()) latex_groups.push_back(std::move(groups));
      }
    } else {
      expr_group = regex.group_number("expr");
      for (const char* name : {"integer1", "integer2", "integer3"})
        integer_groups.push_back(regex.group_number(name));
      for (const char* name : {"decimal1", "decimal2", "decimal3"})
        decimal_groups.push_back(regex.group_number(name));
      percent_group = regex.group_number("percent");
    }
  }

  Regex regex;
  int priority;
  size_t target;
  bool is_latex;
  Requirement requirement;
  std::vector<std::vector<LatexGroup>> latex_groups;
  int expr_group = -1;
  std::vector<int> integer_groups;
  std::vector<int> decimal_groups;
  int percent_group = -1;
};

Extractor::Extractor(std::vector<Target> targets) : targets_(std::move(targets)) {
  for (size_t index = 0; index < targets_.size(); ++index) {
    if (const auto* latex = std::get_if<LatexTarget>(&targets_[index])) {
      const std::string envs = latex_envs_pattern();
      auto add = [&](const std::string& source, int priority, Requirement requirement) {
        patterns_.push_back(std::make_unique<Pattern>(source, priority, index, true, requirement));
      };
      add(R"((?i:final answer is)\:?\s*)" + envs + R"(\.?\s?I hope)", 0, Requirement::kFinalAnswerIsIHope);
      add(R"((?i:final answer.{0,100}?)\s+is\:?\s*)" + envs, 50, Requirement::kFinalAnswer);
      add(R"((?i:answer):.{0,50}?)" + envs, 100, Requirement::kAnswer);
      add(R"((?i:answer).{0,50}?)" + envs, 200, Requirement::kAnswer);
      if (latex->try_extract_without_anchor) add(envs, 300, Requirement::kNone);
      if (latex->boxed_match_priority >= 0) {
        add(boxed_envs_pattern(), latex->boxed_match_priority, Requirement::kBoxedInEnvironment);
        add(R"((?<first_latexBoxed>\\boxed{.+}))", latex->boxed_match_priority, Requirement::kBoxed);
      }
    } else {
      const auto& expr = std::get<ExprTarget>(targets_[index]);
      const std::string either = "(?:" + expr_with_anchors() + "|" + number_with_anchors() + ")";
      auto add = [&](const std::string& source, int priority, Requirement requirement) {
        patterns_.push_back(std::make_unique<Pattern>(source, priority, index, false, requirement));
      };
      add(R"((?i:final answer is)\:?\s*)" + either + R"(\.?\s?I hope)", 0, Requirement::kFinalAnswerIsIHope);
      add(R"((?i:final answer.{0,100}?)\s+is\:?)" + either, 50, Requirement::kFinalAnswer);
      add(R"((?i:answer)\:(?:.{0,100}=\s*|.{0,50}?))" + either + R"((?!\s*=))", 100, Requirement::kAnswer);
      add(R"((?i:answer)(?:.{0,100}=\s*|.{0,50}?))" + either + R"((?!\s*=))", 200, Requirement::kAnswer);
      if (expr.try_extract_without_anchor) {
        add(expr_with_anchors(), 300, Requirement::kNone);
        add(number_with_anchors(), 300, Requirement::kNone);
      }
    }
  }
  std::stable_sort(patterns_.begin(), patterns_.end(),
                   [](const auto& a, const auto& b) { return a->priority < b->priority; });
}

Extractor::~Extractor() = default;

std::string answer_text(const Answer& answer) {
  if (const auto* node = std::get_if<NodePtr>(&answer)) return to_text(**node);
  return std::get<std::string>(answer);
}

bool looks_complex(std::string_view latex) {
  static const Regex pattern(
      R"(\\mathbb\{C\}|\\i\b|\bi\b|\\text\{i\}|\\mathrm\{i\}|\\imath\b|\\det|\\operatorname\{tr\}|\\operatorname\{rank\}|\\text\{rank\}|\\arg\{|\\Re\{|\\Im\{|\\operatorname\{Re\}|\\operatorname\{Im\}|\\text\{Re\}|\\text\{Im\})");
  return pattern.contains(latex);
}

NodePtr parse_normalized_latex(std::string_view latex, Budget& budget) {
  try {
    return parse_latex(latex, !looks_complex(latex), budget);
  } catch (const ParseError&) {
    const std::string last = last_equation_side(latex);
    if (last == latex) throw;
    return parse_latex(last, !looks_complex(last), budget);
  }
}

namespace {

std::pair<NodePtr, std::string> extract_latex(std::string_view text, const Match& match,
                                              const std::vector<std::vector<LatexGroup>>& prefixes,
                                              const LatexTarget& target, Budget& budget) {
  std::vector<NodePtr> values;
  std::vector<std::string> texts;
  for (const auto& groups : prefixes) {
    const LatexGroup* found = nullptr;
    for (const LatexGroup& group : groups) {
      if (match.matched(group.number) && match.end(group.number) > match.start(group.number)) {
        found = &group;
        break;
      }
    }
    if (found == nullptr) continue;
    NormalizationConfig config = target.normalization;
    if (found->boxed) config.boxed = BoxedMode::kLast;
    std::string normalized = normalize_latex(match.text(text, found->number), config);
    budget.check_now();  // normalisation runs regexes over the whole match, which may be megabytes
    const bool is_percentage = found->percent > 0 && match.matched(found->percent) &&
                               match.end(found->percent) > match.start(found->percent);
    NodePtr value;
    try {
      value = parse_normalized_latex(normalized, budget);
      if (is_percentage) value = percent_of(value);
    } catch (const ParseError&) {
    }
    texts.push_back(std::move(normalized));
    values.push_back(value);
  }
  if (values.empty()) return {nullptr, ""};
  if (values.size() > 1 &&
      std::all_of(values.begin(), values.end(), [](const NodePtr& v) { return v != nullptr; })) {
    std::vector<NodePtr> members;
    for (const NodePtr& value : values) {
      if (value->kind == Kind::kFiniteSet)
        members.insert(members.end(), value->args.begin(), value->args.end());
      else
        members.push_back(value);
    }
    std::string joined;
    for (const std::string& part : texts) joined += (joined.empty() ? "" : " and ") + part;
    return {make_node(Kind::kFiniteSet, std::move(members)), joined};
  }
  return {values[0], texts[0]};
}

}  // namespace

std::pair<NodePtr, std::string> Extractor::extract_match(std::string_view text, const Match& match,
                                                         const Pattern& pattern, Budget& budget) const {
  if (pattern.is_latex) {
    return extract_latex(text, match, pattern.latex_groups, std::get<LatexTarget>(targets_[pattern.target]),
                         budget);
  }
  std::string integer;
  std::string decimal;
  for (int group : pattern.integer_groups) {
    if (integer.empty() && group > 0 && match.matched(group)) integer = std::string(match.text(text, group));
  }
  for (int group : pattern.decimal_groups) {
    if (decimal.empty() && group > 0 && match.matched(group)) decimal = std::string(match.text(text, group));
  }
  if (!integer.empty() || !decimal.empty()) {
    // "0001" is 1 and "1,234" is 1234, as Math-Verify reads numbers.
    std::erase(integer, ',');
    std::erase(integer, ' ');
    const size_t first = integer.find_first_not_of('0');
    integer = first == std::string::npos ? "0" : integer.substr(first);
    std::replace(decimal.begin(), decimal.end(), ',', '.');
    std::string number_text = integer + decimal;
    const bool negative = number_text[0] == '-';
    NodePtr number = number_from_decimal(negative ? std::string_view(number_text).substr(1) : number_text);
    if (!number) return {nullptr, number_text};
    if (negative) number = negate(number);
    const bool percent = pattern.percent_group > 0 && match.matched(pattern.percent_group) &&
                         match.end(pattern.percent_group) > match.start(pattern.percent_group);
    return {percent ? percent_of(number) : number, number_text};
  }
  if (pattern.expr_group <= 0 || !match.matched(pattern.expr_group)) return {nullptr, ""};
  std::string expression(match.text(text, pattern.expr_group));
  std::string python;
  for (char c : expression) python += c == '^' ? std::string("**") : std::string(1, c == '\n' ? ' ' : c);
  return {parse_plain_expression(python), expression};
}

std::vector<Answer> Extractor::extract(std::string_view text, Budget& budget, Mode mode,
                                       bool fallback_wanted) const {
  std::vector<Answer> answers;
  std::optional<std::string> fallback;
  Requirements requirements(text);
  std::optional<EnvironmentStarts> starts;
  size_t index = 0;
  while (index < patterns_.size()) {
    const int priority = patterns_[index]->priority;
    struct Candidate {
      size_t start;
      size_t end;
      const Pattern* pattern;
    };
    std::vector<std::pair<Candidate, std::unique_ptr<Match>>> matches;
    for (; index < patterns_.size() && patterns_[index]->priority == priority; ++index) {
      const Pattern& pattern = *patterns_[index];
      if (!requirements.met(pattern.requirement)) continue;
      size_t offset = 0;
      while (offset <= text.size()) {
        if (pattern.requirement == Requirement::kBoxedInEnvironment) {
          if (!starts) starts.emplace(text);
          offset = starts->search_start(offset);
          if (offset == std::string_view::npos) break;
        }
        budget.check_now();  // one regex pass over a long output can be the costliest step
        auto match = std::make_unique<Match>(pattern.regex);
        const bool found = pattern.regex.search(text, offset, *match);
        budget.check_now();  // a search over megabytes cannot be interrupted: its time counts once it ends
        if (!found) break;
        const size_t start = match->start();
        const size_t end = match->end();
        offset = end > start ? end : end + 1;
        matches.emplace_back(Candidate{start, end, &pattern}, std::move(match));
      }
    }
    if (matches.empty()) continue;
    // The match that ends last comes first; among equal ends, the one that starts first.
    std::stable_sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
      if (a.first.end != b.first.end) return a.first.end > b.first.end;
      return a.first.start < b.first.start;
    });
    for (const auto& [candidate, match] : matches) {
      auto [value, matched_text] = extract_match(text, *match, *candidate.pattern, budget);
      if (!matched_text.empty() && !fallback) fallback = matched_text;
      if (value) {
        answers.emplace_back(value);
        break;
      }
      if (mode == Mode::kFirstMatch) break;
    }
    if (!answers.empty() || mode == Mode::kFirstMatch) break;
  }
  if (fallback && fallback_wanted) answers.emplace_back(*fallback);
  return answers;
}

}  // namespace evalflow::math_verify
