#include "evalflow/math_text/normalize_final_answer.hpp"

#include <gtest/gtest.h>

namespace evalflow::math_text {
namespace {

TEST(NormalizeFinalAnswer, KeepsWhatFollowsTheFinalAnswerPhraseAndUnwrapsMath) {
  EXPECT_EQ(normalize_final_answer("The final answer is $\\boxed{42}$"), "42");
  EXPECT_EQ(normalize_final_answer("Therefore the answer is: 7"), "7");
  // "answe" + optional "r": a misspelt "answeis" counts too.
  EXPECT_EQ(normalize_final_answer("answeis 9"), "9");
}

TEST(NormalizeFinalAnswer, RemovesUnitsAndThousandsSeparators) {
  EXPECT_EQ(normalize_final_answer("So the answer is: 1,000 dollars"), "1000");
  EXPECT_EQ(normalize_final_answer("5\\text{ cm}^2"), "5");
  EXPECT_EQ(normalize_final_answer("90^\\circ"), "90");
  // Commas stay when the rest is not all digits.
  EXPECT_EQ(normalize_final_answer("(1,2)"), "(1,2)");
}

TEST(NormalizeFinalAnswer, RepairsFracAndSqrtShorthand) {
  EXPECT_EQ(normalize_final_answer("\\frac12"), "\\frac{1}{2}");
  EXPECT_EQ(normalize_final_answer("\\frac1{72}"), "\\frac{1}{{}72}");
  EXPECT_EQ(normalize_final_answer("\\sqrt3"), "\\sqrt{3}");
  EXPECT_EQ(normalize_final_answer("\\fracαβ"), "\\frac{α}{β}");
  // "rac" without "\frac" becomes "\frac".
  EXPECT_EQ(normalize_final_answer("rac{3}{4}"), "\\frac{3}{4}");
}

TEST(NormalizeFinalAnswer, ReplacesLeEvenInsideLeft) {
  // Substitutions are plain str.replace: "\le" inside "\left" becomes "<ft", and "ft" is a removed unit.
  EXPECT_EQ(normalize_final_answer("\\left( 3, \\frac{\\pi}{2} \\right)"), "<(3,\\frac{\\pi}{2}\\right)");
  EXPECT_EQ(normalize_final_answer("x \\le 5"), "x<5");
}

TEST(NormalizeFinalAnswer, UnwrapsTextAndTextbf) {
  EXPECT_EQ(normalize_final_answer("\\text{(A)}"), "A");
  EXPECT_EQ(normalize_final_answer("\\textbf{B}"), "B");
  EXPECT_EQ(normalize_final_answer("\\overline{C}"), "C");
}

TEST(NormalizeFinalAnswer, TakesTheLastDollarPairAndDropsStrayDollars) {
  EXPECT_EQ(normalize_final_answer("$1$ or $2$"), "2");
  EXPECT_EQ(normalize_final_answer("costs $5"), "costs5");
}

TEST(NormalizeFinalAnswer, EmptyStaysEmpty) {
  EXPECT_EQ(normalize_final_answer(""), "");
}

}  // namespace
}  // namespace evalflow::math_text
