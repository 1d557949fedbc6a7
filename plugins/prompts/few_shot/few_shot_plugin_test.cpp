// The few_shot plugin through the real host: declared fields, the examples file relative to the pipeline,
// the written field, and a record whose category has no examples failing with the reason.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

class FewShotPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_);
    std::ofstream out(dir_ / "validation.jsonl");
    out << R"({"question": "Unit of force?", "options": ["joule", "newton"], "answer": "B", "category": "physics"})"
        << "\n"
        << R"({"question": "7 * 6?", "options": ["42", "36"], "answer": "A", "category": "math"})"
        << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // One directory per test: ctest runs this fixture's tests at the same time.
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("few_shot_plugin_test_" +
                                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
};

constexpr const char* kOptions = R"({"path": "validation.jsonl", "k": 1, "match_field": "category",
  "template": "Question:\n{question}\nOptions:\n{options_str}\nAnswer: {answer}",
  "choice_lists": {"options_str": {"field": "options"}}})";

TEST_F(FewShotPlugin, DeclaresQuestionAndMatchFieldAndWritesFewShot) {
  const LoadedNode node("few_shot", kOptions, dir_.string());
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 2U);
  EXPECT_EQ(fields.reads[0].name, "question");
  EXPECT_EQ(fields.reads[1].name, "category");
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, "few_shot");
}

TEST_F(FewShotPlugin, WritesTheCategorysExamples) {
  LoadedNode node("few_shot", kOptions, dir_.string());
  Record record;
  record.at("question") = "Unit of power?";
  record.at("category") = "physics";
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("few_shot"),
            "Question:\nUnit of force?\nOptions:\nA. joule\nB. newton\nAnswer: B\n");
}

TEST_F(FewShotPlugin, ACategoryWithoutExamplesFailsTheRecord) {
  LoadedNode node("few_shot", kOptions, dir_.string());
  Record record;
  record.at("question") = "Who wrote Hamlet?";
  record.at("category") = "history";
  const StatusPtr status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(std::string(status->message).find("0 examples whose category is 'history'"), std::string::npos)
      << status->message;
}

TEST_F(FewShotPlugin, AMissingFileFailsCreateNamingIt) {
  try {
    LoadedNode node("few_shot", R"({"path": "nowhere.jsonl", "template": "{question}"})", dir_.string());
    FAIL() << "create must fail";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("nowhere.jsonl: cannot open the examples file"),
              std::string::npos)
        << error.what();
  }
}

// Chat-turn examples through the host into prompt_template's `{examples: few_shot}`: the messages the model
// is sent.
TEST_F(FewShotPlugin, TurnsReachTheModelAsChatMessages) {
  LoadedNode examples("few_shot", R"({"path": "validation.jsonl", "k": 1, "match_field": "category",
    "turns": {"user": "{question}", "assistant": "Answer: {answer}"}})",
                      dir_.string());
  ASSERT_EQ(examples.fields().writes.at(0).type, EF_TYPE_LIST);
  LoadedNode prompt("prompt_template", R"({"messages": [{"examples": "few_shot"},
    {"role": "user", "content": "{question}"}]})");
  ASSERT_EQ(prompt.fields().reads.at(0).name, "few_shot");
  EXPECT_EQ(prompt.fields().reads.at(0).type, EF_TYPE_LIST);
  Record record;
  record.at("question") = "Unit of power?";
  record.at("category") = "physics";
  ASSERT_EQ(examples.process(record), nullptr);
  ASSERT_EQ(prompt.process(record), nullptr);
  EXPECT_EQ(*record.find("messages"), nlohmann::json::parse(R"([{"role": "user", "content": "Unit of force?"},
    {"role": "assistant", "content": "Answer: B"}, {"role": "user", "content": "Unit of power?"}])"));
}

TEST_F(FewShotPlugin, SchemaRejectsIdsOfTheWrongType) {
  const LoadedNode node("few_shot", kOptions, dir_.string());
  EXPECT_FALSE(node.options_violations(R"({"path": "a", "template": "b", "ids": ["x"]})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "a"})").empty());
  EXPECT_FALSE(
      node.options_violations(R"({"path": "a", "template": "b", "turns": {"user": "u", "assistant": "a"}})")
          .empty());
  EXPECT_TRUE(node.options_violations(R"({"path": "a", "turns": {"user": "u", "assistant": "a"}})").empty());
}

}  // namespace
}  // namespace evalflow
