#include "records/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace evalflow {
namespace {

// Every input gives what nlohmann::json::parse gives: the same value and the same type of number, or a
// refusal where it refuses.
TEST(JsonText, AgreesWithNlohmannOnValuesAndNumberTypes) {
  const std::vector<std::string> inputs = {
      R"([{"role": "user", "content": "What is 1 + 1?\nAnswer: \u00e9\ud83d\ude00"}])",
      R"({"a": 1, "a": 2, "b": [true, false, null], "c": {"d": -0.5e-3}})",
      "-9223372036854775808",
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551615",
      "18446744073709551616",
      "123456789012345678901234567890",
      "-0.0",
      "1.0",
      "1e2",
      "1E-400",
      R"("a\u0000b")",
      " [ ] ",
      "{}",
      R"("tab\tquote\"slash\\/")",
  };
  for (const auto& input : inputs) {
    const nlohmann::json expected = nlohmann::json::parse(input);
    const auto parsed = parse_json_text(input);
    ASSERT_TRUE(parsed.has_value()) << input;
    EXPECT_EQ(*parsed, expected) << input;
    EXPECT_EQ(parsed->type(), expected.type()) << input;
    EXPECT_EQ(parsed->dump(), expected.dump()) << input;
  }
}

// "-0" is integer zero either way; nlohmann files it as signed, simdjson's value cannot say, so it is the
// one number whose type differs (its value, comparison and text do not).
TEST(JsonText, NegativeIntegerZeroIsZero) {
  const auto parsed = parse_json_text("[-0]");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, nlohmann::json::parse("[-0]"));
  EXPECT_EQ(parsed->dump(), "[0]");
  EXPECT_TRUE((*parsed)[0].is_number_integer());
}

TEST(JsonText, RefusesWhatNlohmannRefuses) {
  const std::vector<std::string> inputs = {
      "", "[1,]", "{\"a\" 1}", "[1] 2", "\"unterminated", "nan", "1e400", "\"\xff\"", "[01]", "{'a': 1}",
  };
  for (const auto& input : inputs) {
    EXPECT_TRUE(nlohmann::json::parse(input, nullptr, false).is_discarded()) << input;
    EXPECT_FALSE(parse_json_text(input).has_value()) << input;
  }
}

TEST(JsonText, DeepNestingBeyondSimdjsonsLimitStillParses) {
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  const auto parsed = parse_json_text(deep);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, nlohmann::json::parse(deep));
}

}  // namespace
}  // namespace evalflow
