// Expected results follow LiveCodeBench's extract_code (lcb_runner/utils/extraction_utils.py).
#include <gtest/gtest.h>

#include "code_extract.hpp"

namespace evalflow::code_extract {
namespace {

constexpr std::string_view kTwoBlocks =
    "First try:\n```python\nprint(1)\n```\nBetter:\n```python\nimport sys\nprint(2)\n```\nDone.";

TEST(CodeExtract, LastBlockIsTheDefaultAndFirstIsOffered) {
  EXPECT_EQ(extract_code(kTwoBlocks, {}), "import sys\nprint(2)");
  EXPECT_EQ(extract_code(kTwoBlocks, {.block = Block::first}), "print(1)");
}

TEST(CodeExtract, FewerThanTwoFenceLinesGiveNothing) {
  EXPECT_EQ(extract_code("print(1)", {}), "");
  EXPECT_EQ(extract_code("```python\nprint(1)\n", {}), "");  // truncated: the reference gives ""
}

TEST(CodeExtract, AnyLineContainingAFenceCountsWhateverTheLanguageTag) {
  EXPECT_EQ(extract_code("```py\nx = 1\n```", {}), "x = 1");
  EXPECT_EQ(extract_code("text ``` inline\ncode\n```", {}), "code");
  // The last two fence lines: with three fences the "block" is the text between the 2nd and 3rd.
  EXPECT_EQ(extract_code("```\na\n```\nprose\n```\n", {}), "prose");
}

TEST(CodeExtract, R1OutputsAreReadAfterTheirThinking) {
  const std::string_view r1 = "<think>\n```python\nwrong()\n```\n</think>\n```python\nright()\n```\n";
  EXPECT_EQ(extract_code(r1, {}), "right()");
  EXPECT_EQ(extract_code(r1, {.block = Block::first, .after_think = false}), "wrong()");
}

}  // namespace
}  // namespace evalflow::code_extract
