// Python's == between a returned value (as harness.py encodes it) and json.loads(expected).
#include <gtest/gtest.h>

#include "python_equal.hpp"

namespace evalflow::code_exec {
namespace {

using nlohmann::json;

bool equal(const char* prediction, const char* expected) {
  return python_equal(json::parse(prediction), json::parse(expected));
}

TEST(PythonEqual, NumbersCompareByValueAcrossIntFloatAndBool) {
  EXPECT_TRUE(equal("1", "1.0"));   // 1 == 1.0
  EXPECT_TRUE(equal("true", "1"));  // True == 1
  EXPECT_TRUE(equal("false", "0.0"));
  EXPECT_FALSE(equal("0.30000000000000004", "0.3"));
  EXPECT_FALSE(equal("1", "\"1\""));
  EXPECT_TRUE(equal("18446744073709551615", "18446744073709551615"));
  EXPECT_FALSE(equal("-1", "18446744073709551615"));
}

TEST(PythonEqual, ContainersCompareElementWise) {
  EXPECT_TRUE(equal("[[1, 2], [3]]", "[[1, 2], [3]]"));
  EXPECT_FALSE(equal("[1, 2]", "[2, 1]"));
  EXPECT_FALSE(equal("[1]", "[1, 1]"));
  EXPECT_TRUE(equal(R"({"a": [1], "b": null})", R"({"b": null, "a": [1.0]})"));
  EXPECT_FALSE(equal(R"({"a": 1})", R"({"a": 1, "b": 2})"));
  EXPECT_FALSE(equal("null", "0"));
  EXPECT_TRUE(equal("\"abc\"", "\"abc\""));
}

TEST(PythonEqual, TaggedValuesEqualNothing) {
  // A tuple inside a list: [(1, 2)] != [[1, 2]] in Python.
  EXPECT_FALSE(equal(R"j([{"$py": "tuple", "repr": "(1, 2)"}])j", "[[1, 2]]"));
  EXPECT_FALSE(equal(R"j({"$py": "float('inf')"})j", "1.5"));
}

}  // namespace
}  // namespace evalflow::code_exec
