// Every figure checked against values worked out by hand in the comments.
#include "sample_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace evalflow::sample_metrics {
namespace {

Sample scored(int64_t question, int32_t replica, bool correct,
              std::optional<std::string> answer = std::nullopt) {
  Sample sample;
  sample.question = question;
  sample.replica = replica;
  sample.correct = correct;
  sample.answer = std::move(answer);
  return sample;
}

// Three questions, four samples each:
//   q0: right, right, wrong, wrong   answers 7 7 3 3   (c = 2)
//   q1: right x4                     answers 5 5 5 5   (c = 4)
//   q2: wrong x4                     answers 1 2 2 -   (c = 0; the last sample extracted nothing)
SampleMetrics three_questions() {
  SampleMetrics metrics;
  metrics.add(scored(0, 0, true, "7"));
  metrics.add(scored(0, 1, true, "7"));
  metrics.add(scored(0, 2, false, "3"));
  metrics.add(scored(0, 3, false, "3"));
  for (int32_t replica = 0; replica < 4; ++replica) metrics.add(scored(1, replica, true, "5"));
  metrics.add(scored(2, 0, false, "1"));
  metrics.add(scored(2, 1, false, "2"));
  metrics.add(scored(2, 2, false, "2"));
  metrics.add(scored(2, 3, false));
  return metrics;
}

TEST(UnbiasedPassAtK, HandComputedValues) {
  // n = 4, c = 2, k = 2: 1 - C(2,2)/C(4,2) = 1 - 1/6.
  EXPECT_DOUBLE_EQ(unbiased_pass_at_k(4, 2, 2), 5.0 / 6.0);
  // k = 1 is the share of correct samples.
  EXPECT_DOUBLE_EQ(unbiased_pass_at_k(4, 1, 1), 0.25);
  // n = 5, c = 1, k = 3: 1 - C(4,3)/C(5,3) = 1 - 4/10.
  EXPECT_DOUBLE_EQ(unbiased_pass_at_k(5, 1, 3), 0.6);
  // Fewer wrong samples than k: every draw of k holds a correct one.
  EXPECT_DOUBLE_EQ(unbiased_pass_at_k(4, 3, 2), 1.0);
  EXPECT_DOUBLE_EQ(unbiased_pass_at_k(4, 0, 4), 0.0);
}

TEST(UnbiasedPassAtK, StaysAccurateForSixtyFourSamples) {
  // n = 64, c = 1, k = 32: 1 - C(63,32)/C(64,32) = 1 - 32/64.
  EXPECT_NEAR(unbiased_pass_at_k(64, 1, 32), 0.5, 1e-12);
}

TEST(UnbiasedPassAtK, RejectsImpossibleCounts) {
  EXPECT_THROW(unbiased_pass_at_k(4, 5, 1), std::invalid_argument);
  EXPECT_THROW(unbiased_pass_at_k(4, 1, 5), std::invalid_argument);
  EXPECT_THROW(unbiased_pass_at_k(4, 1, 0), std::invalid_argument);
}

TEST(PluralityVote, MostVotesWins) {
  const std::vector<Sample> samples = {scored(0, 0, false, "3"), scored(0, 1, true, "7"),
                                       scored(0, 2, true, "7")};
  const Vote vote = plurality_vote(samples);
  EXPECT_EQ(vote.answer, "7");
  EXPECT_EQ(vote.votes, 2);
  EXPECT_TRUE(vote.correct);
  EXPECT_FALSE(vote.tied);
}

TEST(PluralityVote, TieGoesToTheAnswerSeenFirstInReplicaOrder) {
  // 3 and 7 have two votes each; 3 appears at replica 0, so 3 wins, and it was judged wrong.
  const std::vector<Sample> wrong_first = {scored(0, 0, false, "3"), scored(0, 1, true, "7"),
                                           scored(0, 2, true, "7"), scored(0, 3, false, "3")};
  const Vote vote = plurality_vote(wrong_first);
  EXPECT_EQ(vote.answer, "3");
  EXPECT_EQ(vote.votes, 2);
  EXPECT_FALSE(vote.correct);
  EXPECT_TRUE(vote.tied);

  const std::vector<Sample> right_first = {scored(0, 0, true, "7"), scored(0, 1, false, "3"),
                                           scored(0, 2, false, "3"), scored(0, 3, true, "7")};
  EXPECT_TRUE(plurality_vote(right_first).correct);
}

TEST(PluralityVote, ALaterLeaderIsNotATie) {
  // 3 and 7 tie at one vote each, then 7 takes the lead: no tie in the end.
  const std::vector<Sample> samples = {scored(0, 0, false, "3"), scored(0, 1, true, "7"),
                                       scored(0, 2, true, "7")};
  EXPECT_FALSE(plurality_vote(samples).tied);
  const std::vector<Sample> three_way = {scored(0, 0, false, "3"), scored(0, 1, true, "7"),
                                         scored(0, 2, false, "9"), scored(0, 3, false, "9"),
                                         scored(0, 4, true, "7")};
  const Vote vote = plurality_vote(three_way);
  EXPECT_EQ(vote.answer, "7");  // 7 (replica 1) and 9 (replica 2) tie at two; 7 appeared first
  EXPECT_TRUE(vote.tied);
  EXPECT_TRUE(vote.correct);
}

TEST(PluralityVote, SamplesWithoutAnAnswerDoNotVote) {
  const std::vector<Sample> samples = {scored(0, 0, false), scored(0, 1, false, ""), scored(0, 2, false)};
  const Vote vote = plurality_vote(samples);
  EXPECT_FALSE(vote.answer.has_value());
  EXPECT_FALSE(vote.correct);
  EXPECT_EQ(vote.votes, 0);
}

TEST(SampleMetrics, AvgAtNAndItsStandardErrors) {
  const auto report = three_questions().report();
  // Shares 1/2, 1, 0: mean 1/2.
  EXPECT_DOUBLE_EQ(report["avg@4"].get<double>(), 50.0);
  // Reruns, questions fixed: sqrt(sum share (1 - share) / (n - 1)) / Q = sqrt(0.25 / 3) / 3.
  EXPECT_NEAR(report["avg@4_stderr"].get<double>(), 100.0 * std::sqrt(0.25 / 3.0) / 3.0, 1e-9);
  // Over questions: the sample variance of (1/2, 1, 0) is 1/4, so sqrt(1/4 / 3).
  EXPECT_NEAR(report["avg@4_stderr_questions"].get<double>(), 100.0 * std::sqrt(0.25 / 3.0), 1e-9);
  EXPECT_EQ(report["num_questions"], 3);
  EXPECT_EQ(report["num_samples_per_question"], 4);
  EXPECT_EQ(report["num_questions_short"], 0);
}

TEST(SampleMetrics, PassAtKForPowersOfTwo) {
  const auto report = three_questions().report();
  EXPECT_DOUBLE_EQ(report["pass@1"].get<double>(), 50.0);
  // q0: 5/6, q1: 1, q2: 0.
  EXPECT_NEAR(report["pass@2"].get<double>(), 100.0 * (5.0 / 6.0 + 1.0) / 3.0, 1e-9);
  EXPECT_NEAR(report["pass@4"].get<double>(), 100.0 * 2.0 / 3.0, 1e-9);
  EXPECT_FALSE(report.contains("pass@3"));
  EXPECT_FALSE(report.contains("pass@8"));
}

TEST(SampleMetrics, PassAtKIncludesNWhenNIsNotAPowerOfTwo) {
  SampleMetrics metrics;
  for (int32_t replica = 0; replica < 5; ++replica) metrics.add(scored(0, replica, replica == 4, "x"));
  const auto report = metrics.report();
  EXPECT_TRUE(report.contains("pass@4"));
  // n = 5, c = 1, k = 5: certain.
  EXPECT_DOUBLE_EQ(report["pass@5"].get<double>(), 100.0);
  EXPECT_NEAR(report["pass@2"].get<double>(), 40.0, 1e-9);  // 1 - C(4,2)/C(5,2) = 1 - 6/10
}

TEST(SampleMetrics, PluralityVoteAndAisBenchMajorityAreDifferentFigures) {
  const auto report = three_questions().report();
  // cons@4: q0 ties 7/3 and 7 came first (right), q1 votes 5 (right), q2 votes 2 (wrong): 2 of 3.
  EXPECT_NEAR(report["cons@4"].get<double>(), 200.0 / 3.0, 1e-9);
  EXPECT_EQ(report["num_cons_ties"], 1);
  // majority_correct@4: right in more than 2 of 4 samples: only q1.
  EXPECT_NEAR(report["majority_correct@4"].get<double>(), 100.0 / 3.0, 1e-9);
}

TEST(SampleMetrics, OneSampleOmitsEveryMultiSampleFigure) {
  SampleMetrics metrics;
  metrics.add(scored(0, 0, true, "1"));
  metrics.add(scored(1, 0, false, "2"));
  const auto report = metrics.report();
  EXPECT_EQ(report["num_samples_per_question"], 1);
  for (const auto& [key, value] : report.items()) {
    EXPECT_TRUE(key.starts_with("num_")) << key << " should not be reported for n = 1";
  }
}

TEST(SampleMetrics, AQuestionThatLostASampleKeepsTheOthers) {
  SampleMetrics metrics;
  metrics.add(scored(0, 0, true, "1"));
  metrics.add(scored(0, 1, true, "1"));
  metrics.add(scored(1, 0, false, "2"));  // replica 1 failed and never arrived
  const auto report = metrics.report();
  EXPECT_EQ(report["num_questions_short"], 1);
  EXPECT_DOUBLE_EQ(report["avg@2"].get<double>(), 50.0);
  EXPECT_FALSE(report.contains("pass@2"));  // q1 has too few samples for k = 2
  EXPECT_FALSE(report.contains("avg@2_stderr"));
  EXPECT_DOUBLE_EQ(report["pass@1"].get<double>(), 50.0);
}

TEST(SampleMetrics, ArrivalOrderDoesNotMatter) {
  SampleMetrics forward = three_questions();
  SampleMetrics backward;
  std::vector<Sample> samples = {scored(2, 3, false),      scored(2, 2, false, "2"), scored(2, 1, false, "2"),
                                 scored(2, 0, false, "1"), scored(0, 3, false, "3"), scored(0, 2, false, "3"),
                                 scored(0, 1, true, "7"),  scored(0, 0, true, "7")};
  for (int32_t replica = 3; replica >= 0; --replica) samples.push_back(scored(1, replica, true, "5"));
  for (auto& sample : samples) backward.add(sample);
  EXPECT_EQ(forward.report(), backward.report());
}

TEST(SampleMetrics, RejectsTheSameSampleTwice) {
  SampleMetrics metrics;
  metrics.add(scored(3, 1, true));
  EXPECT_THROW(metrics.add(scored(3, 1, false)), std::invalid_argument);
}

TEST(SampleMetrics, ReasoningFiguresFromTheFieldsPresent) {
  SampleMetrics metrics;
  Sample cut = scored(0, 0, false);
  cut.finish_reason = "length";
  cut.unclosed_think = true;
  cut.completion_tokens = 32768;
  Sample done = scored(1, 0, true);
  done.finish_reason = "stop";
  done.unclosed_think = false;
  done.completion_tokens = 1000;
  Sample bare = scored(2, 0, true);  // e.g. re-scored outputs without inference fields
  metrics.add(cut);
  metrics.add(done);
  metrics.add(bare);
  const auto report = metrics.report();
  EXPECT_DOUBLE_EQ(report["length_truncated"].get<double>(), 50.0);  // of the two that carry it
  EXPECT_EQ(report["num_length_truncated"], 1);
  EXPECT_DOUBLE_EQ(report["unclosed_think"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(report["mean_output_tokens"].get<double>(), (32768.0 + 1000.0) / 2.0);
}

TEST(SampleMetrics, FiguresOfAbsentFieldsAreLeftOut) {
  const auto report = three_questions().report();
  EXPECT_FALSE(report.contains("length_truncated"));
  EXPECT_FALSE(report.contains("unclosed_think"));
  EXPECT_FALSE(report.contains("mean_output_tokens"));
}

TEST(SampleMetrics, NothingSeenReportsOnlyTheCount) {
  EXPECT_EQ(SampleMetrics().report(), nlohmann::json({{"num_questions", 0}}));
}

}  // namespace
}  // namespace evalflow::sample_metrics
