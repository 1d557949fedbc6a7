// Metrics over n samples per question (DeepSeek-R1's reporting, and AISBench's): avg@n with its standard
// errors, unbiased pass@k, a plurality vote over the extracted answers (cons@n), AISBench's majority-correct
// cons@n, and reasoning-aware figures (outputs cut by the token limit, unclosed <think>, output length).
// A plain library: the sample_metrics plugin is a thin adapter over it.
#ifndef EVALFLOW_SAMPLE_METRICS_SAMPLE_METRICS_HPP
#define EVALFLOW_SAMPLE_METRICS_SAMPLE_METRICS_HPP

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace evalflow::sample_metrics {

// One scored sample: question `question`, sample number `replica`. The optional members are what the
// pipeline's nodes happened to write; a missing one leaves its figures out of the report.
struct Sample {
  int64_t question = 0;
  int32_t replica = 0;
  bool correct = false;
  std::optional<std::string> answer;         // the extracted answer; absent or empty: no vote
  std::optional<std::string> finish_reason;  // "stop" | "length"
  std::optional<bool> unclosed_think;        // think_strip's `truncated`
  std::optional<int64_t> completion_tokens;
};

// The unbiased estimator of Chen et al. (2021): 1 - C(n-c, k) / C(n, k), the chance that k samples drawn
// without replacement from n, c of them correct, include a correct one. Requires 0 <= c <= n, 1 <= k <= n.
double unbiased_pass_at_k(int64_t n, int64_t c, int64_t k);

// The plurality vote over one question's samples. Samples without an answer do not vote. Among answers
// tied for the most votes, the one whose first sample has the lowest replica index wins: what Python's
// Counter(answers).most_common(1) gives over the samples in replica order, and independent of the order in
// which samples finished. The winner is correct when that first sample carrying it was judged correct.
struct Vote {
  std::optional<std::string> answer;  // nullopt: no sample had an answer (the question counts as wrong)
  int64_t votes = 0;
  bool correct = false;
  bool tied = false;  // another answer had as many votes
};
Vote plurality_vote(std::span<const Sample> samples);

class SampleMetrics {
 public:
  // Throws std::invalid_argument if this (question, replica) was already added.
  void add(Sample sample);

  // The metrics as a flat JSON object, percentages in percent (0-100). With n = the most samples any
  // question has: "avg@n", "avg@n_stderr", "avg@n_stderr_questions", "pass@k" for k = 1, 2, 4, ... and n,
  // "cons@n", "majority_correct@n" only when n > 1; "length_truncated", "unclosed_think",
  // "mean_output_tokens" when some sample carries the field; counts under "num_*" keys. README.md
  // defines each figure.
  [[nodiscard]] nlohmann::json report() const;

 private:
  std::map<int64_t, std::vector<Sample>> by_question_;  // each vector sorted by replica
};

}  // namespace evalflow::sample_metrics

#endif  // EVALFLOW_SAMPLE_METRICS_SAMPLE_METRICS_HPP
