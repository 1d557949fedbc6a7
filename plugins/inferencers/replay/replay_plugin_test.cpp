// The replay node type through the real host, over the recorded real model outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <fstream>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;
using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr const char* kSuffix = "\nPlease reason step by step, and put your final answer within \\boxed{}.";

RecordPtr record_with(std::initializer_list<std::pair<const char*, json>> fields, int64_t index = 0,
                      int32_t replica = 0) {
  auto record = std::make_shared<Record>();
  record->dataset = std::make_shared<const std::string>("test");
  record->index = index;
  record->replica = replica;
  for (const auto& [name, value] : fields) record->at(name) = value;
  return record;
}

json user_turn(const std::string& content) {
  return json::array({{{"role", "user"}, {"content", content}}});
}

std::string first_math500_problem() {
  std::ifstream file(EVALFLOW_SOURCE_DIR "/data/math500/test.jsonl");
  std::string line;
  std::getline(file, line);
  return json::parse(line)["problem"];
}

TEST(ReplayPlugin, AnswersByPromptWithTheTemplateSuffixStripped) {
  LoadedNode node("replay",
                  json({{"path", "predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl"},
                        {"prompt_suffix", kSuffix}})
                      .dump(),
                  EVALFLOW_SOURCE_DIR "/tests/data");
  EXPECT_EQ(node.type().kind, EF_NODE_ASYNC);
  const auto record = record_with({{"messages", user_turn(first_math500_problem() + kSuffix)}});
  ASSERT_EQ(node.submit(record), nullptr);
  EXPECT_THAT(record->find("prediction")->get<std::string>(),
              HasSubstr("To convert the point $(0,3)$ from rectangular coordinates to polar coordinates"));
  EXPECT_EQ(*record->find("finish_reason"), "stop");
  EXPECT_EQ(record->find("completion_tokens"), nullptr);
}

// One replay model serves every dataset of a run: MATH-500 and AIME 2024 from their two recordings.
TEST(ReplayPlugin, SeveralRecordingsMakeOneIndex) {
  LoadedNode node("replay",
                  json({{"path",
                         {"predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl",
                          "predictions/llama31-8b-instruct_aime2024_qwen25math-harness.jsonl"}},
                        {"prompt_suffix", kSuffix}})
                      .dump(),
                  EVALFLOW_SOURCE_DIR "/tests/data");
  std::ifstream aime(EVALFLOW_SOURCE_DIR "/data/aime2024/aime.jsonl");
  std::string line;
  std::getline(aime, line);
  const auto aime_record =
      record_with({{"messages", user_turn(json::parse(line)["question"].get<std::string>() + kSuffix)}});
  ASSERT_EQ(node.submit(aime_record), nullptr);
  EXPECT_THAT(aime_record->find("prediction")->get<std::string>(), HasSubstr("Aya"));
  const auto math_record = record_with({{"messages", user_turn(first_math500_problem() + kSuffix)}});
  ASSERT_EQ(node.submit(math_record), nullptr);
  EXPECT_THAT(math_record->find("prediction")->get<std::string>(), HasSubstr("polar coordinates"));
}

TEST(ReplayPlugin, AnUnrecordedQuestionFailsTheRecordAsNotFound) {
  LoadedNode node("replay",
                  R"({"path": "predictions/gpt5_math500_boxed-answers.jsonl", "output_field": "prediction"})",
                  EVALFLOW_SOURCE_DIR "/tests/data");
  const auto record = record_with({{"messages", user_turn("What is the airspeed of an unladen swallow?")}});
  StatusPtr status = node.submit(record);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_NOT_FOUND);
  EXPECT_THAT(status->message, HasSubstr("no recorded output for \"What is the airspeed"));
  EXPECT_EQ(record->find("prediction"), nullptr);
}

TEST(ReplayPlugin, AnswersByIdWithTokenCountsAndFailsMissingReplicas) {
  LoadedNode node("replay", R"({"path": "predictions/qwen3-32b_aime2024_lighteval.jsonl", "match": "id",
                                "record_field": "aime_jsonl_index", "completion_tokens_field": "output_token_ids"})",
                  EVALFLOW_SOURCE_DIR "/tests/data");
  const auto fields = node.fields();
  EXPECT_TRUE(fields.reads.empty());
  ASSERT_EQ(fields.writes.size(), 3U);
  EXPECT_EQ(fields.writes[2].name, "completion_tokens");

  const auto record = record_with({}, /*index=*/29);
  ASSERT_EQ(node.submit(record), nullptr);
  EXPECT_THAT(record->find("prediction")->get<std::string>(), HasSubstr("</think>"));
  EXPECT_GT(record->find("completion_tokens")->get<int64_t>(), 100);

  const auto second_sample = record_with({}, /*index=*/0, /*replica=*/1);
  StatusPtr status = node.submit(second_sample);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_NOT_FOUND);
  EXPECT_THAT(status->message, HasSubstr("holds 1 output(s) for id 0, none for replica 1"));
}

TEST(ReplayPlugin, AnswersByAField) {
  LoadedNode node("replay", R"({"path": "predictions/llama31-8b-instruct_aime2024_qwen25math-harness.jsonl",
                                "match": "field", "match_field": "problem", "record_field": "question"})",
                  EVALFLOW_SOURCE_DIR "/tests/data");
  std::ifstream aime(EVALFLOW_SOURCE_DIR "/data/aime2024/aime.jsonl");
  std::string line;
  std::getline(aime, line);
  const auto record = record_with({{"problem", json::parse(line)["question"]}});
  ASSERT_EQ(node.submit(record), nullptr);
  EXPECT_THAT(record->find("prediction")->get<std::string>(), HasSubstr("Aya"));
  EXPECT_EQ(node.fields().reads.at(0).name, "problem");
}

TEST(ReplayPlugin, ABadRecordingFailsCreate) {
  try {
    LoadedNode node("replay", R"({"path": "predictions/gpt5_math500_boxed-answers.jsonl", "match": "id"})",
                    EVALFLOW_SOURCE_DIR "/tests/data");
    ADD_FAILURE() << "create succeeded";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("gpt5_math500_boxed-answers.jsonl:1: record_field 'id' holds \"math500-0\""));
  }
}

TEST(ReplayPlugin, SchemaNeedsMatchFieldWhenMatchingByField) {
  const LoadedNode node(
      "replay", R"({"path": "predictions/gpt5_math500_boxed-answers.jsonl", "output_field": "prediction"})",
      EVALFLOW_SOURCE_DIR "/tests/data");
  EXPECT_FALSE(node.options_violations(R"({"path": "x", "match": "field"})").empty());
  EXPECT_TRUE(
      node.options_violations(R"({"path": "x", "match": "field", "match_field": "problem"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "x", "match": "question"})").empty());
  EXPECT_TRUE(node.options_violations(R"({"path": ["x", "y"]})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": []})").empty());
}

}  // namespace
}  // namespace evalflow
