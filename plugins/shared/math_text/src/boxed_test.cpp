#include "evalflow/math_text/boxed.hpp"

#include <gtest/gtest.h>

namespace evalflow::math_text {
namespace {

TEST(LastBoxedOnlyString, TakesTheLastBoxWithItsMatchingBrace) {
  EXPECT_EQ(last_boxed_only_string("\\boxed{1} then \\boxed{\\frac{1}{2}} end"), "\\boxed{\\frac{1}{2}}");
}

TEST(LastBoxedOnlyString, FboxOnlyWhenThereIsNoBoxed) {
  EXPECT_EQ(last_boxed_only_string("\\fbox{2} and \\boxed{3} and \\fbox{4}"), "\\boxed{3}");
  EXPECT_EQ(last_boxed_only_string("\\fbox{2} and \\fbox{4}"), "\\fbox{4}");
}

TEST(LastBoxedOnlyString, UnbalancedBracesFindNothing) {
  EXPECT_FALSE(last_boxed_only_string("\\boxed{\\frac{1}{2}").has_value());
  EXPECT_FALSE(last_boxed_only_string("no box here").has_value());
  // The count starts at the command: a '}' before any '{' drives it negative, never back to zero.
  EXPECT_FALSE(last_boxed_only_string("\\boxed 5} {x}").has_value());
}

TEST(ExtractBoxedAnswer, RemovesTheWrapper) {
  EXPECT_EQ(extract_boxed_answer("so \\boxed{x^{2}}.", false), "x^{2}");
  EXPECT_EQ(extract_boxed_answer("\\boxed{}", false), "");
}

TEST(ExtractBoxedAnswer, StripsOneOuterBracePairOnlyWhenAsked) {
  EXPECT_EQ(extract_boxed_answer("\\boxed{{5}}", true), "5");
  EXPECT_EQ(extract_boxed_answer("\\boxed{{5}}", false), "{5}");
  // Greedy group: "{a}{b}" is one outer pair around "a}{b".
  EXPECT_EQ(extract_boxed_answer("\\boxed{{a}{b}}", true), "a}{b");
  EXPECT_EQ(extract_boxed_answer("\\boxed{(1,2)}", true), "(1,2)");
}

TEST(ExtractBoxedAnswer, OuterBracesFollowPythonNewlineRules) {
  // '$' matches before a final newline, and the group excludes it.
  EXPECT_EQ(extract_boxed_answer("\\boxed{{a}\n}", true), "a");
  // '.' cannot cross a newline inside the group.
  EXPECT_EQ(extract_boxed_answer("\\boxed{{a\nb}}", true), "{a\nb}");
  EXPECT_EQ(extract_boxed_answer("\\boxed{{a}\n\n}", true), "{a}\n\n");
}

TEST(ExtractBoxedAnswer, LastFboxAnswersInsteadOfRaising) {
  EXPECT_EQ(extract_boxed_answer("the result is \\fbox{7}", true), "7");
}

TEST(ExtractBoxedAnswer, CommandNotFollowedByBraceFindsNothing) {
  EXPECT_FALSE(extract_boxed_answer("\\boxed {7}", true).has_value());
  EXPECT_FALSE(extract_boxed_answer("\\boxed{1} and \\boxedx{7}", true).has_value());
}

}  // namespace
}  // namespace evalflow::math_text
