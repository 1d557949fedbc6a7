#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin.hpp>

#include <fstream>
#include <string>

#include "replay_index.hpp"

namespace evalflow::replay {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr const char* kAisBenchSuffix =
    "\nPlease reason step by step, and put your final answer within \\boxed{}.";

std::string load_error(const json& options, std::string_view text) {
  try {
    (void)ReplayIndex::from_text(ReplayOptions::from_options(options), text, "rec.jsonl");
  } catch (const sdk::Error& error) {
    EXPECT_EQ(error.code(), EF_INVALID_ARGUMENT);
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(ReplayOptions, PathIsOneFileOrAList) {
  EXPECT_EQ(ReplayOptions::from_options({{"path", "a.jsonl"}}).paths, std::vector<std::string>{"a.jsonl"});
  EXPECT_EQ(ReplayOptions::from_options({{"path", {"a.jsonl", "b.jsonl"}}}).paths,
            (std::vector<std::string>{"a.jsonl", "b.jsonl"}));
  EXPECT_THROW((void)ReplayOptions::from_options({{"path", nlohmann::json::array()}}), sdk::Error);
}

TEST(ReplayOptions, DefaultsFollowTheMatchMode) {
  EXPECT_EQ(ReplayOptions::from_options({{"path", "r.jsonl"}}).record_field, "question");
  EXPECT_EQ(ReplayOptions::from_options({{"path", "r"}, {"match", "id"}}).record_field, "id");
  const auto by_field =
      ReplayOptions::from_options({{"path", "r"}, {"match", "field"}, {"match_field", "problem"}});
  EXPECT_EQ(by_field.match, MatchBy::kField);
  EXPECT_EQ(by_field.record_field, "problem");
  EXPECT_EQ(by_field.output_field, "response");
  EXPECT_THROW((void)ReplayOptions::from_options({{"path", "r"}, {"match", "field"}}), sdk::Error);
  EXPECT_THROW((void)ReplayOptions::from_options({{"path", "r"}, {"match", "text"}}), sdk::Error);
}

TEST(ReplayIndex, KeysAreTrimmedAndRepeatedKeysAreReplicasInFileOrder) {
  const auto index = ReplayIndex::from_text(ReplayOptions::from_options({{"path", "r"}}),
                                            R"({"question": " What is 2+2?\n", "response": "4", "extra": [1]}
{"question": "What is 2+2?", "response": "four", "finish_reason": "length"}
{"question": "Other", "response": "x"}
)",
                                            "rec.jsonl");
  EXPECT_EQ(index.keys(), 2U);
  const auto outputs = index.find("What is 2+2?");
  ASSERT_EQ(outputs.size(), 2U);
  EXPECT_EQ(outputs[0].prediction, "4");
  EXPECT_EQ(outputs[1].prediction, "four");
  EXPECT_EQ(outputs[1].finish_reason, "stop");  // finish_reason_field not set: every output stopped
  EXPECT_FALSE(outputs[0].completion_tokens.has_value());
  EXPECT_TRUE(index.find("What is 2+3?").empty());
  EXPECT_EQ(index.find("Other")[0].prediction, "x");
}

TEST(ReplayIndex, RecordedFinishReasonAndTokenCounts) {
  const auto index = ReplayIndex::from_text(
      ReplayOptions::from_options({{"path", "r"},
                                   {"match", "id"},
                                   {"record_field", "idx"},
                                   {"finish_reason_field", "finish"},
                                   {"completion_tokens_field", "output_token_ids"},
                                   {"prompt_tokens_field", "n_prompt"}}),
      R"({"idx": 7, "response": "a", "finish": "length", "output_token_ids": [5, 6, 7], "n_prompt": 12}
{"idx": "8", "response": "b", "finish": "stop", "output_token_ids": [], "n_prompt": 3}
)",
      "rec.jsonl");
  const auto seven = index.find("7");
  ASSERT_EQ(seven.size(), 1U);
  EXPECT_EQ(seven[0].finish_reason, "length");
  EXPECT_EQ(seven[0].completion_tokens, 3);
  EXPECT_EQ(seven[0].prompt_tokens, 12);
  ASSERT_EQ(index.find("8").size(), 1U);
  EXPECT_EQ(index.find("8")[0].completion_tokens, 0);
}

TEST(ReplayIndex, BadRecordingsFailWithLineAndTheKeysPresent) {
  EXPECT_THAT(
      load_error({{"path", "r"}},
                 "{\"question\": \"q\", \"response\": \"a\"}\n{\"problem\": \"q\", \"response\": \"a\"}\n"),
      HasSubstr("rec.jsonl:2: record_field 'question' is not on this line (its keys: problem, response): "
                "set record_field to the key that holds it"));
  EXPECT_THAT(load_error({{"path", "r"}}, "{\"question\": \"q\", \"prediction\": \"a\"}\n"),
              HasSubstr("rec.jsonl:1: output_field 'response' is not on this line"));
  EXPECT_THAT(
      load_error({{"path", "r"}, {"match", "id"}}, "{\"id\": \"math500-0\", \"response\": \"a\"}\n"),
      HasSubstr("rec.jsonl:1: record_field 'id' holds \"math500-0\", not an integer: with match: id, set "
                "record_field to a key holding the row index"));
  EXPECT_THAT(load_error({{"path", "r"}}, "{\"question\": \"q\", \"response\": null}\n"),
              HasSubstr("rec.jsonl:1: 'response' holds null"));
  EXPECT_THAT(load_error({{"path", "r"}, {"completion_tokens_field", "n"}},
                         "{\"question\": \"q\", \"response\": \"a\"}\n"),
              HasSubstr("completion_tokens_field 'n' is not on this line"));
  EXPECT_THAT(load_error({{"path", "r"}, {"completion_tokens_field", "n"}},
                         "{\"question\": \"q\", \"response\": \"a\", \"n\": \"12\"}\n"),
              HasSubstr("'n' holds a string"));
}

TEST(FirstUserContent, FindsTheFirstUserTurn) {
  std::string messages =
      R"([{"role": "system", "content": "sys"}, {"content": "Q \"1\"", "role": "user"}, {"role": "user", "content": "Q2"}])";
  EXPECT_EQ(first_user_content(messages), "Q \"1\"");
  std::string no_user = R"([{"role": "system", "content": "sys"}])";
  EXPECT_FALSE(first_user_content(no_user).has_value());
  std::string parts = R"([{"role": "user", "content": [{"type": "text", "text": "x"}]}])";
  EXPECT_FALSE(first_user_content(parts).has_value());
  std::string not_a_list = R"({"role": "user", "content": "x"})";
  EXPECT_FALSE(first_user_content(not_a_list).has_value());
}

