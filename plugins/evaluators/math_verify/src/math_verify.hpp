// The math_verify library's entry point: grade one model output against one reference the way
// AISBench's Math-Verify MATHEvaluator does (kAisbench), or with its known false negatives fixed
// (kFixed).
#ifndef EVALFLOW_MATH_VERIFY_MATH_VERIFY_HPP
#define EVALFLOW_MATH_VERIFY_MATH_VERIFY_HPP

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "extract.hpp"

namespace evalflow::math_verify {

enum class Mode {
  // Gold: LaTeX then plain-expression extraction, first match, retried as $gold$; prediction: LaTeX
  // only, \boxed first; verdict verify(prediction, gold) with the prediction in the gold slot.
  kAisbench,
  // As kAisbench, except that a bare gold answer (no $, \[, \( or \boxed) is read as one LaTeX
  // expression first, so that "6-5i" stays 6-5i instead of the number 5 found inside it.
  kFixed,
};

struct Verdict {
  bool correct = false;
  bool timed_out = false;
  std::string extracted;       // the prediction's first extracted answer as text ("" when none)
  std::string extracted_gold;  // the same for the gold
  std::vector<Answer> prediction_answers;
  std::vector<Answer> gold_answers;
};

class Verifier {
 public:
  explicit Verifier(Mode mode, std::chrono::microseconds timeout = std::chrono::seconds(5));

  // Thread-safe: a Verifier is immutable after construction. Never throws for any input text.
  [[nodiscard]] Verdict grade(std::string_view prediction, std::string_view gold) const;

  [[nodiscard]] std::vector<Answer> parse_gold(std::string_view gold, Budget& budget) const;
  [[nodiscard]] std::vector<Answer> parse_prediction(std::string_view prediction, Budget& budget) const;

 private:
  Mode mode_;
  std::chrono::microseconds timeout_;
  Extractor gold_extractor_;
  Extractor prediction_extractor_;
};

// Math-Verify's LatexExtractionConfig as AISBench configures it for predictions.
LatexTarget aisbench_prediction_target();

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_MATH_VERIFY_HPP
