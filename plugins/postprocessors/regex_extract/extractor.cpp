#include "extractor.hpp"

#include <evalflow/plugin.hpp>

namespace evalflow::regex_extract {
namespace {

using nlohmann::json;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

Rule rule_from(const json& item, size_t index) {
  const std::string where = "patterns[" + std::to_string(index) + "]";
  Rule rule;
  rule.name = std::to_string(index);
  if (item.is_string()) {
    rule.pattern = item.get<std::string>();
    return rule;
  }
  rule.pattern = item.at("regex").get<std::string>();
  rule.name = item.value("name", rule.name);
  rule.select = item.value("select", std::string("first")) == "last" ? Select::kLast : Select::kFirst;
  if (auto group = item.find("group"); group != item.end()) {
    if (group->is_string()) {
      rule.group.first_non_empty = true;  // the schema allows only "first_non_empty"
    } else {
      rule.group.number = group->get<int>();
    }
  }
  try {
    rule.flags = pcre2_flags(item.value("flags", std::string()));
  } catch (const std::invalid_argument& error) {
    throw sdk::invalid_argument(where + ": " + error.what());
  }
  return rule;
}

}  // namespace

uint32_t pcre2_flags(std::string_view letters) {
  uint32_t flags = 0;
  for (const char letter : letters) {
    switch (letter) {
      case 'i':
        flags |= PCRE2_CASELESS;
        break;
      case 's':
        flags |= PCRE2_DOTALL;
        break;
      case 'm':
        flags |= PCRE2_MULTILINE;
        break;
      case 'x':
        flags |= PCRE2_EXTENDED;
        break;
      default:
        throw std::invalid_argument(
            std::string("unknown flag '") + letter +
            "': use i (ignore case), s (dot matches newline), m (multiline), x (verbose)");
    }
  }
  return flags;
}

Extractor Extractor::from_options(const json& options) {
  Extractor extractor;
  const auto patterns = options.find("patterns");
  if (patterns == options.end() || !patterns->is_array() || patterns->empty()) {
    throw sdk::invalid_argument("give `patterns` (a list of regexes, tried in order) or a `preset`");
  }
  for (size_t i = 0; i < patterns->size(); ++i) {
    Rule rule = rule_from((*patterns)[i], i);
    try {
      CompiledPattern compiled(rule.pattern, rule.flags);
      const int groups = compiled.group_count();
      if (rule.group.number && (*rule.group.number < 0 || *rule.group.number > groups)) {
        throw std::invalid_argument("group " + std::to_string(*rule.group.number) +
                                    " does not exist: the pattern has " + std::to_string(groups) +
                                    " capture group(s)");
      }
      if (!rule.group.number && !rule.group.first_non_empty) rule.group.number = groups > 0 ? 1 : 0;
      extractor.rules_.push_back({std::move(rule), std::move(compiled)});
    } catch (const std::invalid_argument& error) {
      throw sdk::invalid_argument("patterns[" + std::to_string(i) + "]: " + error.what());
    }
  }
  extractor.stop_at_ = options.value("stop_at", std::vector<std::string>{});
  if (auto normalize = options.find("normalize"); normalize != options.end()) {
    extractor.normalization_.strip = normalize->value("strip", false);
    extractor.normalization_.remove = normalize->value("remove", std::vector<std::string>{});
    const std::string letter_case = normalize->value("case", std::string("keep"));
    extractor.normalization_.letter_case = letter_case == "upper"   ? Case::kUpper
                                           : letter_case == "lower" ? Case::kLower
                                                                    : Case::kKeep;
  }
  extractor.fallback_ = options.value("fallback", std::string());
  extractor.required_ = options.value("required", false);
  return extractor;
}

std::optional<std::string_view> Extractor::capture(const CompiledRule& rule, const Groups& match,
                                                   std::string_view text) const {
  auto span_text = [&](size_t group) -> std::optional<std::string_view> {
    const auto& span = match.spans[group];
    if (!span) return std::nullopt;
    return text.substr(span->first, span->second - span->first);
  };
  if (!rule.rule.group.first_non_empty) return span_text(static_cast<size_t>(*rule.rule.group.number));
  for (size_t group = 1; group < match.spans.size(); ++group) {
    if (auto captured = span_text(group); captured && !captured->empty()) return captured;
  }
  return match.spans.size() == 1 ? span_text(0) : std::nullopt;
}

std::string Extractor::normalize(std::string_view capture) const {
  std::string text(normalization_.strip ? trimmed(capture) : capture);
  for (const std::string& piece : normalization_.remove) {
    if (piece.empty()) continue;
    for (size_t at = text.find(piece); at != std::string::npos; at = text.find(piece, at))
      text.erase(at, piece.size());
  }
  if (normalization_.letter_case != Case::kKeep) {
    const bool upper = normalization_.letter_case == Case::kUpper;
    for (char& c : text) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

Extraction Extractor::extract(std::string_view text) const {
  for (const std::string& stop : stop_at_) {
    if (const size_t at = text.find(stop); !stop.empty() && at != std::string_view::npos)
      text = text.substr(0, at);
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& rule = rules_[i];
    const std::vector<Groups> matches = rule.compiled.find_all(text);
    if (matches.empty()) continue;
    const Groups& chosen = rule.rule.select == Select::kFirst ? matches.front() : matches.back();
    // A chosen match without the wanted group falls through to the next pattern, as no match would.
    if (auto captured = capture(rule, chosen, text))
      return {normalize(*captured), static_cast<int>(i), rule.rule.name};
  }
  return {fallback_, -1, ""};
}

}  // namespace evalflow::regex_extract
