#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <evalflow/plugin.hpp>
#include <evalflow/real_outputs/real_outputs.hpp>

#include <algorithm>
#include <fstream>

namespace evalflow::real_outputs {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kPredictions =
    std::filesystem::path(EVALFLOW_SOURCE_DIR) / "tests/data/predictions";

const RealOutput& find_output(const std::vector<RealOutput>& outputs, std::string_view file,
                              std::string_view id) {
  const auto found = std::find_if(outputs.begin(), outputs.end(), [&](const RealOutput& output) {
    return output.file == file && output.id == id;
  });
  if (found == outputs.end())
    throw std::runtime_error("no output " + std::string(file) + " " + std::string(id));
  return *found;
}

TEST(RealOutputs, ReadsEveryRowOfTheFiveFilesAndJoinsTheirVerdicts) {
  const std::vector<RealOutput> outputs = load_real_outputs(kPredictions);
  // 30 + 30 + 500 + 500 + 500 rows, 779 of them with verdicts (tests/data/predictions/README.md).
  ASSERT_EQ(outputs.size(), 1560U);
  EXPECT_EQ(std::count_if(outputs.begin(), outputs.end(),
                          [](const RealOutput& o) { return o.verdicts.has_value(); }),
            779);
  EXPECT_EQ(outputs.front().file, "gpt5_math500_boxed-answers.jsonl");
  EXPECT_EQ(outputs.back().file, "qwen3-32b_aime2024_lighteval.jsonl");
  for (const RealOutput& output : outputs) {
    SCOPED_TRACE(output.file + " id=" + output.id);
    EXPECT_FALSE(output.text.empty());
    EXPECT_EQ(output.unique_id.has_value(), output.benchmark == "math500");
  }
}

TEST(RealOutputs, JudgesPredictionWhereThereIsNoResponseAndKeepsEachVerdictField) {
  const std::vector<RealOutput> outputs = load_real_outputs(kPredictions);
  const RealOutput& boxed = find_output(outputs, "gpt5_math500_boxed-answers.jsonl", "math500-0");
  EXPECT_EQ(boxed.text, "\\boxed{(3,pi/2)}");
  EXPECT_EQ(boxed.gold_answer, "\\left( 3, \\frac{\\pi}{2} \\right)");
  EXPECT_EQ(boxed.unique_id, "test/precalculus/807.json");
  ASSERT_TRUE(boxed.verdicts.has_value());
  EXPECT_EQ(boxed.verdicts->str_v2_extracted, "(3,pi/2)");
  EXPECT_EQ(boxed.verdicts->str_v2, false);
  EXPECT_EQ(boxed.verdicts->mv_aisbench, false);
  EXPECT_EQ(find_output(outputs, "gpt5_math500_boxed-answers.jsonl", "math500-1").verdicts->mv_aisbench,
            true);

  const RealOutput& trace =
      find_output(outputs, "qwen3-32b_aime2024_lighteval.jsonl", "aime2024-lighteval-0");
  EXPECT_EQ(trace.benchmark, "aime2024");
  EXPECT_THAT(trace.text, HasSubstr("</think>"));
}

TEST(RealOutputs, JudgedOutputsAreTheRowsWithVerdictsInFileOrder) {
  const std::vector<RealOutput> judged = load_judged_outputs(kPredictions);
  ASSERT_EQ(judged.size(), 779U);
  EXPECT_TRUE(
      std::all_of(judged.begin(), judged.end(), [](const RealOutput& o) { return o.verdicts.has_value(); }));
  EXPECT_TRUE(std::is_sorted(judged.begin(), judged.end(),
                             [](const RealOutput& a, const RealOutput& b) { return a.file < b.file; }));
}

class BrokenData : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() /
        ("real_outputs_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_ / "verdicts");
    write(
        "a.jsonl",
        R"({"id": "1", "benchmark": "aime2024", "gold_answer": "7", "response": "\\boxed{7}", "unique_id": null})"
        "\n");
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(directory_ / name) << text;
  }
  std::string error_message() const {
    try {
      load_real_outputs(directory_);
    } catch (const sdk::Error& error) {
      return error.what();
    }
    return "no error";
  }

  std::filesystem::path directory_;
};

TEST_F(BrokenData, AVerdictFieldOfAnotherTypeIsAbsent) {
  write("verdicts/a.jsonl.verdicts.jsonl",
        R"({"file": "a.jsonl", "id": "1", "str_v2": "error", "str_v2_extracted": null, "mv_aisbench": true})"
        "\n");
  const std::vector<RealOutput> outputs = load_real_outputs(directory_);
  ASSERT_EQ(outputs.size(), 1U);
  ASSERT_TRUE(outputs[0].verdicts.has_value());
  EXPECT_EQ(outputs[0].verdicts->str_v2, std::nullopt);
  EXPECT_EQ(outputs[0].verdicts->str_v2_extracted, std::nullopt);
  EXPECT_EQ(outputs[0].verdicts->mv_aisbench, true);
  EXPECT_EQ(outputs[0].text, "\\boxed{7}");
  EXPECT_EQ(outputs[0].unique_id, std::nullopt);
}

TEST_F(BrokenData, AMissingFieldNamesFileAndLine) {
  write("b.jsonl", "\n{\"id\": \"1\", \"benchmark\": \"math500\", \"prediction\": \"x\"}\n");
  EXPECT_THAT(error_message(), AllOf(HasSubstr("b.jsonl:2"), HasSubstr("gold_answer")));
}

TEST_F(BrokenData, InvalidJsonNamesFileAndLine) {
  write("b.jsonl", "{\"id\": \"1\"\n");
  EXPECT_THAT(error_message(), HasSubstr("b.jsonl:1"));
}

TEST_F(BrokenData, ADuplicateIdNamesFileAndLine) {
  write("b.jsonl",
        "{\"id\": \"1\", \"benchmark\": \"math500\", \"gold_answer\": \"2\", \"prediction\": \"x\"}\n"
        "{\"id\": \"1\", \"benchmark\": \"math500\", \"gold_answer\": \"3\", \"prediction\": \"y\"}\n");
  EXPECT_THAT(error_message(), AllOf(HasSubstr("b.jsonl:2"), HasSubstr("twice")));
}

TEST_F(BrokenData, AVerdictWithoutItsOutputNamesFileAndLine) {
  write("verdicts/a.jsonl.verdicts.jsonl",
        "{\"file\": \"a.jsonl\", \"id\": \"1\"}\n{\"file\": \"a.jsonl\", \"id\": \"2\", \"str_v2\": true}\n");
  EXPECT_THAT(error_message(), AllOf(HasSubstr("a.jsonl.verdicts.jsonl:2"), HasSubstr("`2`")));
}

TEST_F(BrokenData, ASecondVerdictForOneOutputNamesFileAndLine) {
  write("verdicts/a.jsonl.verdicts.jsonl",
        "{\"file\": \"a.jsonl\", \"id\": \"1\"}\n{\"file\": \"a.jsonl\", \"id\": \"1\"}\n");
  EXPECT_THAT(error_message(), AllOf(HasSubstr("a.jsonl.verdicts.jsonl:2"), HasSubstr("second")));
}

TEST(RealOutputs, AMissingDirectoryIsNotFound) {
  try {
    load_real_outputs(kPredictions / "missing");
    FAIL() << "no error";
  } catch (const sdk::Error& error) {
    EXPECT_EQ(error.code(), EF_NOT_FOUND);
    EXPECT_THAT(error.what(), HasSubstr("missing"));
  }
}

}  // namespace
}  // namespace evalflow::real_outputs
