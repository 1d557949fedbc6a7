// regex_extract's logic, independent of the plugin ABI: patterns tried in order, each taking its first or
// last match and one capture group, then an optional normalisation of what was captured.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_pattern.hpp"

namespace evalflow::regex_extract {

enum class Select { kFirst, kLast };
enum class Case { kKeep, kUpper, kLower };

// Which capture group a pattern yields.
struct GroupChoice {
  // The group number (0: the whole match); by default 1 when the pattern has a group, else 0.
  std::optional<int> number;
  // lm-eval's rule for patterns with alternatives: the first group that matched non-empty text.
  bool first_non_empty = false;
};

struct Rule {
  std::string pattern;
  std::string name;  // what `pattern` reports when this rule matched; default its position
  Select select = Select::kFirst;
  GroupChoice group;
  uint32_t flags = 0;  // PCRE2 options from the `flags` letters
};

struct Normalization {
  bool strip = false;               // white space at both ends
  std::vector<std::string> remove;  // literal substrings deleted, in order
  Case letter_case = Case::kKeep;   // ASCII letters only
};

struct Extraction {
  std::string text;       // the normalised capture, or the fallback when nothing matched
  int rule = -1;          // index of the rule that matched, -1 when none did
  std::string rule_name;  // its name, empty when none matched
};

class Extractor {
 public:
  // From the node's options after the preset was merged in (see presets.hpp). Throws sdk::Error
  // (EF_INVALID_ARGUMENT) naming the option and what to do.
  static Extractor from_options(const nlohmann::json& options);

  [[nodiscard]] Extraction extract(std::string_view text) const;
  [[nodiscard]] bool required() const { return required_; }

 private:
  struct CompiledRule {
    Rule rule;
    CompiledPattern compiled;
  };
  // The capture of one match under a group choice; nullopt when the chosen group did not take part.
  [[nodiscard]] std::optional<std::string_view> capture(const CompiledRule& rule, const Groups& match,
                                                        std::string_view text) const;
  [[nodiscard]] std::string normalize(std::string_view capture) const;

  std::vector<CompiledRule> rules_;
  std::vector<std::string> stop_at_;
  Normalization normalization_;
  std::string fallback_;
  bool required_ = false;
};

// PCRE2 options for flag letters: i (caseless), s (dot matches newline), m (multiline), x (extended).
// Throws std::invalid_argument for any other letter.
uint32_t pcre2_flags(std::string_view letters);

}  // namespace evalflow::regex_extract
