#include <httplib.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "answer_source.hpp"
#include "fault_schedule.hpp"
#include "test_server.hpp"

namespace evalflow::test_server {
namespace {

using nlohmann::json;

TEST(FaultSchedule, ParsesRulesAndRefusesBadOnes) {
  const FaultRule every = parse_fault_rule("429@every=3");
  EXPECT_EQ(every.fault, Fault::kTooManyRequests);
  EXPECT_EQ(every.count, 3);
  EXPECT_EQ(parse_fault_rule("reset@nth=2,5").requests, (std::vector<int64_t>{2, 5}));
  EXPECT_DOUBLE_EQ(parse_fault_rule("stall@p=0.25").probability, 0.25);
  for (const char* bad :
       {"429", "teapot@every=1", "500@every=0", "503@sometimes=1", "reset@p=2", "stall@nth=1,,2"}) {
    EXPECT_THROW(parse_fault_rule(bad), std::invalid_argument) << bad;
  }
}

TEST(FaultSchedule, FirstMatchingRuleWins) {
  FaultSchedule schedule({parse_fault_rule("503@first=1"), parse_fault_rule("truncate@every=2")});
  EXPECT_EQ(schedule.fault_for(1), Fault::kUnavailable);
  EXPECT_EQ(schedule.fault_for(2), Fault::kTruncate);
  EXPECT_EQ(schedule.fault_for(3), Fault::kNone);
  EXPECT_EQ(schedule.fault_for(4), Fault::kTruncate);
}

TEST(FaultSchedule, ProbabilityIsSeeded) {
  auto draw = [](uint64_t seed) {
    FaultSchedule schedule({parse_fault_rule("malformed@p=0.3")}, seed);
    std::vector<Fault> faults;
    for (int i = 1; i <= 1000; ++i) faults.push_back(schedule.fault_for(i));
    return faults;
  };
  const auto faults = draw(7);
  EXPECT_EQ(faults, draw(7));
  const auto hits = std::count(faults.begin(), faults.end(), Fault::kMalformed);
  EXPECT_GT(hits, 240);
  EXPECT_LT(hits, 360);
}

TEST(AnswerSource, TokensJoinBackIntoTheText) {
  const std::string text = "Let me think.  \\frac{123456789}{2} — ünïcödé\n\nDone";
  const auto tokens = split_tokens(text);
  std::string joined;
  for (auto token : tokens) {
    EXPECT_FALSE(token.empty());
    joined += token;
  }
  EXPECT_EQ(joined, text);
  EXPECT_GT(tokens.size(), 8u);
}

TEST(AnswerSource, ReplayFindsTheRecordedOutputByPrompt) {
  const std::string path = ::testing::TempDir() + "/replay.jsonl";
  {
    std::ofstream file(path);
    file << R"({"id": "a", "question": "What is 2+2?", "response": "four"})"
         << "\n\n"
         << R"({"id": "b", "question": "2+2", "response": "short key"})"
         << "\n";
  }
  const AnswerSource source = AnswerSource::replay(path);
  EXPECT_EQ(source.recorded(), 2u);
  EXPECT_EQ(source.answer_for("What is 2+2?"), "four");
  EXPECT_EQ(source.answer_for("What is 2+2?\nPlease reason step by step."), "four")
      << "the longest contained key";
  EXPECT_EQ(source.answer_for("2+2"), "short key");
  EXPECT_FALSE(source.answer_for("unrelated").has_value());
  std::remove(path.c_str());
}

TEST(AnswerSource, ReplayMatchesRecordingsMadeWithOtherInstructions) {
  const std::string path = ::testing::TempDir() + "/lighteval_replay.jsonl";
  {
    std::ofstream file(path);
    file
        << R"({"prompt_query": "Solve the following math problem efficiently.\n\nEvery morning Aya goes for a )"
           R"(9-kilometer-long walk and stops at a coffee shop afterwards.", "response": "204"})"
        << "\n";
  }
  const AnswerSource source = AnswerSource::replay(path);
  EXPECT_EQ(source.answer_for("Every morning Aya goes for a 9-kilometer-long walk and stops at a coffee shop "
                              "afterwards.\nPlease reason step by step."),
            "204");
  EXPECT_FALSE(source.answer_for("Every morning").has_value()) << "too short a prompt to match on";
  std::remove(path.c_str());
}

