// Expected verdicts follow LiveCodeBench's grade_stdio (lcb_runner/evaluation/testing_util.py, commit
// 15808c7): get_stripped_lines, then per line exact text or convert_line_to_decimals equality.
#include <gtest/gtest.h>

#include "stdio_match.hpp"

namespace evalflow::code_exec {
namespace {

TEST(StdioMatch, ExtraWhiteSpaceAroundLinesAndTheWholeOutputIsIgnored) {
  EXPECT_TRUE(stdio_outputs_match("3\n", "3"));
  EXPECT_TRUE(stdio_outputs_match("  1 2 3  \n\n", "1 2 3\n"));
  EXPECT_TRUE(stdio_outputs_match("a\r\nb\r\n", "a\nb"));  // '\r' is stripped from each line
  EXPECT_TRUE(stdio_outputs_match("\n\nYes\n", "Yes"));
}

TEST(StdioMatch, LineCountMustAgreeAndInnerEmptyLinesCount) {
  EXPECT_FALSE(stdio_outputs_match("1\n\n2\n", "1\n2\n"));  // "mismatched output length"
  EXPECT_FALSE(stdio_outputs_match("1 2", "1\n2"));
  EXPECT_FALSE(stdio_outputs_match("", "0"));
  EXPECT_TRUE(stdio_outputs_match("", "\n"));  // both strip to one empty line
}

TEST(StdioMatch, TextDiffersButInnerSpacingOfNumbersDoesNot) {
  EXPECT_FALSE(stdio_outputs_match("yes", "Yes"));
  EXPECT_FALSE(stdio_outputs_match("a  b", "a b"));      // text, not numbers: exact after strip
  EXPECT_TRUE(stdio_outputs_match("1  2\t3", "1 2 3"));  // numbers: split() then Decimal equality
}

TEST(StdioMatch, NumbersCompareAsDecimalsExactlyNotWithTolerance) {
  EXPECT_TRUE(stdio_outputs_match("1.0", "1"));
  EXPECT_TRUE(stdio_outputs_match("1e3 -0", "1000 0.000"));
  EXPECT_TRUE(stdio_outputs_match("+5 1_000", "5 1000"));
  EXPECT_TRUE(stdio_outputs_match("Infinity", "inf"));
  EXPECT_FALSE(stdio_outputs_match("0.30000000000000004", "0.3"));
  EXPECT_FALSE(stdio_outputs_match("50000000000000001", "50000000000000000"));  // np.isclose would pass it
  EXPECT_TRUE(stdio_outputs_match("nan", "nan"));                               // equal as text (case 1)
  EXPECT_FALSE(stdio_outputs_match("nan 1", "NaN 1"));  // as Decimals NaN equals nothing
  EXPECT_FALSE(stdio_outputs_match("1 2", "1 2 3"));
  EXPECT_TRUE(stdio_outputs_match("1__0 1e1_0", "10 1E+10"));  // CPython drops every underscore
  EXPECT_FALSE(stdio_outputs_match("1.2.3", "1.2"));           // not a Decimal: wrong answer
  EXPECT_FALSE(stdio_outputs_match("1.5 x", "1.50 x"));  // one word is not a number: the line must be equal
}

}  // namespace
}  // namespace evalflow::code_exec
