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

TEST(CodeExtract, LanguageTagsPickBlocksPairedInOrder) {
  constexpr std::string_view kMixed =
      "Run it:\n```bash\npython3 a.py\n```\nCode:\n```Python\nprint(1)\n```\nOutput:\n```\n1\n```\n";
  EXPECT_EQ(extract_code(kMixed, {}), "1");  // the reference rule takes the last block whatever its tag
  EXPECT_EQ(extract_code(kMixed, {.languages = {"python", "py"}}), "print(1)");
  EXPECT_EQ(extract_code(kMixed, {.block = Block::first, .languages = {"python", ""}}), "print(1)");
  EXPECT_EQ(extract_code(kMixed, {.languages = {"python", ""}}), "1");
  EXPECT_EQ(extract_code(kMixed, {.languages = {"cpp"}}), "");
  // A tag followed by more of the info string; the tag alone is compared.
  EXPECT_EQ(extract_code("```python3 title=sol.py\nx = 3\n```", {.languages = {"python3"}}), "x = 3");
}

TEST(CodeExtract, AfterThinkLooksOnlyPastTheLastClosingTag) {
  // Without a closing tag the whole text is searched (an unfinished thought may still hold the code).
  EXPECT_EQ(extract_code("<think>\n```\nguess()\n```\n", {}), "guess()");
  EXPECT_EQ(extract_code("<think>a</think>b</think>\nno code", {}), "");
}

}  // namespace
}  // namespace evalflow::code_extract
