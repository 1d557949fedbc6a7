// `evalflow compare` and the report's comparison view: the same dataset in two runs, question by question.
// Each question's score is the share of its samples judged right, so a question answered 16 times counts
// once (clustered by question); the difference of the runs is the mean of the per-question differences,
// with a t interval, a paired bootstrap interval (questions resampled) and a paired test: exact McNemar
// when every question has one sample in each run, else a sign-flip permutation test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/lane_summary.hpp"
#include "report/statistics.hpp"

namespace evalflow::report {

// A question whose majority verdict changed: right in more than half of its samples in one run and not in
// the other (with one sample per run: right <-> wrong).
struct FlippedQuestion {
  int64_t id = 0;
  double rate_a = 0;
  double rate_b = 0;
};

struct LaneComparison {
  std::string dataset;
  std::string model_a;
  std::string model_b;
  int64_t paired_questions = 0;
  int64_t only_in_a = 0;  // questions scored in one run only: left out of every figure
  int64_t only_in_b = 0;
  double accuracy_a = 0;  // mean per-question share over the paired questions
  double accuracy_b = 0;
  stats::PairedComparison paired;
  bool single_sample = false;   // every paired question has one sample in each run
  int64_t right_only_in_a = 0;  // McNemar's discordant pairs (single_sample)
  int64_t right_only_in_b = 0;
  std::optional<double> mcnemar_p;
  std::vector<FlippedQuestion> flipped;  // largest change first
  [[nodiscard]] double p_value() const { return mcnemar_p.value_or(paired.permutation_p); }
  [[nodiscard]] std::string test_name() const {
    return mcnemar_p ? "McNemar exact" : "sign-flip permutation";
  }
};

LaneComparison compare_lanes(const LaneSummary& a, const LaneSummary& b,
                             const stats::PairedOptions& options = {});

// Pairs run B's lanes with run A's: the same dataset and model, else the same dataset when each run has
// only one lane on it (two models on one benchmark). Unpaired lanes are left out.
std::vector<std::pair<const LaneSummary*, const LaneSummary*>> pair_lanes(const std::vector<LaneSummary>& a,
                                                                          const std::vector<LaneSummary>& b);

// The table `evalflow compare` prints, then the flipped questions of each dataset.
std::string comparison_text(const std::string& label_a, const std::string& label_b,
                            const std::vector<LaneComparison>& comparisons);

}  // namespace evalflow::report
