#include <gtest/gtest.h>

#include "exact_match.hpp"

namespace evalflow::exact_match {
namespace {

TEST(ExactMatch, ExactByDefault) {
  EXPECT_TRUE(matches("204", "204", {}));
  EXPECT_FALSE(matches("204 ", "204", {}));
  EXPECT_FALSE(matches("Yes", "yes", {}));
  EXPECT_FALSE(matches("", "0", {}));
  EXPECT_TRUE(matches("", "", {}));
}

TEST(ExactMatch, TrimIgnoresSurroundingWhiteSpaceOnly) {
  const MatchOptions trim{.trim = true};
  EXPECT_TRUE(matches(" \t204\n", "204", trim));
  EXPECT_TRUE(matches("204", "\r\n204  ", trim));
  EXPECT_FALSE(matches("2 04", "204", trim));
  EXPECT_TRUE(matches("   ", "", trim));
}

TEST(ExactMatch, CaseInsensitiveFoldsAsciiAndUnicode) {
  const MatchOptions fold{.case_insensitive = true};
  EXPECT_TRUE(matches("YES", "yes", fold));
  EXPECT_FALSE(matches("yes ", "yes", fold));
  EXPECT_FALSE(matches("yes", "yet", fold));
  EXPECT_TRUE(matches("\xC3\x89T\xC3\x89", "\xC3\xA9t\xC3\xA9", fold));  // ÉTÉ vs été
  EXPECT_TRUE(
      matches("Stra\xC3\x9F"
              "e",
              "STRASSE", fold));                        // ß folds to ss
  EXPECT_TRUE(matches("e\xCC\x81", "\xC3\x89", fold));  // decomposed é vs composed É
  EXPECT_FALSE(matches("\xFF", "\xFE", fold));          // invalid UTF-8: bytes differ
  EXPECT_TRUE(matches(" Abc ", "aBC", {.trim = true, .case_insensitive = true}));
}

}  // namespace
}  // namespace evalflow::exact_match
