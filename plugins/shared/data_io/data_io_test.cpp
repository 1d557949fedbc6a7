#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/data_io/csv_reader.hpp>
#include <evalflow/data_io/data_file.hpp>
#include <evalflow/data_io/json_text.hpp>
#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/data_io/scalar_fields.hpp>
#include <evalflow/plugin.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace evalflow::data_io {
namespace {

using ::testing::HasSubstr;

// Records every call as text ("key=s:value") so that tests can compare whole rows.
class RecordingVisitor : public RowVisitor {
 public:
  struct Row {
    size_t line = 0;
    std::vector<std::string> values;
  };
  std::vector<Row> rows;
  std::string reject_key;  // a key whose presence makes end_row throw RowError

  void begin_row(size_t line) override { rows.push_back({line, {}}); }
  void string_value(std::string_view key, std::string_view value) override {
    add(key, "s:" + std::string(value));
  }
  void int_value(std::string_view key, int64_t value) override { add(key, "i:" + std::to_string(value)); }
  void double_value(std::string_view key, double value) override {
    add(key, "d:" + nlohmann::json(value).dump());
  }
  void bool_value(std::string_view key, bool value) override { add(key, value ? "b:true" : "b:false"); }
  void null_value(std::string_view key) override { add(key, "null"); }
  void nested_value(std::string_view key, std::string_view text, ef_type type) override {
    add(key, (type == EF_TYPE_LIST ? "list:" : "map:") + std::string(text));
  }
  void end_row() override {
    for (const auto& value : rows.back().values) {
      if (!reject_key.empty() && value.starts_with(reject_key + "="))
        throw RowError("rejected '" + reject_key + "'");
    }
  }

