// The llm_judge plugin through the real host: declared fields, the rendered prompt, the cascade's skip,
// verdicts and the failures they must raise, the summary's figures.
#include <gtest/gtest.h>

#include <evalflow/plugin_testing/loaded_node.hpp>
#include <string>

namespace evalflow {
namespace {

using nlohmann::json;
using plugin_testing::LoadedNode;

Record answered(const std::string& prediction, bool correct) {
  Record record;
  record.at("problem") = "What is 2+2?";
  record.at("gold") = "4";
  record.at("prediction") = prediction;
  record.at("correct") = correct;
  return record;
}

TEST(JudgePromptPlugin, RendersQuestionGoldAndPredictionIntoJudgeMessages) {
  LoadedNode node("judge_prompt", R"({"question_field": "problem"})");
  const auto fields = node.fields();
  ASSERT_EQ(fields.writes.size(), 1U);
  EXPECT_EQ(fields.writes[0].name, "judge_messages");
  EXPECT_EQ(fields.reads.size(), 3U);
  EXPECT_EQ(fields.reads[0].name, "problem");
  Record record = answered("I think it is \\boxed{four}", false);
  ASSERT_EQ(node.process(record), nullptr);
  const json& messages = *record.find("judge_messages");
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0]["role"], "user");
  const std::string content = messages[0]["content"];
  EXPECT_NE(content.find("<Original Question Begin>:\nWhat is 2+2?\n<Original Question End>"),
            std::string::npos);
  EXPECT_NE(content.find("<Gold Target Begin>:\n4\n"), std::string::npos);
  EXPECT_NE(content.find("<Predicted Answer Begin>:\nI think it is \\boxed{four}\n"), std::string::npos);
  EXPECT_NE(content.find("A: CORRECT\nB: INCORRECT"), std::string::npos);
}

TEST(JudgePromptPlugin, ACascadeRendersNothingForWhatTheRuleAccepted) {
  LoadedNode node("judge_prompt", R"({"question_field": "problem", "cascade": true,
                                      "template": "Q {question} G {gold} P {prediction}"})");
  Record accepted = answered("\\boxed{4}", true);
  ASSERT_EQ(node.process(accepted), nullptr);
  EXPECT_EQ(accepted.find("judge_messages"), nullptr);
  Record refused = answered("four", false);
  ASSERT_EQ(node.process(refused), nullptr);
  EXPECT_EQ((*refused.find("judge_messages"))[0]["content"], "Q What is 2+2? G 4 P four");
}

TEST(JudgePromptPlugin, AMissingFieldFailsTheRecordNamingIt) {
  LoadedNode node("judge_prompt", "{}");  // question_field defaults to `question`, which this record lacks
  Record record = answered("4", false);
  const auto status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->message.find("'question'"), std::string::npos) << status->message;
}

TEST(JudgeVerdictPlugin, TheJudgesLetterBecomesCorrectAndTheRuleIsKept) {
  LoadedNode node("judge_verdict", R"({"cascade": true})");
  Record flipped = answered("four", false);
  flipped.at("judge_prediction") = "A";
  ASSERT_EQ(node.process(flipped), nullptr);
  EXPECT_EQ(*flipped.find("correct"), true);
  EXPECT_EQ(*flipped.find("rule_correct"), false);
  EXPECT_EQ(*flipped.find("judge_verdict"), "A");
  EXPECT_EQ(*flipped.find("judged"), true);

  Record skipped = answered("\\boxed{4}", true);  // the cascade never asked the judge
  ASSERT_EQ(node.process(skipped), nullptr);
  EXPECT_EQ(*skipped.find("correct"), true);
  EXPECT_EQ(*skipped.find("judged"), false);
}

TEST(JudgeVerdictPlugin, AnAnswerThatIsNeitherLetterFailsTheRecord) {
  LoadedNode node("judge_verdict", "{}");
  Record record = answered("four", false);
  record.at("judge_prediction") = "The answer looks right to me.";
  const auto status = node.process(record);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->message.find("neither A (correct) nor B"), std::string::npos) << status->message;
  EXPECT_EQ(*record.find("correct"), false) << "the rule's verdict is not replaced";

  Record unasked = answered("four", false);  // wrong by the rule, but the judge never answered
  EXPECT_NE(node.process(unasked), nullptr);
}

TEST(CascadeSummaryPlugin, ReportsTheRuleAccuracyAndWhatWentToTheJudge) {
  LoadedNode verdict("judge_verdict", R"({"cascade": true})");
  LoadedNode summary("cascade_summary", "{}");
  const std::string judge_answers[] = {"", "A", "B", "A"};  // "" = accepted by the rule, not judged
  for (const std::string& answer : judge_answers) {
    Record record = answered("x", answer.empty());
    if (!answer.empty()) record.at("judge_prediction") = answer;
    ASSERT_EQ(verdict.process(record), nullptr);
    ASSERT_EQ(summary.process(record), nullptr);
  }
  auto report = summary.report();
  ASSERT_TRUE(report) << report.error();
  EXPECT_DOUBLE_EQ((*report)["rule_accuracy"].get<double>(), 25.0);
  EXPECT_EQ((*report)["judged"], 3);
  EXPECT_EQ((*report)["judge_accepted"], 2);
}

}  // namespace
}  // namespace evalflow
