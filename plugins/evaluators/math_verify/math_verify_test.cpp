// Unit tests of the math_verify library: LaTeX parsing, normalisation, extraction, equivalence and
// the two grading modes.
#include <gtest/gtest.h>

#include <thread>

#include "compare.hpp"
#include "latex_parser.hpp"
#include "math_verify.hpp"
#include "normalize.hpp"

namespace evalflow::math_verify {
namespace {

std::string parsed(const std::string& latex) {
  Budget budget(std::chrono::seconds(5));
  return to_text(*parse_latex(latex, true, budget));
}

bool equal(const std::string& gold, const std::string& pred) {
  Budget budget(std::chrono::seconds(5));
  return expressions_equal(parse_latex(gold, true, budget), parse_latex(pred, true, budget), 6, budget);
}

TEST(LatexParser, ReadsLettersAsImplicitProducts) {
  EXPECT_EQ(parsed("2pi"), "2*p*i");
  EXPECT_EQ(parsed("2\\pi"), "2*pi");
  EXPECT_EQ(parsed("3R^2"), "3*r**2");
}

TEST(LatexParser, FollowsLatex2sympyConventions) {
  EXPECT_EQ(parsed("2\\frac{1}{2}"), "5/2");  // a mixed number
  EXPECT_EQ(parsed("10,080"), "10080");       // thousands separators
  EXPECT_EQ(parsed("1,2"), "{1, 2}");         // otherwise a set
  EXPECT_EQ(parsed("(1,2)"), "(1, 2)");       // an open interval
  EXPECT_EQ(parsed("(1,2,3)"), "(1, 2, 3)");  // a tuple
  EXPECT_EQ(parsed("52_8"), "52");            // number bases are ignored
  EXPECT_EQ(parsed("90^\\circ"), "90");       // degrees are not converted
  EXPECT_EQ(parsed("t(5)"), "t(5)");          // a letter applied to an atom is a function
  EXPECT_EQ(parsed("\\text{east}"), "east");
  EXPECT_EQ(parsed("x \\approx 3.5"), "3.5");
}

TEST(LatexParser, BuildsRelationChains) {
  EXPECT_EQ(parsed("1 < x \\le 2"), "1 < x & x <= 2");
  EXPECT_EQ(parsed("y = 2x + 1"), "y = 2*x + 1");
}

TEST(LatexParser, RejectsWhatLatex2sympyRejects) {
  Budget budget(std::chrono::seconds(5));
  for (const char* bad : {"(", "\\frac12", "\\sqrt2", "1 +", "\\unknown{x}", "a b tr"}) {
    EXPECT_THROW(parse_latex(bad, true, budget), ParseError) << bad;
  }
}

TEST(LatexParser, LimitsNesting) {
  Budget budget(std::chrono::seconds(5));
  EXPECT_THROW(parse_latex(std::string(5000, '(') + "1" + std::string(5000, ')'), true, budget), ParseError);
}

TEST(Normalize, ExtractsBoxesAndRemovesUnits) {
  const NormalizationConfig config{.units = true};
  EXPECT_EQ(normalize_latex("so \\boxed{12} or \\boxed{13}", config), "12,13");
  EXPECT_EQ(normalize_latex("5\\text{ cm}", config), "5");
  EXPECT_EQ(normalize_latex("\\left( 1, 2 \\right]", config), "( 1, 2 ]");
  EXPECT_EQ(extract_boxed_content("a \\boxed{\\frac{1}{2}", BoxedMode::kLast), "{\\frac{1}{2}");
}

TEST(Normalize, RepairsMalformedOperatorsOnlyWhenAsked) {
  NormalizationConfig config;
  EXPECT_EQ(normalize_latex("\\frac12", config), "\\frac12");
  config.malformed_operators = true;
  EXPECT_EQ(normalize_latex("\\frac12", config), "\\frac{1}{2}");
  EXPECT_EQ(normalize_latex("\\sqrt2", config), "\\sqrt{2}");
}

TEST(Compare, NumbersRoundToSixDigitsOnlyAgainstFloats) {
  EXPECT_TRUE(equal("\\frac{1}{3}", "0.333333"));
  EXPECT_FALSE(equal("\\frac{1}{3}", "0.3333"));
  EXPECT_FALSE(equal("2\\sqrt{2}", "2.828427"));  // an irrational is never rounded
}

TEST(Compare, SymbolicDifferenceVanishes) {
  EXPECT_TRUE(equal("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}"));
  EXPECT_TRUE(equal("(x+1)^2", "x^2+2x+1"));
  EXPECT_FALSE(equal("(x+1)^2", "x^2+1"));
  EXPECT_FALSE(equal("5\\sqrt{2.12}", "\\sqrt{53}"));  // the float never cancels in sympy
}

TEST(Rational, PowersAreExactOrRefused) {
  EXPECT_EQ(pow(Rational{-1, 1}, 3), (Rational{-1, 1}));
  EXPECT_EQ(pow(Rational{2, 3}, -2), (Rational{9, 4}));
  EXPECT_EQ(pow(Rational{-1, 1}, 1000000000001), (Rational{-1, 1}));
  EXPECT_FALSE(pow(Rational{2, 1}, 64).has_value());
}

TEST(Compare, SetsIntervalsAndTuples) {
  EXPECT_TRUE(equal("\\{1,2\\}", "\\{2,1\\}"));
  EXPECT_TRUE(equal("(-\\infty,2)\\cup(3,\\infty)", "(3,\\infty)\\cup(-\\infty,2)"));
  EXPECT_FALSE(equal("[1,2)", "(1,2)"));
  EXPECT_TRUE(equal("(1,2)", "1,2"));
  EXPECT_FALSE(equal("(1,2,3)", "(3,2,1)"));
}

TEST(Compare, RelationsAndAssignments) {
  EXPECT_TRUE(equal("x > 2", "2 < x"));
  EXPECT_TRUE(equal("2x = 4", "x = 2"));
  EXPECT_TRUE(equal("x = 5", "5"));
  EXPECT_TRUE(equal("5", "x = 5"));
  EXPECT_FALSE(equal("x = 5", "y = 5"));
}

TEST(Compare, SymbolsAndConstants) {
  EXPECT_TRUE(equal("\\text{ellipse}", "ellipse"));
  EXPECT_TRUE(equal("e", "\\text{e}"));
  EXPECT_FALSE(equal("\\pi", "pi"));
  EXPECT_TRUE(equal("e^{\\ln 2}", "2"));
  EXPECT_FALSE(equal("e^{i\\pi}", "-1"));  // a lower-case i is a symbol, not the imaginary unit
}

TEST(Compare, Matrices) {
  EXPECT_TRUE(equal("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
                    "\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}"));
  EXPECT_FALSE(equal("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}"));
}

TEST(Verifier, ExtractsBoxedAnswerAndComparesWithSolutionText) {
  const Verifier verifier(Mode::kAisbench);
  const std::string solution = "We find $x = 3$, so the answer is $\\boxed{\\frac{3}{4}}$.";
  EXPECT_TRUE(verifier.grade("Thus \\boxed{0.75}", solution).correct);
  const Verdict verdict = verifier.grade("Thus \\boxed{\\frac{3}{4}}", solution);
  EXPECT_TRUE(verdict.correct);
  EXPECT_EQ(verdict.extracted, "3/4");
  EXPECT_EQ(verdict.extracted_gold, "3/4");
  EXPECT_FALSE(verifier.grade("I think it is 3/4", solution).correct);  // no anchor, no box
}

TEST(Extraction, PrioritiesAndTheLastMatchWin) {
  const Verifier verifier(Mode::kAisbench);
  Budget budget(std::chrono::seconds(5));
  auto first = [&](const std::string& text) {
    const auto answers = verifier.parse_prediction(text, budget);
    return answers.empty() ? std::string("<none>") : answer_text(answers.front());
  };
  EXPECT_EQ(first("First $\\boxed{1}$, then $\\boxed{2}$."), "2");  // the last box
  EXPECT_EQ(first("So \\boxed{7}. The final answer is $8$. I hope it is correct."),
            "8");                                                    // same priority, ends last
  EXPECT_EQ(first("The answer is: $\\frac{1}{2}$ I think"), "1/2");  // an answer phrase
  EXPECT_EQ(first("We get $x = 4$ in the end."), "<none>");          // no anchor, no box
  EXPECT_EQ(first("\\boxed{5 \\text{ cm}}"), "5");                   // units removed
  EXPECT_EQ(first("\\boxed{a = b = 12}"), "12");                     // equations=True: last side
  EXPECT_EQ(first("\\boxed{\\frac12}"), "\\frac12");  // malformed \frac is not repaired: the text is kept
}

TEST(Extraction, GoldFromASolutionTakesTheBoxedAnswer) {
  const Verifier verifier(Mode::kAisbench);
  Budget budget(std::chrono::seconds(5));
  const auto answers = verifier.parse_gold("Since $x = 3$ and $y = 4$, the sum is $\\boxed{7}$.", budget);
  ASSERT_FALSE(answers.empty());
  EXPECT_EQ(answer_text(answers.front()), "7");
  const auto bare = verifier.parse_gold("1,000", budget);
  ASSERT_FALSE(bare.empty());
  EXPECT_EQ(answer_text(bare.front()), "1000");
}

TEST(Verifier, FixedModeReadsBareGoldAnswersWhole) {
  const Verifier parity(Mode::kAisbench);
  const Verifier fixed(Mode::kFixed);
  EXPECT_FALSE(parity.grade("\\boxed{6-5i}", "6-5i").correct);
  EXPECT_TRUE(fixed.grade("\\boxed{6-5i}", "6-5i").correct);
  EXPECT_FALSE(fixed.grade("\\boxed{5}", "6-5i").correct);
  EXPECT_TRUE(parity.grade("\\boxed{25}", "025").correct);
  EXPECT_TRUE(fixed.grade("\\boxed{25}", "025").correct);
}

// Found by the fuzzer: PCRE2's \d (like Python's) matches digits of other scripts (here NKo U+07C0).
TEST(Verifier, ReadsOnlyAsciiDigitsAsNumbers) {
  const Verifier verifier(Mode::kAisbench);
  const Verdict verdict = verifier.grade("\\boxed{1}", "answer: \xDF\x80 ( \xCF\x80 (");
  EXPECT_FALSE(verdict.correct);
}

TEST(Verifier, StopsAtTheTimeBudget) {
  const Verifier verifier(Mode::kAisbench, std::chrono::microseconds(1));
  std::string long_output;
  for (int i = 0; i < 2000; ++i) long_output += "$x_" + std::to_string(i) + "$ and ";
  const Verdict verdict = verifier.grade(long_output + "\\boxed{1}", "$1$");
  EXPECT_TRUE(verdict.timed_out);
  EXPECT_FALSE(verdict.correct);
}

// Many dollar signs around a box once made the environment regex try every one of them.
TEST(Verifier, LongOutputsWithManyDollarsStayCheap) {
  const Verifier verifier(Mode::kAisbench);
  std::string output;
  for (int i = 0; i < 20000; ++i) output += "$x$ ";
  const Verdict verdict = verifier.grade(output + "$\\boxed{3}$", "$3$");
  EXPECT_TRUE(verdict.correct);
  EXPECT_FALSE(verdict.timed_out);
}

TEST(Verifier, GradesConcurrently) {
  const Verifier verifier(Mode::kAisbench);
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        correct += verifier.grade("\\boxed{\\frac{1}{2}}", "$0.5$").correct ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), 200);
}

}  // namespace
}  // namespace evalflow::math_verify
