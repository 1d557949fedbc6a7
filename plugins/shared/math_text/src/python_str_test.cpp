#include "evalflow/math_text/python_str.hpp"

#include <gtest/gtest.h>

namespace evalflow::math_text::py {
namespace {

TEST(PythonStr, StripRemovesPythonWhitespaceIncludingUnicodeSpaces) {
  EXPECT_EQ(strip(" \t\n5 \r"), "5");
  // U+3000 ideographic space, U+2003 em space, U+001C file separator: all str.isspace().
  EXPECT_EQ(strip("\u3000a b\u2003\x1c"), "a b");
  // U+200B zero width space is not whitespace for Python.
  EXPECT_EQ(strip("\u200bx"), "\u200bx");
  EXPECT_EQ(strip("   "), "");
}

TEST(PythonStr, LengthCountsCharactersNotBytes) {
  EXPECT_EQ(length("αβ"), 2U);
  EXPECT_EQ(length("x"), 1U);
  // A stray continuation byte counts as one character.
  EXPECT_EQ(length("a\x80"), 2U);
}

TEST(PythonStr, CharacterAtDecodesUtf8AndFlagsStrayBytes) {
  const Character alpha = character_at("α1", 0);
  EXPECT_EQ(alpha.code_point, U'α');
  EXPECT_EQ(alpha.size, 2U);
  EXPECT_EQ(character_at("\xff", 0).code_point, kInvalidCodePoint);
}

TEST(PythonStr, ValidUtf8HasNoStrayBytes) {
  EXPECT_TRUE(is_valid_utf8("αβ \\frac{1}{2}"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("a\x80"));
  EXPECT_FALSE(is_valid_utf8("\xce"));  // a lead byte cut off
}

TEST(PythonStr, IsdigitAcceptsUnicodeDigitsButNotEmpty) {
  EXPECT_TRUE(isdigit("0123"));
  EXPECT_TRUE(isdigit("²³"));  // superscripts are digits, not decimals
  EXPECT_TRUE(isdigit("٣"));   // Arabic-Indic three
  EXPECT_FALSE(isdigit(""));
  EXPECT_FALSE(isdigit("1.5"));
  EXPECT_FALSE(isdigit("½"));  // numeric, not a digit
}

TEST(PythonStr, RegexClassesFollowPythonUnicodeRules) {
  EXPECT_TRUE(is_word(U'π'));
  EXPECT_TRUE(is_word(U'_'));
  EXPECT_TRUE(is_word(U'²'));  // category No
  EXPECT_FALSE(is_word(U'{'));
  EXPECT_TRUE(is_decimal(U'٣'));
  EXPECT_FALSE(is_decimal(U'²'));
}

TEST(PythonStr, ReplaceAllDoesNotRescanItsOutput) {
  std::string text = "aaa";
  replace_all(text, "aa", "a");
  EXPECT_EQ(text, "aa");
  text = "a b c";
  replace_all(text, " ", "");
  EXPECT_EQ(text, "abc");
  text = "ab";
  replace_all(text, "b", "bb");
  EXPECT_EQ(text, "abb");
}

TEST(PythonStr, SplitKeepsEmptyPiecesLikePython) {
  const auto pieces = split(".a..b.", ".");
  ASSERT_EQ(pieces.size(), 5U);
  EXPECT_EQ(pieces[0], "");
  EXPECT_EQ(pieces[1], "a");
  EXPECT_EQ(pieces[2], "");
  EXPECT_EQ(pieces[3], "b");
  EXPECT_EQ(pieces[4], "");
  EXPECT_EQ(split("abc", "\\sqrt").size(), 1U);
}

TEST(PythonStr, CountIsNonOverlapping) {
  EXPECT_EQ(count("aaaa", "aa"), 2U);
  EXPECT_EQ(count("x", "y"), 0U);
}

TEST(PythonStr, RstripAndAsciiLower) {
  EXPECT_EQ(rstrip("5...", '.'), "5");
  EXPECT_EQ(ascii_lower("Final ANSWER Ä"), "final answer Ä");
}

}  // namespace
}  // namespace evalflow::math_text::py
