// The verdict rule on the answers judges really give, and on what must not be scored.
#include "verdict.hpp"

#include <gtest/gtest.h>

namespace evalflow::llm_judge {
namespace {

TEST(ParseVerdict, ReadsTheLetterInItsUsualDress) {
  EXPECT_EQ(parse_verdict("A"), true);
  EXPECT_EQ(parse_verdict("B"), false);
  EXPECT_EQ(parse_verdict("  A\n"), true);
  EXPECT_EQ(parse_verdict("**B**"), false);
  EXPECT_EQ(parse_verdict("(A)"), true);
  EXPECT_EQ(parse_verdict("A: CORRECT"), true);
  EXPECT_EQ(parse_verdict("B."), false);
  EXPECT_EQ(parse_verdict("correct"), true);
  EXPECT_EQ(parse_verdict("INCORRECT"), false);
}

TEST(ParseVerdict, ReadsOnlyWhatFollowsTheThinking) {
  EXPECT_EQ(parse_verdict("<think>B looks wrong at first, but A</think>\n\nA"), true);
  EXPECT_EQ(parse_verdict("<think>the gold is 4 and so is the answer</think>B"), false);
}

TEST(ParseVerdict, RefusesWhatIsNeitherLetter) {
  EXPECT_EQ(parse_verdict(""), std::nullopt);
  EXPECT_EQ(parse_verdict("C"), std::nullopt);
  EXPECT_EQ(parse_verdict("a"), std::nullopt);  // the letters are upper case in the prompt
  // OpenCompass takes the first A or B anywhere, so "Based on..." would read as B: here it is a failure.
  EXPECT_EQ(parse_verdict("Based on the reference, the answer is right."), std::nullopt);
  EXPECT_EQ(parse_verdict("AB"), std::nullopt);
  EXPECT_EQ(parse_verdict("<think>A</think>"), std::nullopt);  // an answer only in the thinking
}

}  // namespace
}  // namespace evalflow::llm_judge
