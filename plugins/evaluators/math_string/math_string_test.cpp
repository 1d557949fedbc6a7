#include <gtest/gtest.h>

#include "is_equiv.hpp"

namespace evalflow::math_string {
namespace {

bool v1(std::string_view a, std::string_view b) {
  return is_equiv(a, b, Version::v1);
}
bool v2(std::string_view a, std::string_view b) {
  return is_equiv(a, b, Version::v2);
}

TEST(IsEquiv, NoneIsOnlyEqualToNone) {
  EXPECT_TRUE(is_equiv(std::nullopt, std::nullopt, Version::v2));
  EXPECT_FALSE(is_equiv("5", std::nullopt, Version::v2));
  EXPECT_FALSE(is_equiv(std::nullopt, "5", Version::v1));
}

TEST(IsEquiv, TrailingZeroDecimalsAreEqualOnlyUnderV2) {
  EXPECT_TRUE(v2("5.00", "5"));
  EXPECT_FALSE(v1("5.00", "5"));
}

TEST(IsEquiv, HalfAsDecimalIsEqualOnlyUnderV1) {
  EXPECT_TRUE(v1("0.5", "\\frac{1}{2}"));
  EXPECT_FALSE(v2("0.5", "\\frac{1}{2}"));
}

TEST(IsEquiv, ZeroPaddedIntegersAreNotEqual) {
  EXPECT_FALSE(v1("025", "25"));
  EXPECT_FALSE(v2("025", "25"));
}

TEST(IsEquiv, FractionSpellingsAreEqualInBothVersions) {
  for (auto is_equal : {v1, v2}) {
    EXPECT_TRUE(is_equal("\\dfrac{1}{2}", "\\frac12"));
    EXPECT_TRUE(is_equal("3/4", "\\frac{3}{4}"));
    EXPECT_TRUE(is_equal("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"));
  }
}

TEST(IsEquiv, ShortLeftSidesAndPercentSignsAreDropped) {
  for (auto is_equal : {v1, v2}) {
    EXPECT_TRUE(is_equal("x = 5", "5"));
    EXPECT_TRUE(is_equal("10\\%", "10"));
  }
  // A left side longer than two characters stays.
  EXPECT_FALSE(v2("abc = 5", "5"));
}

TEST(IsEquiv, ThousandsSeparatorsAreEqualThroughNormalizeFinalAnswer) {
  EXPECT_TRUE(v1("1,000", "1000"));
  EXPECT_TRUE(v2("1,000", "1000"));
}

TEST(IsEquiv, V2OnlyRules) {
  EXPECT_TRUE(v2("infinity", "\\infty"));
  EXPECT_FALSE(v1("infinity", "\\infty"));
  EXPECT_TRUE(v2("3+2j", "3+2i"));
  EXPECT_FALSE(v1("3+2j", "3+2i"));
  EXPECT_TRUE(v2("5.", "5"));
  EXPECT_FALSE(v1("5.", "5"));
  EXPECT_TRUE(v2("10 \\text{miles}", "10"));
  EXPECT_TRUE(v2("$42$", "42"));
}

TEST(IsEquiv, V1StripFailureFallsBackToNormalizeFinalAnswer) {
  // Two "\text{ " make v1's _remove_right_units raise; the raw normalize_final_answer step still
  // unwraps both \text{} and compares "ab" with "ab".
  EXPECT_TRUE(v1("\\text{ a}\\text{ b}", "ab"));
  // One unit is stripped and "0.5" becomes "\frac{1}{2}"; with two, strip raises and that rule is lost.
  EXPECT_TRUE(v1("0.5\\text{ m}", "\\frac{1}{2}"));
  EXPECT_FALSE(v1("0.5\\text{ m}\\text{ s}", "\\frac{1}{2}"));
}

TEST(IsEquiv, DifferentAnswersAreNotEqual) {
  EXPECT_FALSE(v2("12", "21"));
  EXPECT_FALSE(v1("\\frac{1}{3}", "\\frac{1}{2}"));
}

}  // namespace
}  // namespace evalflow::math_string
