// The math_string_v1 / math_string_v2 node types through the real host.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <evalflow/real_outputs/real_outputs.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

bool correct_after(LoadedNode& node, Record& record) {
  StatusPtr status = node.process(record);
  if (status) throw std::runtime_error(status->message);
  return record.find("correct")->get<bool>();
}

TEST(MathStringPlugin, BothVersionsReadExtractedAndGoldAndWriteCorrect) {
  for (const char* name : {"math_string_v1", "math_string_v2"}) {
    SCOPED_TRACE(name);
    const LoadedNode node(name, "{}");
    EXPECT_EQ(node.type().concurrency, EF_CONCURRENCY_UNLIMITED);
    const auto fields = node.fields();
    ASSERT_EQ(fields.reads.size(), 2U);
    EXPECT_EQ(fields.reads[0].name, "extracted");
    EXPECT_EQ(fields.reads[1].name, "gold");
    ASSERT_EQ(fields.writes.size(), 1U);
    EXPECT_EQ(fields.writes[0].name, "correct");
    EXPECT_EQ(fields.writes[0].type, EF_TYPE_BOOL);
  }
}

TEST(MathStringPlugin, EachNodeTypeUsesItsVersion) {
  LoadedNode v1("math_string_v1", "{}");
  LoadedNode v2("math_string_v2", "{}");
  Record record;
  record.at("extracted") = "5.00";
  record.at("gold") = "5";
  EXPECT_FALSE(correct_after(v1, record));
  EXPECT_TRUE(correct_after(v2, record));
}

TEST(MathStringPlugin, FieldNamesComeFromTheOptions) {
  LoadedNode node("math_string_v2", R"({"prediction_field": "answer", "gold_field": "reference"})");
  Record record;
  record.at("answer") = "\\dfrac{1}{2}";
  record.at("reference") = "\\frac12";
  EXPECT_TRUE(correct_after(node, record));
}

TEST(MathStringPlugin, NullIsPythonNoneAndMissingFailsTheRecord) {
  LoadedNode node("math_string_v2", "{}");
  Record one_null;
  one_null.at("extracted") = nullptr;
  one_null.at("gold") = "5";
  EXPECT_FALSE(correct_after(node, one_null));
  Record both_null;
  both_null.at("extracted") = nullptr;
  both_null.at("gold") = nullptr;
  EXPECT_TRUE(correct_after(node, both_null));

  Record missing_gold;
  missing_gold.at("extracted") = "5";
  StatusPtr status = node.process(missing_gold);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
  EXPECT_NE(status->message.find("gold"), std::string::npos) << status->message;
}

TEST(MathStringPlugin, MathBoxedThenMathStringV2PluginsReproduceAisbenchOnRealOutputs) {
  // The parity test runs the libraries; this runs the built plugins, as a pipeline would.
  LoadedNode extract("math_boxed", "{}");
  LoadedNode score("math_string_v2", "{}");
  const auto outputs = real_outputs::load_judged_outputs(std::filesystem::path(EVALFLOW_SOURCE_DIR) /
                                                         "tests/data/predictions");
  ASSERT_FALSE(outputs.empty());
  for (const auto& output : outputs) {
    SCOPED_TRACE(output.file + " id=" + output.id);
    Record record;
    record.at("prediction") = output.text;
    record.at("gold") = output.gold_answer;
    ASSERT_EQ(extract.process(record), nullptr);
    ASSERT_EQ(score.process(record), nullptr);
    EXPECT_EQ(*record.find("extracted"), *output.verdicts->str_v2_extracted);
    EXPECT_EQ(*record.find("correct"), *output.verdicts->str_v2);
  }
}

}  // namespace
}  // namespace evalflow
