// Expected verdicts of the aisbench_gsm8k rule are what AISBench's Gsm8kEvaluator.is_equal returns on the
// same strings (checked with CPython 3.11's float() and int() when written).
#include <gtest/gtest.h>

#include <cmath>

#include "number_match.hpp"

namespace evalflow::number_match {
namespace {

bool lenient(std::string_view prediction, std::string_view gold) {
  return compare(prediction, gold, Rule::kLenient, 1e-6).correct;
}
bool aisbench(std::string_view prediction, std::string_view gold) {
  return compare(prediction, gold, Rule::kAisbenchGsm8k, 1e-6).correct;
}

TEST(Lenient, IgnoresWhatSurroundsTheNumber) {
  EXPECT_TRUE(lenient("72", "72"));
  EXPECT_TRUE(lenient("$1,234", "1234"));
  EXPECT_TRUE(lenient("72.0", "72"));
  EXPECT_TRUE(lenient("72.00", "72"));
  EXPECT_TRUE(lenient(" 25% ", "25"));
  EXPECT_TRUE(lenient("18.", "18"));
  EXPECT_TRUE(lenient("-$5", "-5"));
  EXPECT_TRUE(lenient("$-5", "-5"));
  EXPECT_TRUE(lenient("0.5", ".5"));
  EXPECT_TRUE(lenient("3,600", "3,600"));
}

TEST(Lenient, DifferentOrNonNumbersAreWrong) {
  EXPECT_FALSE(lenient("71", "72"));
  EXPECT_FALSE(lenient("72.01", "72"));
  EXPECT_FALSE(lenient("-72", "72"));
  EXPECT_FALSE(lenient("[invalid]", "72"));
  EXPECT_FALSE(lenient("NULL", "72"));
  EXPECT_FALSE(lenient("", "72"));
  EXPECT_FALSE(lenient("1e3", "1000"));  // no exponents: models do not write GSM8K answers so
  EXPECT_FALSE(lenient("3/4", "0.75"));
}

TEST(Lenient, ReportsAGoldThatIsNoNumber) {
  EXPECT_FALSE(compare("72", "#### 72", Rule::kLenient, 1e-6).gold_is_number);
  EXPECT_TRUE(compare("x", "72", Rule::kLenient, 1e-6).gold_is_number);
}

TEST(AisbenchGsm8k, FloatOfThePredictionAgainstIntOfTheGold) {
  EXPECT_TRUE(aisbench("72", "72"));
  EXPECT_TRUE(aisbench("72.0", "72"));
  EXPECT_TRUE(aisbench("7.2e1", "72"));  // float() takes exponents
  EXPECT_TRUE(aisbench(" 72\n", "72"));  // and surrounding white space
  EXPECT_TRUE(aisbench("1_000", "1000"));
  EXPECT_TRUE(aisbench("72.0000001", "72"));
  EXPECT_FALSE(aisbench("72.00001", "72"));
  EXPECT_FALSE(aisbench("$72", "72"));
  EXPECT_FALSE(aisbench("1,000", "1000"));
  EXPECT_FALSE(aisbench("NULL", "72"));
  EXPECT_FALSE(aisbench("inf", "72"));
}

TEST(AisbenchGsm8k, AGoldIntRejectsOnlyMatchesAsTheSameString) {
  EXPECT_FALSE(aisbench("72", "72.0"));   // int('72.0') raises: not equal
  EXPECT_TRUE(aisbench("72.0", "72.0"));  // but pred == refer comes first
  EXPECT_FALSE(compare("72", "72.0", Rule::kAisbenchGsm8k, 1e-6).gold_is_number);
}

TEST(PythonSyntax, FloatAndInt) {
  EXPECT_EQ(python_float("-1.5"), -1.5);
  EXPECT_EQ(python_float("+.5"), 0.5);
  EXPECT_EQ(python_float("5."), 5.0);
  EXPECT_TRUE(std::isinf(*python_float("-Infinity")));
  EXPECT_TRUE(std::isnan(*python_float("nan")));
  EXPECT_FALSE(python_float("1__0"));
  EXPECT_FALSE(python_float("_1"));
  EXPECT_FALSE(python_float("."));
  EXPECT_FALSE(python_float("1e"));
  EXPECT_EQ(python_int("072"), 72.0);
  EXPECT_EQ(python_int("-3"), -3.0);
  EXPECT_FALSE(python_int("3.0"));
  EXPECT_FALSE(python_int("3e2"));
}

}  // namespace
}  // namespace evalflow::number_match
