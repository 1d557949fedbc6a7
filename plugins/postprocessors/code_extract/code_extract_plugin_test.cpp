// The code_extract plugin through the real host: loader, options schema, declared fields, records.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

constexpr const char* kAnswer =
    "<think>\n```python\nprint('draft')\n```\n</think>\nFirst:\n```python\nprint(1)\n```\n"
    "Improved:\n```python\nprint(2)\n```\n";

TEST(CodeExtractPlugin, DeclaresItsFieldsWithDefaults) {
  const LoadedNode node("code_extract", "{}");
  EXPECT_EQ(node.type().kind, EF_NODE_FUNCTION);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 1U);
  EXPECT_EQ(fields.reads[0].name, "prediction");
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, "extracted_code");
  EXPECT_EQ(fields.writes[0].type, EF_TYPE_STRING);
}

TEST(CodeExtractPlugin, LastBlockAfterThinkingByDefault) {
  LoadedNode node("code_extract", "{}");
  Record record;
  record.at("prediction") = kAnswer;
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("extracted_code"), "print(2)");
}

TEST(CodeExtractPlugin, FirstBlockAndThinkingAreOptions) {
  LoadedNode first("code_extract", R"({"block": "first"})");
  Record record;
  record.at("prediction") = kAnswer;
  EXPECT_EQ(first.process(record), nullptr);
  EXPECT_EQ(*record.find("extracted_code"), "print(1)");

  LoadedNode whole("code_extract", R"({"block": "first", "after_think": false, "output": "code"})");
  EXPECT_EQ(whole.process(record), nullptr);
  EXPECT_EQ(*record.find("code"), "print('draft')");
}

TEST(CodeExtractPlugin, LanguageTagsAreCaseInsensitive) {
  LoadedNode node("code_extract", R"({"languages": ["PYTHON"]})");
  Record record;
  record.at("prediction") = "```Python\nx = 1\n```\n```text\nx\n```";
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("extracted_code"), "x = 1");
}

TEST(CodeExtractPlugin, ARecordWithoutTheInputFails) {
  LoadedNode node("code_extract", "{}");
  Record record;
  const StatusPtr status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->message.find("prediction"), std::string::npos);
}

TEST(CodeExtractPlugin, SchemaRejectsUnknownBlocksAndOptions) {
  const LoadedNode node("code_extract", "{}");
  EXPECT_FALSE(node.options_violations(R"({"block": "middle"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"lang": ["python"]})").empty());
  EXPECT_TRUE(node.options_violations(R"({"block": "first", "languages": ["py", ""]})").empty());
}

}  // namespace
}  // namespace evalflow
