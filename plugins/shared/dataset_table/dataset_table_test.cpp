#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/data_io/csv_reader.hpp>
#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/dataset_table/table.hpp>
#include <evalflow/plugin.hpp>

#include <functional>
#include <string>

namespace evalflow::dataset_table {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using json = nlohmann::json;

Table load_jsonl(const std::string& text, const json& options) {
  TableBuilder builder(FieldMapping::from_options(options));
  data_io::read_jsonl_text(text, "t.jsonl", builder);
  return std::move(builder).finish();
}

std::string load_error(const std::string& text, const json& options) {
  try {
    (void)load_jsonl(text, options);
  } catch (const sdk::Error& error) {
    EXPECT_EQ(error.code(), EF_INVALID_ARGUMENT);
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(TableBuilder, LoadsEveryColumnOfTheFirstLineWithItsType) {
  const Table table = load_jsonl(
      R"({"question": "q0", "answer": 204, "level": 2.5, "ok": true, "tags": ["a"], "meta": {"k": 1}, "none": null}
{"question": "q1", "answer": 25, "level": 3.0, "ok": false, "tags": [], "meta": {}, "none": null}
)",
      {{"output_column", "answer"}});
  ASSERT_EQ(table.rows(), 2U);
  EXPECT_THAT(table.fields(), ElementsAre("question", "answer", "level", "ok", "tags", "meta", "none"));
  EXPECT_EQ(table.text(table.cell(1, 0).text), "q1");
  EXPECT_EQ(table.cell(0, 1).type, EF_TYPE_INT);
  EXPECT_EQ(table.cell(0, 1).integer, 204);
  EXPECT_EQ(table.cell(0, 2).type, EF_TYPE_DOUBLE);
  EXPECT_EQ(table.cell(0, 2).number, 2.5);
  EXPECT_TRUE(table.cell(0, 3).flag);
  EXPECT_FALSE(table.cell(1, 3).flag);
  EXPECT_EQ(table.cell(0, 4).type, EF_TYPE_LIST);
  EXPECT_EQ(table.text(table.cell(0, 4).text), R"(["a"])");
  EXPECT_EQ(table.cell(0, 5).type, EF_TYPE_MAP);
  EXPECT_EQ(table.cell(0, 6).type, EF_TYPE_NULL);
  EXPECT_EQ(table.gold(0), "204");
  EXPECT_EQ(table.gold(1), "25");
  EXPECT_EQ(table.index(0), 0);
  EXPECT_EQ(table.index(1), 1);
}

TEST(TableBuilder, InputColumnsRenameAndOutputColumn) {
  const Table table = load_jsonl(R"({"origin_prompt": "q0", "gold_answer": "7", "extra": 1}
{"extra": 2, "gold_answer": "9", "origin_prompt": "q1"}
)",
                                 {{"input_columns", {"origin_prompt"}},
                                  {"output_column", "gold_answer"},
                                  {"rename", {{"origin_prompt", "question"}}}});
  EXPECT_THAT(table.fields(), ElementsAre("question"));
  EXPECT_EQ(table.text(table.cell(1, 0).text), "q1");
  EXPECT_EQ(table.gold(1), "9");
  EXPECT_FALSE(load_jsonl(R"({"a": 1})", json::object()).gold(0).has_value());
}

TEST(TableBuilder, GoldFromNumbersListsAndStringsThatAreAlsoColumns) {
  const Table table = load_jsonl(R"({"answer": 0.5}
{"answer": [1, 2]}
)",
                                 {{"input_columns", json::array()}, {"output_column", "answer"}});
  EXPECT_EQ(table.gold(0), "0.5");
  ASSERT_FALSE(table.fields().empty());
  EXPECT_EQ(table.cell(0, 0).type, EF_TYPE_DOUBLE);
  EXPECT_THAT(load_error(R"({"answer": 1}
{"answer": 2, "other": 3}
)",
                         {{"output_column", "answer"}}),
              HasSubstr("t.jsonl:2: key 'other' is not on the first line"));
}

TEST(TableBuilder, IdFieldSetsTheIndex) {
  const Table table = load_jsonl(R"({"idx": 60, "q": "a"}
{"idx": "61", "q": "b"}
)",
                                 {{"id_field", "idx"}});
  EXPECT_EQ(table.index(0), 60);
  EXPECT_EQ(table.index(1), 61);
  EXPECT_THAT(load_error(R"({"idx": 1}
{"idx": "aime-2"}
)",
                         {{"id_field", "idx"}}),
              HasSubstr("t.jsonl:2: id_field 'idx' holds the string 'aime-2': it must hold an integer"));
  EXPECT_THAT(load_error(R"({"idx": 1}
{"idx": 2}

{"idx": 1}
)",
                         {{"id_field", "idx"}}),
              HasSubstr("t.jsonl:4: id 1 in 'idx' is already used on line 1: ids must be unique"));
}

