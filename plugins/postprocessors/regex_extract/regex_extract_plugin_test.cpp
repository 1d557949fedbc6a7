// The regex_extract plugin through the real host: loader, options schema, declared fields, records.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

TEST(RegexExtractPlugin, DeclaresTheOptionNamedFields) {
  const LoadedNode node("regex_extract", R"({"preset": "aisbench_gpqa"})");
  EXPECT_EQ(node.type().kind, EF_NODE_FUNCTION);
  EXPECT_EQ(node.type().concurrency, EF_CONCURRENCY_UNLIMITED);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 1U);
  EXPECT_EQ(fields.reads[0].name, "prediction");
  ASSERT_EQ(fields.writes.size(), 2U);
  EXPECT_EQ(fields.writes[0].name, "extracted");
  EXPECT_EQ(fields.writes[1].name, "extracted_pattern");
  EXPECT_EQ(fields.writes[1].type, EF_TYPE_STRING);
}

TEST(RegexExtractPlugin, APresetCanSetTheFieldsItself) {
  const LoadedNode node("regex_extract", R"({"preset": "gsm8k_gold"})");
  const auto fields = node.fields();
  EXPECT_EQ(fields.reads[0].name, "gold");
  EXPECT_EQ(fields.writes[0].name, "gold");
  EXPECT_EQ(fields.writes[1].name, "gold_pattern");
}

TEST(RegexExtractPlugin, WritesTheAnswerAndWhichPatternMatched) {
  LoadedNode node("regex_extract", R"({"preset": "gpqa_answer_or_boxed"})");
  Record boxed;
  boxed.at("prediction") = "Thinking... the answer is $\\boxed{\\text{C}}$";
  EXPECT_EQ(node.process(boxed), nullptr);
  EXPECT_EQ(*boxed.find("extracted"), "C");
  EXPECT_EQ(*boxed.find("extracted_pattern"), "boxed");
  Record nothing;
  nothing.at("prediction") = "no letter here";
  EXPECT_EQ(node.process(nothing), nullptr);
  EXPECT_EQ(*nothing.find("extracted"), "");
  EXPECT_EQ(*nothing.find("extracted_pattern"), "");
}

TEST(RegexExtractPlugin, RewritesTheGoldInPlaceAndFailsWhenARequiredMatchIsMissing) {
  LoadedNode node("regex_extract", R"({"preset": "gsm8k_gold"})");
  Record good;
  good.at("gold") = "So 1,000 + 234 = 1,234\n#### 1,234";
  EXPECT_EQ(node.process(good), nullptr);
  EXPECT_EQ(*good.find("gold"), "1234");
  Record bad;
  bad.at("gold") = "1234";
  const StatusPtr status = node.process(bad);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
  EXPECT_NE(status->message.find("'gold'"), std::string::npos) << status->message;
}

TEST(RegexExtractPlugin, BadPatternsFailCreateNamingThePattern) {
  try {
    LoadedNode node("regex_extract", R"json({"patterns": ["([A-D]"]})json");
    FAIL() << "created with a pattern that does not compile";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("patterns[0]"), std::string::npos) << error.what();
  }
}

TEST(RegexExtractPlugin, SchemaRejectsUnknownPresetsAndOptions) {
  const LoadedNode node("regex_extract", R"({"preset": "aisbench_gpqa"})");
  EXPECT_FALSE(node.options_violations(R"({"preset": "gpqa"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"output": "x"})").empty());  // neither patterns nor preset
  EXPECT_FALSE(node.options_violations(R"({"patterns": [{"regex": "a", "flags": "g"}]})").empty());
  EXPECT_TRUE(node.options_violations(
                      R"json({"patterns": ["a", {"regex": "(b)|(c)", "group": "first_non_empty"}]})json")
                  .empty());
}

}  // namespace
}  // namespace evalflow
