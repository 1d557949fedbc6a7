#include "strip_string.hpp"

#include <gtest/gtest.h>

namespace evalflow::math_string {
namespace {

TEST(FixFracs, AddsBracesToShorthand) {
  EXPECT_EQ(fix_fracs("\\frac12"), "\\frac{1}{2}");
  EXPECT_EQ(fix_fracs("\\frac1{72}"), "\\frac{1}{72}");
  EXPECT_EQ(fix_fracs("\\frac{3}{4}"), "\\frac{3}{4}");
  // Characters, not bytes.
  EXPECT_EQ(fix_fracs("\\fracαβ"), "\\frac{α}{β}");
}

TEST(FixFracs, LeavesTheWholeStringWhenAFracIsTooShort) {
  EXPECT_EQ(fix_fracs("\\frac12+\\frac1"), "\\frac12+\\frac1");
  EXPECT_EQ(fix_fracs("x\\frac"), "x\\frac");
}

TEST(FixASlashB, OnlyIntegersPrintedThePythonWay) {
  EXPECT_EQ(fix_a_slash_b("3/4"), "\\frac{3}{4}");
  EXPECT_EQ(fix_a_slash_b("-3/4"), "\\frac{-3}{4}");
  EXPECT_EQ(fix_a_slash_b("03/4"), "03/4");
  EXPECT_EQ(fix_a_slash_b("-0/4"), "-0/4");
  EXPECT_EQ(fix_a_slash_b("3 /4"), "3 /4");
  EXPECT_EQ(fix_a_slash_b("3/4/5"), "3/4/5");
  EXPECT_EQ(fix_a_slash_b("a/b"), "a/b");
  EXPECT_EQ(fix_a_slash_b("/4"), "/4");
}

TEST(StripStringV1, NormalisesTheHendrycksWay) {
  EXPECT_EQ(strip_string_v1("\\dfrac{1}{2}"), "\\frac{1}{2}");
  EXPECT_EQ(strip_string_v1(".5"), "\\frac{1}{2}");  // ".5" -> "0.5" -> \frac{1}{2}
  EXPECT_EQ(strip_string_v1("5 \\text{ cm}"), "5");
  EXPECT_EQ(strip_string_v1("\\sqrt3x"), "\\sqrt{3}x");
  EXPECT_EQ(strip_string_v1("90^\\circ"), "90");
  EXPECT_EQ(strip_string_v1(""), "");
}

TEST(StripStringV1, RaisesWherePythonRaises) {
  EXPECT_FALSE(strip_string_v1("1\\text{ m}\\text{ s}").has_value());
  EXPECT_FALSE(strip_string_v1("2\\sqrt").has_value());
}

TEST(StripStringV2, DropsZeroDecimalsButNotOthers) {
  EXPECT_EQ(strip_string_v2("5.000"), "5");
  EXPECT_EQ(strip_string_v2("5.00x"), "5x");
  EXPECT_EQ(strip_string_v2("1.50"), "1.50");
  EXPECT_EQ(strip_string_v2("0.5"), "0.5");
}

TEST(StripStringV2, RemovesUnitsTextAndMarkup) {
  EXPECT_EQ(strip_string_v2("10 \\text{miles}"), "10");
  // Nothing would be left: the \text{} stays, only the command name goes.
  EXPECT_EQ(strip_string_v2("\\text{yes}"), "{yes}");
  EXPECT_EQ(strip_string_v2("3\\mbox{cm}"), "3");
  EXPECT_EQ(strip_string_v2("x\\in [1,2]"), "[1,2]");
  EXPECT_EQ(strip_string_v2("2 \\cdot 3"), "23");
  EXPECT_EQ(strip_string_v2("\\mathbf{v}"), "{v}");
  // Every "and" goes, even inside words.
  EXPECT_EQ(strip_string_v2("candy"), "cy");
}

TEST(StripStringV2, RewritesInfinityAndImaginaryUnit) {
  EXPECT_EQ(strip_string_v2("-infinity"), "-\\infty");
  EXPECT_EQ(strip_string_v2("(-inf, 0)"), "(-\\infty,0)");
  EXPECT_EQ(strip_string_v2("1+j"), "1+i");
  EXPECT_EQ(strip_string_v2("ij"), "ij");
}

TEST(StripStringV2, SqrtTakesTheWholeWord) {
  EXPECT_EQ(strip_string_v2("\\sqrt3x"), "\\sqrt{3x}");
  EXPECT_EQ(strip_string_v2("\\sqrt{3}"), "\\sqrt{3}");
}

TEST(StripStringV2, TrimsAndDropsTrailingDots) {
  EXPECT_EQ(strip_string_v2("  7...\n"), "7");
  EXPECT_EQ(strip_string_v2("k = 7"), "7");
}

}  // namespace
}  // namespace evalflow::math_string
