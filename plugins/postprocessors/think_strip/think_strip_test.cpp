#include <gtest/gtest.h>

#include "think_strip.hpp"

namespace evalflow::think_strip {
namespace {

TEST(VisibleAnswer, KeepsWhatFollowsTheClosedThinking) {
  const VisibleAnswer answer = visible_answer("<think>\nlet me see</think>\n\nThe answer is \\boxed{3}.");
  EXPECT_EQ(answer.text, "\n\nThe answer is \\boxed{3}.");
  EXPECT_FALSE(answer.truncated);
}

TEST(VisibleAnswer, OnlyAClosingTagAsWhenTheTemplatePrefillsThink) {
  const VisibleAnswer answer = visible_answer("reasoning \\boxed{1}...</think>final \\boxed{2}");
  EXPECT_EQ(answer.text, "final \\boxed{2}");
  EXPECT_FALSE(answer.truncated);
}

TEST(VisibleAnswer, UsesTheLastClosingTag) {
  EXPECT_EQ(visible_answer("a</think>b</think>c").text, "c");
}

TEST(VisibleAnswer, UnclosedThinkIsTruncatedAndShowsNothingOfTheThinking) {
  const VisibleAnswer answer = visible_answer("<think>\nstill thinking \\boxed{5}");
  EXPECT_EQ(answer.text, "");
  EXPECT_TRUE(answer.truncated);
}

TEST(VisibleAnswer, ThinkingReopenedAfterTheLastCloseIsTruncatedThere) {
  const VisibleAnswer answer = visible_answer("<think>a</think>shown<think>more");
  EXPECT_EQ(answer.text, "shown");
  EXPECT_TRUE(answer.truncated);
}

TEST(VisibleAnswer, NoTagsKeepsEverything) {
  const VisibleAnswer answer = visible_answer("plain answer \\boxed{4}");
  EXPECT_EQ(answer.text, "plain answer \\boxed{4}");
  EXPECT_FALSE(answer.truncated);
}

}  // namespace
}  // namespace evalflow::think_strip
