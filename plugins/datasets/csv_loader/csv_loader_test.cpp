// The csv_loader node type through the real host: RFC 4180 quoting, field mapping, errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <filesystem>
#include <fstream>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;
using ::testing::HasSubstr;

class CsvLoaderPlugin : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  // One folder per test: ctest runs the tests of this file in parallel processes.
  const std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() /
      (std::string("evalflow_csv_loader_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
};

TEST_F(CsvLoaderPlugin, QuotedFieldsMappingAndIds) {
  write("qa.csv", "id,question,answer\n7,\"Add 1,000 and \"\"2\"\"\nthen stop.\",1002\n9,Plain,x\n");
  LoadedNode node("csv_loader",
                  R"({"path": "qa.csv", "input_columns": ["question"], "output_column": "answer",
                                    "id_field": "id", "rename": {"question": "prompt_text"}})",
                  dir_.string());
  EXPECT_EQ(node.count(), 2);
  Record first;
  ASSERT_TRUE(*node.next(first));
  EXPECT_EQ(first.index, 7);
  EXPECT_EQ(*first.find("prompt_text"), "Add 1,000 and \"2\"\nthen stop.");
  EXPECT_EQ(*first.find("gold"), "1002");
  EXPECT_EQ(first.find("id"), nullptr);
  Record second;
  ASSERT_TRUE(*node.next(second));
  EXPECT_EQ(second.index, 9);
  Record end;
  EXPECT_FALSE(*node.next(end));
  const auto fields = node.fields();
  ASSERT_EQ(fields.writes.size(), 2U);
  EXPECT_EQ(fields.writes[0].name, "prompt_text");
  EXPECT_EQ(fields.writes[0].type, EF_TYPE_STRING);
}

TEST_F(CsvLoaderPlugin, TabSeparatedWithEveryColumn) {
  write("qa.tsv", "question\tanswer\nWhat, exactly?\t4\n");
  LoadedNode node("csv_loader", R"({"path": "qa.tsv", "delimiter": "\t"})", dir_.string());
  Record record;
  ASSERT_TRUE(*node.next(record));
  EXPECT_EQ(*record.find("question"), "What, exactly?");
  EXPECT_EQ(*record.find("answer"), "4");
  EXPECT_EQ(record.index, 0);
  // Every column loaded: the names are known only at run time, which the validator is told with "*".
  const auto fields = node.fields();
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, EF_ANY_FIELDS);
}

TEST_F(CsvLoaderPlugin, AWrongFieldCountFailsCreateWithFileAndLine) {
  write("bad.csv", "question,answer\nq1,1\n\"q2, with comma\",2\nq3, with comma,3\n");
  try {
    LoadedNode node("csv_loader", R"({"path": "bad.csv"})", dir_.string());
    ADD_FAILURE() << "create succeeded";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(),
                HasSubstr((dir_ / "bad.csv").string() + ":4: the row has 3 fields but the header names 2"));
  }
}

TEST_F(CsvLoaderPlugin, SchemaChecksTheDelimiter) {
  write("qa.csv", "a\n1\n");
  const LoadedNode node("csv_loader", R"({"path": "qa.csv"})", dir_.string());
  EXPECT_TRUE(node.options_violations(R"({"path": "x", "delimiter": ";"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "x", "delimiter": ";;"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "x", "header": false})").empty());
}

}  // namespace
}  // namespace evalflow
