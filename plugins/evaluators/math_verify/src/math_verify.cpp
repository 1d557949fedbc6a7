#include "math_verify.hpp"

#include "compare.hpp"
#include "latex_lexer.hpp"

namespace evalflow::math_verify {

LatexTarget aisbench_prediction_target() {
  return LatexTarget{.try_extract_without_anchor = false,
                     .boxed_match_priority = 0,
                     .normalization = NormalizationConfig{.basic_latex = true,
                                                          .units = true,
                                                          .malformed_operators = false,
                                                          .nits = false,
                                                          .boxed = BoxedMode::kAll,
                                                          .equations = true}};
}

Verifier::Verifier(Mode mode, std::chrono::microseconds timeout)
    : mode_(mode),
      timeout_(timeout),
      gold_extractor_({LatexTarget{}, ExprTarget{}}),
      prediction_extractor_({aisbench_prediction_target()}) {}

namespace {
bool is_bare_answer(std::string_view gold) {
  for (std::string_view marker : {"$", "\\[", "\\(", "\\boxed"}) {
    if (gold.find(marker) != std::string_view::npos) return false;
  }
  return true;
}
}  // namespace

std::vector<Answer> Verifier::parse_gold(std::string_view gold, Budget& budget) const {
  if (mode_ == Mode::kFixed && is_bare_answer(gold)) {
    std::vector<Answer> whole = gold_extractor_.extract("$" + std::string(gold) + "$", budget);
    if (!whole.empty() && std::holds_alternative<NodePtr>(whole.front())) return whole;
  }
  std::vector<Answer> answers = gold_extractor_.extract(gold, budget);
  if (answers.empty()) answers = gold_extractor_.extract("$" + std::string(gold) + "$", budget);
  return answers;
}

std::vector<Answer> Verifier::parse_prediction(std::string_view prediction, Budget& budget) const {
  return prediction_extractor_.extract(prediction, budget);
}

Verdict Verifier::grade(std::string_view prediction, std::string_view gold) const {
  Verdict verdict;
  Budget budget(timeout_);
  try {
    verdict.gold_answers = parse_gold(gold, budget);
    if (verdict.gold_answers.empty()) return verdict;  // AISBench counts an unparsable gold as wrong
    verdict.extracted_gold = answer_text(verdict.gold_answers.front());
    verdict.prediction_answers = parse_prediction(prediction, budget);
    if (!verdict.prediction_answers.empty())
      verdict.extracted = answer_text(verdict.prediction_answers.front());
    // The prediction sits in verify's gold slot, as in AISBench.
    verdict.correct = verify(verdict.prediction_answers, verdict.gold_answers, 6, budget);
  } catch (const BudgetExceeded&) {
    verdict.timed_out = true;
    verdict.correct = false;
  } catch (const ParseError&) {
    verdict.correct = false;
  }
  return verdict;
}

}  // namespace evalflow::math_verify