TEST(PromptKey, StripsPrefixAndSuffixOnlyWhenPresent) {
  const auto options = ReplayOptions::from_options(
      {{"path", "r"}, {"prompt_prefix", "Q: "}, {"prompt_suffix", kAisBenchSuffix}});
  EXPECT_EQ(prompt_key(std::string("Q: What?") + kAisBenchSuffix, options), "What?");
  EXPECT_EQ(prompt_key(" What? \n", options), "What?");
  std::string buffer;
  EXPECT_EQ(id_key(-42, buffer), "-42");
}

// Every MATH-500 problem, rendered with AISBench's prompt and looked up by prompt, finds the recorded
// Llama-3.1-8B output for that problem (the recording holds the problem text under `question`).
TEST(ReplayIndex, RealRecordingAnswersEveryMath500Prompt) {
  const auto options = ReplayOptions::from_options({{"path", "r"}, {"prompt_suffix", kAisBenchSuffix}});
  const auto index = ReplayIndex::load(
      options,
      {EVALFLOW_SOURCE_DIR "/tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl"});
  EXPECT_EQ(index.keys(), 500U);
  std::ifstream dataset(EVALFLOW_SOURCE_DIR "/data/math500/test.jsonl");
  std::ifstream recording(EVALFLOW_SOURCE_DIR
                          "/tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl");
  std::string dataset_line;
  std::string recording_line;
  int found = 0;
  while (std::getline(dataset, dataset_line) && std::getline(recording, recording_line)) {
    std::string messages =
        json::array(
            {{{"role", "user"},
              {"content", json::parse(dataset_line)["problem"].get<std::string>() + kAisBenchSuffix}}})
            .dump();
    const auto prompt = first_user_content(messages);
    ASSERT_TRUE(prompt.has_value());
    const auto outputs = index.find(prompt_key(*prompt, options));
    ASSERT_EQ(outputs.size(), 1U) << dataset_line.substr(0, 80);
    EXPECT_EQ(outputs[0].prediction, json::parse(recording_line)["response"].get<std::string>());
    ++found;
  }
  EXPECT_EQ(found, 500);
}

TEST(ReplayIndex, RealLightevalRecordingByRowIndexWithTokenCounts) {
  const auto index =
      ReplayIndex::load(ReplayOptions::from_options({{"path", "r"},
                                                     {"match", "id"},
                                                     {"record_field", "aime_jsonl_index"},
                                                     {"completion_tokens_field", "output_token_ids"}}),
                        {EVALFLOW_SOURCE_DIR "/tests/data/predictions/qwen3-32b_aime2024_lighteval.jsonl"});
  EXPECT_EQ(index.keys(), 30U);
  const auto first = index.find("0");
  ASSERT_EQ(first.size(), 1U);
  EXPECT_THAT(std::string(first[0].prediction),
              ::testing::StartsWith("<think>\nOkay, let's try to solve this problem"));
  EXPECT_GT(first[0].completion_tokens.value_or(0), 100);
}

}  // namespace
}  // namespace evalflow::replay
