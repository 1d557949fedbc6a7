// The figures of one lane (a model on a dataset), computed from its prediction rows alone: accuracy and the
// multi-sample figures with 95% confidence intervals clustered by question, output lengths by verdict,
// truncation and unclosed-think rates, per-question pass rates and request latencies.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/statistics.hpp"

namespace evalflow::report {

// A sample's place in the report's filters.
enum class SampleState { kRight, kWrong, kUnscored, kFailed };
SampleState state_of(const nlohmann::json& row, bool from_failed_file);
// finish_reason == "length": the token limit cut the output.
bool cut_by_length(const nlohmann::json& row);
// The output stopped inside <think>: think_strip's `truncated` field, else an opening <think> never closed;
// nullopt when the row says nothing about reasoning.
std::optional<bool> unclosed_think(const nlohmann::json& row);

struct SampleVerdict {
  int64_t replica = 0;
  bool correct = false;
  std::string answer;  // `extracted`, the plurality vote's ballot ("" = no vote)
};

// A figure with its interval; `value` and the interval are shares (0-1).
struct Figure {
  std::string name;  // accuracy, avg@n, pass@k, cons@n
  stats::MeanEstimate estimate;
};

class LaneSummary {
 public:
  LaneSummary(std::string model, std::string dataset)
      : model_(std::move(model)), dataset_(std::move(dataset)) {}
  void add(const nlohmann::json& row, bool from_failed_file);

  [[nodiscard]] const std::string& model() const { return model_; }
  [[nodiscard]] const std::string& dataset() const { return dataset_; }
  [[nodiscard]] int64_t count(SampleState state) const { return counts_[static_cast<int>(state)]; }
  [[nodiscard]] int64_t rows() const;
  [[nodiscard]] int64_t questions() const { return static_cast<int64_t>(questions_.size()); }
  // Most samples any question has (n of avg@n).
  [[nodiscard]] int64_t samples_per_question() const;

  // accuracy over every scored sample; with n > 1 also avg@n, pass@k (k = 1, 2, 4, ... and min n_i) and
  // cons@n (plurality vote over `extracted`, ties to the lowest replica, as sample_metrics votes).
  [[nodiscard]] std::vector<Figure> figures() const;
  // Per question, the share of its scored samples judged right.
  [[nodiscard]] std::map<int64_t, double> question_pass_rates() const;

  // Shares of the rows that carry the information; nullopt when none does.
  [[nodiscard]] std::optional<double> length_truncated_rate() const;
  [[nodiscard]] std::optional<double> unclosed_think_rate() const;
  [[nodiscard]] int64_t length_truncated() const { return length_truncated_; }
  [[nodiscard]] int64_t unclosed_think() const { return unclosed_think_; }

  // Output lengths, in tokens when the rows carry completion_tokens, else in characters.
  [[nodiscard]] bool lengths_in_tokens() const { return tokens_seen_; }
  // Series 0: judged right, 1: judged wrong, 2: cut by length (whatever the verdict).
  [[nodiscard]] const std::vector<double>& lengths(int series) const {
    return tokens_seen_ ? token_lengths_[series] : character_lengths_[series];
  }

  // Request latencies in milliseconds from each row's `timing` (openai_http): TTFT, TPOT, ITL, E2E.
  [[nodiscard]] const std::map<std::string, std::vector<double>>& latencies() const { return latencies_; }

 private:
  void add_length(const nlohmann::json& row, int series);
  void add_timing(const nlohmann::json& row);

  std::string model_;
  std::string dataset_;
  int64_t counts_[4] = {0, 0, 0, 0};
  std::map<int64_t, std::vector<SampleVerdict>> questions_;  // scored samples only
  int64_t length_truncated_ = 0;
  int64_t with_finish_reason_ = 0;
  int64_t unclosed_think_ = 0;
  int64_t with_think_info_ = 0;
  bool tokens_seen_ = false;
  std::vector<double> token_lengths_[3];
  std::vector<double> character_lengths_[3];
  std::map<std::string, std::vector<double>> latencies_;
};

}  // namespace evalflow::report
