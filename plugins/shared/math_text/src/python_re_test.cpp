#include "evalflow/math_text/python_re.hpp"

#include <gtest/gtest.h>

namespace evalflow::math_text::py {
namespace {

TEST(PythonRe, SubLazyUnwrapsEachGroupUpToTheFirstClose) {
  EXPECT_EQ(sub_lazy("a\\text{b}c\\text{d}}", "\\text{", "}", Keep::inner), "abcd}");
  EXPECT_EQ(sub_lazy("x\\mbox{cm}y", "\\mbox{", "}", Keep::nothing), "xy");
  EXPECT_EQ(sub_lazy("no match", "\\text{", "}", Keep::inner), "no match");
}

TEST(PythonRe, SubLazyDoesNotCrossNewlinesButTriesLaterOpens) {
  // Python: re.sub(r'(\\text\{)(.*?)(\})', r'\2', 'a\\text{b}c\\text{d\ne}f\\text{g}') == 'abc\\text{d\ne}fg'
  EXPECT_EQ(sub_lazy("a\\text{b}c\\text{d\ne}f\\text{g}", "\\text{", "}", Keep::inner), "abc\\text{d\ne}fg");
}

TEST(PythonRe, OpensBeforeANewlineAllFailAndLaterOnesMatch) {
  // Python: re.findall(r'\$(.*?)\$', '$a\n$b$') == ['b'] and
  //         re.findall(r'\$(.*?)\$', '$a $b\nc$ $d$') == ['a ', ' ']
  EXPECT_EQ(findall_last_lazy("$a\n$b$", "$", "$"), "b");
  EXPECT_EQ(findall_last_lazy("$a $b\nc$ $d$", "$", "$"), " ");
  EXPECT_EQ(sub_lazy("\\text{a \\text{b\n}\\text{c}", "\\text{", "}", Keep::inner), "\\text{a \\text{b\n}c");
}

TEST(PythonRe, SubLazyWithoutCloseLeavesTheRest) {
  EXPECT_EQ(sub_lazy("\\text{a}\\text{b", "\\text{", "}", Keep::inner), "a\\text{b");
}

TEST(PythonRe, FindallLastLazyTakesTheLastNonOverlappingMatch) {
  EXPECT_EQ(findall_last_lazy("a $x$ b $y$ c $z", "$", "$"), "y");
  EXPECT_EQ(findall_last_lazy("$$", "$", "$"), "");
  EXPECT_EQ(findall_last_lazy("oxed{1} oxed{2}}", "oxed{", "}"), "2");
  EXPECT_FALSE(findall_last_lazy("$x", "$", "$").has_value());
}

}  // namespace
}  // namespace evalflow::math_text::py
