// The jsonl_loader node type through the real host: options schema, declared fields, records, errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <filesystem>
#include <fstream>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;
using ::testing::HasSubstr;

constexpr const char* kMath500 = R"({"path": "data/math500/test.jsonl", "input_columns": ["problem", "level"],
                                     "output_column": "solution", "rename": {"level": "difficulty"}})";

std::vector<Record> all_records(LoadedNode& node) {
  std::vector<Record> records;
  while (true) {
    Record record;
    auto produced = node.next(record);
    if (!produced) throw std::runtime_error(produced.error());
    if (!*produced) return records;
    records.push_back(std::move(record));
  }
}

TEST(JsonlLoaderPlugin, LoadsMath500AsAisBenchDoes) {
  LoadedNode node("jsonl_loader", kMath500, EVALFLOW_SOURCE_DIR);
  EXPECT_EQ(node.type().kind, EF_NODE_SOURCE);
  EXPECT_EQ(node.count(), 500);
  const auto records = all_records(node);
  ASSERT_EQ(records.size(), 500U);
  const Record& first = records.front();
  EXPECT_EQ(first.index, 0);
  EXPECT_THAT(first.find("problem")->get<std::string>(), HasSubstr("Convert the point $(0,3)$"));
  EXPECT_EQ(*first.find("difficulty"), 2);
  EXPECT_THAT(first.find("gold")->get<std::string>(),
              HasSubstr("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}"));
  EXPECT_EQ(first.find("level"), nullptr);
  EXPECT_EQ(first.find("solution"), nullptr);
  EXPECT_EQ(records.back().index, 499);
}

TEST(JsonlLoaderPlugin, DeclaresTheMappedFields) {
  const LoadedNode node("jsonl_loader", kMath500, EVALFLOW_SOURCE_DIR);
  const auto fields = node.fields();
  EXPECT_TRUE(fields.reads.empty());
  ASSERT_EQ(fields.writes.size(), 3U);
  EXPECT_EQ(fields.writes[0].name, "problem");
  EXPECT_EQ(fields.writes[0].type, EF_TYPE_ANY);
  EXPECT_EQ(fields.writes[1].name, "difficulty");
  EXPECT_EQ(fields.writes[2].name, "gold");
  EXPECT_EQ(fields.writes[2].type, EF_TYPE_STRING);
}

TEST(JsonlLoaderPlugin, AimeWithAisBenchsKeysRenamed) {
  LoadedNode node(
      "jsonl_loader",
      R"({"path": "aime2024/aime_origin_prompt_gold_answer.jsonl", "input_columns": ["origin_prompt"],
                      "output_column": "gold_answer", "rename": {"origin_prompt": "question"}})",
      EVALFLOW_SOURCE_DIR "/data");
  const auto records = all_records(node);
  ASSERT_EQ(records.size(), 30U);
  EXPECT_THAT(records[0].find("question")->get<std::string>(), HasSubstr("Every morning Aya"));
  EXPECT_EQ(*records[0].find("gold"), "204");
}

TEST(JsonlLoaderPlugin, ABadLineFailsCreateWithFileAndLine) {
  const auto path = std::filesystem::temp_directory_path() / "evalflow_jsonl_loader_bad.jsonl";
  std::ofstream(path)
      << "{\"question\": \"a\", \"answer\": \"1\"}\n{\"question\": \"b\", \"answer\": \"2\"\n";
  try {
    LoadedNode node("jsonl_loader", R"({"path": ")" + path.string() + R"(", "output_column": "answer"})");
    ADD_FAILURE() << "create succeeded";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("create failed: " + path.string() + ":2: invalid JSON"));
  }
  std::filesystem::remove(path);
}

TEST(JsonlLoaderPlugin, AMissingFileNamesTheResolvedPath) {
  try {
    LoadedNode node("jsonl_loader", R"({"path": "no/such.jsonl"})", "/tmp/pipelines");
    ADD_FAILURE() << "create succeeded";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cannot read '/tmp/pipelines/no/such.jsonl'"));
  }
}

TEST(JsonlLoaderPlugin, SchemaRejectsUnknownAndMistypedOptions) {
  const LoadedNode node("jsonl_loader", kMath500, EVALFLOW_SOURCE_DIR);
  EXPECT_TRUE(node.options_violations(kMath500).empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "a", "output_columns": "x"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "a", "input_columns": "problem"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"input_columns": ["problem"]})").empty());
}

}  // namespace
}  // namespace evalflow