TEST(AnswerSource, ReplayErrorsNameFileAndLine) {
  const std::string path = ::testing::TempDir() + "/bad_replay.jsonl";
  {
    std::ofstream file(path);
    file << R"({"question": "q", "response": "r"})"
         << "\n"
         << R"({"question": "q"})"
         << "\n";
  }
  try {
    AnswerSource::replay(path);
    FAIL() << "a line without output was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path + ":2"), std::string::npos) << error.what();
  }
  std::remove(path.c_str());
}

// The exact events of one streamed chat answer, read with a plain HTTP client.
std::vector<std::string> stream_events(int port, const json& request) {
  httplib::Client client("127.0.0.1", port);
  std::string body;
  auto response = client.Post("/v1/chat/completions", httplib::Headers{}, request.dump(), "application/json");
  EXPECT_TRUE(response);
  std::vector<std::string> events;
  if (!response) return events;
  EXPECT_EQ(response->status, 200);
  const std::string& text = response->body;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find("\n\n", start);
    if (end == std::string::npos) break;
    EXPECT_EQ(text.compare(start, 6, "data: "), 0);
    events.push_back(text.substr(start + 6, end - start - 6));
    start = end + 2;
  }
  return events;
}

TEST(OpenAiTestServer, StreamsInVllmWireFormat) {
  ServerOptions options;
  options.answers = AnswerSource::fixed("<think>Hmm ok</think>It is 4");
  options.reasoning = true;
  OpenAiTestServer server(options);
  const int port = server.start();
  const json request = {{"model", "test-model"},
                        {"stream", true},
                        {"stream_options", {{"include_usage", true}}},
                        {"messages", {{{"role", "user"}, {"content", "2+2?"}}}}};
  const auto events = stream_events(port, request);
  ASSERT_EQ(events.size(), 1u + 2u + 3u + 1u + 1u);  // role, "Hmm", " ok", "It", " is", " 4", usage, [DONE]
  const json role = json::parse(events[0]);
  EXPECT_EQ(role["object"], "chat.completion.chunk");
  EXPECT_EQ(role["choices"][0]["delta"], json({{"role", "assistant"}, {"content", ""}}));
  EXPECT_EQ(json::parse(events[1])["choices"][0]["delta"], json({{"reasoning_content", "Hmm"}}));
  EXPECT_EQ(json::parse(events[3])["choices"][0]["delta"], json({{"content", "It"}}));
  EXPECT_TRUE(json::parse(events[3])["choices"][0]["finish_reason"].is_null());
  EXPECT_EQ(json::parse(events[5])["choices"][0]["finish_reason"], "stop");
  const json usage = json::parse(events[6]);
  EXPECT_EQ(usage["choices"], json::array());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 5);
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 1);
  EXPECT_EQ(events[7], "[DONE]");
}

TEST(OpenAiTestServer, ModelsListAndErrors) {
  ServerOptions options;
  options.api_key = "sk-test";
  OpenAiTestServer server(options);
  const int port = server.start();
  httplib::Client client("127.0.0.1", port);
  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(json::parse(models->body)["data"][0]["id"], "test-model");
  const std::string request =
      json{{"model", "test-model"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}}.dump();
  auto unauthorized = client.Post("/v1/chat/completions", request, "application/json");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  auto wrong_model =
      client.Post("/v1/chat/completions", httplib::Headers{{"Authorization", "Bearer sk-test"}},
                  json{{"model", "other"}, {"messages", json::array()}}.dump(), "application/json");
  ASSERT_TRUE(wrong_model);
  EXPECT_EQ(wrong_model->status, 404);
  auto answered = client.Post("/v1/chat/completions", httplib::Headers{{"Authorization", "Bearer sk-test"}},
                              request, "application/json");
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(json::parse(answered->body)["choices"][0]["message"]["content"], "The answer is \\boxed{4}.");
}

}  // namespace
}  // namespace evalflow::test_server
