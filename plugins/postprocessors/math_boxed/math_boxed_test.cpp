#include <gtest/gtest.h>

#include "math_postprocess.hpp"

namespace evalflow::math_boxed {
namespace {

TEST(MathPostprocessV2, TakesTheLastBoxWithNestedBraces) {
  EXPECT_EQ(math_postprocess_v2("so \\boxed{\\frac{1}{\\sqrt{2}}}."), "\\frac{1}{\\sqrt{2}}");
  EXPECT_EQ(math_postprocess_v2("first \\boxed{1}, finally \\boxed{2}"), "2");
}

TEST(MathPostprocessV2, BoxedContentIsReturnedRawNotNormalised) {
  EXPECT_EQ(math_postprocess_v2("\\boxed{ 1,000 \\text{ dollars} }"), " 1,000 \\text{ dollars} ");
}

TEST(MathPostprocessV2, DropsOneOuterBracePair) {
  EXPECT_EQ(math_postprocess_v2("\\boxed{{5}}"), "5");
}

TEST(MathPostprocessV2, LastFboxDoesNotCrash) {
  EXPECT_EQ(math_postprocess_v2("Answer: \\fbox{7}"), "7");
}

TEST(MathPostprocessV2, UnbalancedBoxFallsBackToTheAnswerSentence) {
  // No balanced box: the sentence with "answer is" goes through normalize_final_answer, whose greedy
  // \boxed{...} unwrapping runs to the last '}'.
  EXPECT_EQ(math_postprocess_v2("The answer is \\boxed{\\frac{1}{2}"), "\\frac{1}{2");
}

TEST(MathPostprocessV2, EmptyBoxFallsBackToTheAnswerSentence) {
  EXPECT_EQ(math_postprocess_v2("\\boxed{} The final answer is 3."), "3");
}

TEST(MathPostprocessV2, WithoutBoxUsesTheFirstSentenceWithAnswerIs) {
  EXPECT_EQ(math_postprocess_v2("We compute. So the answer is 12 dollars. Done."), "12");
  // The phrase test ignores case; normalize_final_answer's own "answeris" search does not.
  EXPECT_EQ(math_postprocess_v2("FINAL ANSWER: 7"), "FINALANSWER:7");
}

TEST(MathPostprocessV2, SentencesAreSplitOnEveryDotEvenInDecimals) {
  EXPECT_EQ(math_postprocess_v2("The answer is 3.5"), "3");
}

TEST(MathPostprocessV2, WithoutBoxOrPhraseUsesTheFirstSentence) {
  EXPECT_EQ(math_postprocess_v2("42. Because it is."), "42");
  EXPECT_EQ(math_postprocess_v2(""), "");
}

}  // namespace
}  // namespace evalflow::math_boxed
