// Answer extraction, as Math-Verify's parse(): regexes grouped by priority (final-answer phrases,
// \boxed, "answer:", plain LaTeX environments, plain numbers/expressions); within a priority the
// match that ends last wins; the winner is normalised and parsed into an expression tree.
#ifndef EVALFLOW_MATH_VERIFY_EXTRACT_HPP
#define EVALFLOW_MATH_VERIFY_EXTRACT_HPP

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "budget.hpp"
#include "expr.hpp"
#include "normalize.hpp"
#include "regex.hpp"

namespace evalflow::math_verify {

struct LatexTarget {
  bool try_extract_without_anchor = true;
  int boxed_match_priority = 50;  // -1 disables \boxed matching
  NormalizationConfig normalization{.basic_latex = true,
                                    .units = true,
                                    .malformed_operators = true,
                                    .nits = true,
                                    .boxed = BoxedMode::kAll,
                                    .equations = false};
};

struct ExprTarget {
  bool try_extract_without_anchor = true;
};

using Target = std::variant<LatexTarget, ExprTarget>;

// One extracted answer: a parsed expression, or the raw text when parsing failed (the fallback).
using Answer = std::variant<NodePtr, std::string>;

std::string answer_text(const Answer& answer);

// A set of targets with their regexes compiled once; immutable and safe to share between threads.
class Extractor {
 public:
  explicit Extractor(std::vector<Target> targets);
  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  enum class Mode {
    kFirstMatch,  // only the best match of the first priority that matches is tried
    kAnyMatch,    // matches are tried best first until one parses
  };

  // Math-Verify's parse(text, targets, extraction_mode, fallback_mode): the parsed answer (if any),
  // then, with fallback, the text of the first match tried.
  [[nodiscard]] std::vector<Answer> extract(std::string_view text, Budget& budget,
                                            Mode mode = Mode::kFirstMatch, bool fallback = true) const;

 private:
  struct Pattern;
  std::pair<NodePtr, std::string> extract_match(std::string_view text, const Match& match,
                                                const Pattern& pattern, Budget& budget) const;

  std::vector<Target> targets_;
  std::vector<std::unique_ptr<Pattern>> patterns_;  // sorted by priority, stable
};

// Math-Verify's should_treat_as_complex: the text mentions i, \mathbb{C}, \det, Re/Im...
bool looks_complex(std::string_view latex);

// Parses normalised LaTeX like Math-Verify's parse_latex_cached: whole text first, then the last
// side of a chained equation. Throws ParseError when neither parses.
NodePtr parse_normalized_latex(std::string_view latex, Budget& budget);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_EXTRACT_HPP