 private:
  void add(std::string_view key, const std::string& value) {
    rows.back().values.push_back(std::string(key) + "=" + value);
  }
};

std::string error_of(const std::function<void()>& action, ef_code expected_code = EF_INVALID_ARGUMENT) {
  try {
    action();
  } catch (const sdk::Error& error) {
    EXPECT_EQ(error.code(), expected_code) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(JsonlReader, ReadsEveryTypeInFileOrder) {
  RecordingVisitor visitor;
  read_jsonl_text(
      R"({"q": "a\"b\u00e9", "n": -3, "big": 18446744073709551615, "x": 0.5, "ok": true, "none": null, "l": [1, {"a": 2}], "m": {"k": "v"}})"
      "\n",
      "mem.jsonl", visitor);
  ASSERT_EQ(visitor.rows.size(), 1U);
  EXPECT_EQ(visitor.rows[0].line, 1U);
  EXPECT_EQ(
      visitor.rows[0].values,
      (std::vector<std::string>{"q=s:a\"b\xC3\xA9", "n=i:-3", "big=d:1.8446744073709552e+19", "x=d:0.5",
                                "ok=b:true", "none=null", "l=list:[1, {\"a\": 2}]", "m=map:{\"k\": \"v\"}"}));
}

// Keeps per row what ScalarFields offers its subclasses.
class ScalarFieldsProbe : public ScalarFields {
 public:
  void end_row() override {
    names.push_back(required_string("name"));
    flags.push_back(optional<bool>("flag"));
    notes.push_back(optional<std::string>("note"));
  }
  std::vector<std::string> names;
  std::vector<std::optional<bool>> flags;
  std::vector<std::optional<std::string>> notes;
};

TEST(ScalarFields, KeepsEachRowsStringsAndBoolsOnly) {
  ScalarFieldsProbe probe;
  read_jsonl_text(R"({"name": "a", "flag": true, "note": "x", "n": 1})"
                  "\n"
                  R"({"name": "b", "note": null, "flag": "yes"})"
                  "\n",
                  "mem.jsonl", probe);
  EXPECT_EQ(probe.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(probe.flags, (std::vector<std::optional<bool>>{true, std::nullopt}))
      << "a string is not a bool, and nothing carries over from the row before";
  EXPECT_EQ(probe.notes, (std::vector<std::optional<std::string>>{"x", std::nullopt})) << "null is absent";
}

TEST(ScalarFields, AMissingRequiredStringNamesTheFieldAndLine) {
  ScalarFieldsProbe probe;
  const std::string message =
      error_of([&] { read_jsonl_text("{\"name\": \"a\"}\n{\"name\": 3}\n", "mem.jsonl", probe); },
               EF_INVALID_ARGUMENT);
  EXPECT_THAT(message, HasSubstr("mem.jsonl:2"));
  EXPECT_THAT(message, HasSubstr("no string field `name`"));
}

TEST(JsonlReader, SkipsBlankLinesButCountsThem) {
  RecordingVisitor visitor;
  read_jsonl_text("\xEF\xBB\xBF{\"a\": 1}\r\n\r\n   \n{\"a\": 2}", "mem.jsonl", visitor);
  ASSERT_EQ(visitor.rows.size(), 2U);
  EXPECT_EQ(visitor.rows[0].line, 1U);
  EXPECT_EQ(visitor.rows[1].line, 4U);
  EXPECT_EQ(visitor.rows[1].values, std::vector<std::string>{"a=i:2"});
}

TEST(JsonlReader, InvalidJsonNamesFileLineAndColumn) {
  RecordingVisitor visitor;
  const std::string message =
      error_of([&] { read_jsonl_text("{\"a\": 1}\n\n{\"a\": 1,, \"b\": 2}\n", "data/x.jsonl", visitor); });
  EXPECT_THAT(message, HasSubstr("data/x.jsonl:3: invalid JSON"));
  EXPECT_THAT(message, HasSubstr("parse error at column 9: syntax error"));
  EXPECT_THAT(message, HasSubstr("fix or remove this line"));
}

TEST(JsonlReader, RejectsALineThatIsNotAnObject) {
  RecordingVisitor visitor;
  EXPECT_THAT(error_of([&] { read_jsonl_text("{\"a\": 1}\n[1, 2]\n", "x.jsonl", visitor); }),
              HasSubstr("x.jsonl:2: the line is an array, not a JSON object"));
  EXPECT_THAT(error_of([&] { read_jsonl_text("\"text\"\n", "x.jsonl", visitor); }),
              HasSubstr("x.jsonl:1: the line is a string"));
}

TEST(JsonlReader, RejectsTextAfterTheObject) {
  RecordingVisitor visitor;
  EXPECT_THAT(error_of([&] { read_jsonl_text("{\"a\": 1} {\"b\": 2}\n", "x.jsonl", visitor); }),
              HasSubstr("x.jsonl:1: invalid JSON"));
}

TEST(JsonlReader, RejectsInvalidNestedValues) {
  RecordingVisitor visitor;
  EXPECT_THAT(error_of([&] { read_jsonl_text("{\"l\": [1, 2,], \"a\": 1}\n", "x.jsonl", visitor); }),
              HasSubstr("x.jsonl:1:"));
}

TEST(JsonlReader, RejectsUnterminatedObjectsAndInvalidUtf8) {
  RecordingVisitor visitor;
  EXPECT_THAT(error_of([&] { read_jsonl_text("{\"a\": \"b\"\n", "x.jsonl", visitor); }),
              HasSubstr("x.jsonl:1:"));
  EXPECT_THAT(error_of([&] { read_jsonl_text("{\"a\": \"\xFF\"}\n", "x.jsonl", visitor); }),
              HasSubstr("x.jsonl:1:"));
}

TEST(JsonlReader, LocatesErrorsRaisedByTheVisitor) {
  RecordingVisitor visitor;
  visitor.reject_key = "bad";
  EXPECT_EQ(error_of([&] { read_jsonl_text("{\"a\": 1}\n{\"bad\": 1}\n", "x.jsonl", visitor); }),
            "x.jsonl:2: rejected 'bad'");
}

TEST(JsonlReader, MissingFileNamesPathAndOption) {
  RecordingVisitor visitor;
  const std::string message =
      error_of([&] { read_jsonl_file("/nonexistent/dir/x.jsonl", "path", visitor); }, EF_NOT_FOUND);
  EXPECT_THAT(message, HasSubstr("cannot read '/nonexistent/dir/x.jsonl': No such file or directory"));
  EXPECT_THAT(message, HasSubstr("`path` option"));
}

TEST(JsonlReader, ReadsTheRealMath500File) {
  RecordingVisitor visitor;
  read_jsonl_file(EVALFLOW_SOURCE_DIR "/data/math500/test.jsonl", "path", visitor);
  ASSERT_EQ(visitor.rows.size(), 500U);
  EXPECT_EQ(visitor.rows[499].line, 500U);
  ASSERT_EQ(visitor.rows[0].values.size(), 6U);
  EXPECT_EQ(visitor.rows[0].values[5], "unique_id=s:test/precalculus/807.json");
  EXPECT_EQ(visitor.rows[0].values[4], "level=i:2");
}

TEST(DataFile, ResolvesRelativePathsAgainstThePipelineDirectory) {
  EXPECT_EQ(resolve_data_path("data/a.jsonl", "/repo/pipelines"), "/repo/pipelines/data/a.jsonl");
  EXPECT_EQ(resolve_data_path("../data/a.jsonl", "/repo/pipelines"), "/repo/data/a.jsonl");
  EXPECT_EQ(resolve_data_path("/abs/a.jsonl", "/repo/pipelines"), "/abs/a.jsonl");
  EXPECT_EQ(resolve_data_path("a.jsonl", ""), "a.jsonl");
}

TEST(DataFile, ReadsTheWholeFileWithZeroPadding) {
  const auto path = std::filesystem::temp_directory_path() / "evalflow_data_file_test.txt";
  std::ofstream(path) << "abc";
  const FileText file = read_data_file(path, "path", 4);
  EXPECT_EQ(file.text(), "abc");
  EXPECT_EQ(file.bytes, std::string("abc\0\0\0\0", 7));
  std::filesystem::remove(path);
  EXPECT_THAT(
      error_of([&] { (void)read_data_file(std::filesystem::temp_directory_path(), "path"); }, EF_NOT_FOUND),
      HasSubstr("is a directory"));
}

TEST(CsvReader, ReadsQuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  RecordingVisitor visitor;
  read_csv_text("question,answer\n\"a, b\",\"say \"\"hi\"\"\"\n\"two\nlines\", 7 \nlast,x", "x.csv", visitor);
  ASSERT_EQ(visitor.rows.size(), 3U);
  EXPECT_EQ(visitor.rows[0].values, (std::vector<std::string>{"question=s:a, b", "answer=s:say \"hi\""}));
  EXPECT_EQ(visitor.rows[1].values, (std::vector<std::string>{"question=s:two\nlines", "answer=s: 7 "}));
  EXPECT_EQ(visitor.rows[1].line, 3U);
  EXPECT_EQ(visitor.rows[2].line, 5U);
  EXPECT_EQ(visitor.rows[2].values, (std::vector<std::string>{"question=s:last", "answer=s:x"}));
}

TEST(CsvReader, HandlesCrLfBomBlankLinesAndEmptyFields) {
  RecordingVisitor visitor;
  read_csv_text(
      "\xEF\xBB\xBF"
      "a,b\r\n\r\n1,\r\n,2\r\n",
      "x.csv", visitor);
  ASSERT_EQ(visitor.rows.size(), 2U);
  EXPECT_EQ(visitor.rows[0].values, (std::vector<std::string>{"a=s:1", "b=s:"}));
  EXPECT_EQ(visitor.rows[0].line, 3U);
  EXPECT_EQ(visitor.rows[1].values, (std::vector<std::string>{"a=s:", "b=s:2"}));
}

TEST(CsvReader, OtherDelimiters) {
  RecordingVisitor visitor;
  read_csv_text("a\tb\nx,y\tz\n", "x.tsv", visitor, '\t');
  ASSERT_EQ(visitor.rows.size(), 1U);
  EXPECT_EQ(visitor.rows[0].values, (std::vector<std::string>{"a=s:x,y", "b=s:z"}));
}

TEST(CsvReader, WrongFieldCountNamesTheRowsFirstLine) {
  RecordingVisitor visitor;
  const std::string message =
      error_of([&] { read_csv_text("a,b\n1,2\n\"multi\nline\",2,3\n", "data/x.csv", visitor); });
  EXPECT_THAT(message, HasSubstr("data/x.csv:3: the row has 3 fields but the header names 2 columns"));
  EXPECT_THAT(error_of([&] { read_csv_text("a,b\n1\n", "x.csv", visitor); }),
              HasSubstr("x.csv:2: the row has 1 fields"));
}

TEST(CsvReader, MalformedQuotingFails) {
  RecordingVisitor visitor;
  EXPECT_THAT(error_of([&] { read_csv_text("a,b\n1,2\n\"x\"y,2\n", "x.csv", visitor); }),
              HasSubstr("x.csv:3: "));
  EXPECT_THAT(error_of([&] { read_csv_text("a,b\n1,2\n\"open,2\nmore\n", "x.csv", visitor); }),
              HasSubstr("x.csv:3: a quoted field starting in this row is never closed"));
}

TEST(CsvReader, HeaderProblems) {
  RecordingVisitor visitor;
  EXPECT_THAT(error_of([&] { read_csv_text("", "x.csv", visitor); }),
              HasSubstr("x.csv:1: the file is empty"));
  EXPECT_THAT(error_of([&] { read_csv_text("a,a\n1,2\n", "x.csv", visitor); }),
              HasSubstr("names column 'a' twice"));
  EXPECT_THAT(error_of([&] { read_csv_text("a,,c\n", "x.csv", visitor); }),
              HasSubstr("column 2 of the header has no name"));
}

TEST(CsvReader, LocatesErrorsRaisedByTheVisitor) {
  RecordingVisitor visitor;
  visitor.reject_key = "b";
  EXPECT_EQ(error_of([&] { read_csv_text("a,b\n1,2\n", "x.csv", visitor); }), "x.csv:2: rejected 'b'");
}

TEST(JsonText, EscapesWhatJsonRequiresAndRoundTrips) {
  std::string all_bytes;
  for (int c = 1; c < 128; ++c) all_bytes.push_back(static_cast<char>(c));
  all_bytes += "\xC3\xA9 \\boxed{} \xE2\x82\xAC";
  std::string out = "[";
  append_json_string(out, all_bytes);
  out += "]";
  EXPECT_EQ(nlohmann::json::parse(out)[0].get<std::string>(), all_bytes);
  std::string simple;
  append_json_string(simple, "a\"b\\c\nd");
  EXPECT_EQ(simple, R"("a\"b\\c\nd")");
}

}  // namespace
}  // namespace evalflow::data_io