TEST(TableBuilder, MissingColumnsFailWithTheLineAndWhatToDo) {
  EXPECT_THAT(
      load_error("{\"q\": 1, \"a\": 2}\n{\"a\": 3}\n", {{"input_columns", {"q"}}, {"output_column", "a"}}),
      HasSubstr("t.jsonl:2: column 'q' is missing: add it to this line, or remove it from input_columns"));
  EXPECT_THAT(
      load_error("{\"q\": 1, \"a\": 2}\n{\"q\": 3}\n", {{"input_columns", {"q"}}, {"output_column", "a"}}),
      HasSubstr("t.jsonl:2: output_column 'a' is missing"));
  EXPECT_THAT(load_error("{\"q\": 1, \"a\": 2}\n{\"q\": 3}\n", json::object()),
              HasSubstr("t.jsonl:2: key 'a' is missing (the first line has it)"));
  EXPECT_THAT(load_error("{\"q\": 1}\n", {{"id_field", "id"}}),
              HasSubstr("t.jsonl:1: id_field 'id' is missing"));
  EXPECT_THAT(load_error("{\"q\": 1}\n", {{"output_column", "a"}}),
              HasSubstr("t.jsonl:1: output_column 'a'"));
  EXPECT_THAT(load_error("{\"q\": 1, \"a\": null}\n", {{"output_column", "a"}}),
              HasSubstr("t.jsonl:1: output_column 'a' is null"));
}

TEST(TableBuilder, RejectsDuplicateKeysAndFieldClashes) {
  EXPECT_THAT(load_error("{\"q\": 1, \"q\": 2}\n", json::object()),
              HasSubstr("t.jsonl:1: key 'q' appears twice"));
  EXPECT_THAT(load_error("{\"gold\": 1, \"answer\": 2}\n", {{"output_column", "answer"}}),
              HasSubstr("column 'gold' would overwrite `gold`"));
  EXPECT_THAT(load_error("{\"a\": 1, \"b\": 2}\n", {{"rename", {{"a", "b"}}}}),
              HasSubstr("key 'b' would be written to field 'b', which another key already fills"));
  const Table gold_named_gold = load_jsonl("{\"gold\": 5}\n", {{"output_column", "gold"}});
  EXPECT_TRUE(gold_named_gold.fields().empty());
  EXPECT_EQ(gold_named_gold.gold(0), "5");
}

TEST(FieldMapping, DeclaresTheListedColumnsAndGold) {
  const FieldMapping mapping = FieldMapping::from_options({{"input_columns", {"problem", "level"}},
                                                           {"output_column", "solution"},
                                                           {"rename", {{"level", "difficulty"}}}});
  EXPECT_THAT(mapping.declared_writes(EF_TYPE_ANY),
              ElementsAre(Pair("problem", EF_TYPE_ANY), Pair("difficulty", EF_TYPE_ANY),
                          Pair("gold", EF_TYPE_STRING)));
  EXPECT_THAT(FieldMapping::from_options({{"output_column", "answer"}}).declared_writes(EF_TYPE_STRING),
              ElementsAre(Pair("gold", EF_TYPE_STRING)));
  EXPECT_THROW((void)FieldMapping::from_options({{"input_columns", {"a", "b"}}, {"rename", {{"a", "b"}}}}),
               sdk::Error);
  EXPECT_THROW((void)FieldMapping::from_options({{"input_columns", {"gold"}}, {"output_column", "answer"}}),
               sdk::Error);
}

TEST(TableBuilder, CsvRowsAreStrings) {
  TableBuilder builder(
      FieldMapping::from_options({{"input_columns", {"question"}}, {"output_column", "answer"}}));
  data_io::read_csv_text("question,answer\n\"What is 1,000 + 1?\",1001\n", "t.csv", builder);
  const Table table = std::move(builder).finish();
  ASSERT_EQ(table.rows(), 1U);
  EXPECT_EQ(table.cell(0, 0).type, EF_TYPE_STRING);
  EXPECT_EQ(table.text(table.cell(0, 0).text), "What is 1,000 + 1?");
  EXPECT_EQ(table.gold(0), "1001");
}

TEST(TableBuilder, Math500AsAisBenchReadsIt) {
  TableBuilder builder(
      FieldMapping::from_options({{"input_columns", {"problem"}}, {"output_column", "solution"}}));
  data_io::read_jsonl_file(EVALFLOW_SOURCE_DIR "/data/math500/test.jsonl", "path", builder);
  const Table table = std::move(builder).finish();
  ASSERT_EQ(table.rows(), 500U);
  EXPECT_THAT(std::string(table.text(table.cell(0, 0).text)), HasSubstr("Convert the point $(0,3)$"));
  EXPECT_THAT(std::string(*table.gold(0)), HasSubstr("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}"));
  EXPECT_EQ(table.index(499), 499);
}

}  // namespace
}  // namespace evalflow::dataset_table
