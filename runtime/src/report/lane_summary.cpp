#include "report/lane_summary.hpp"

#include <algorithm>
#include <unordered_map>

using nlohmann::json;

namespace evalflow::report {

namespace {

const json* field(const json& row, const char* name) {
  const auto it = row.find(name);
  return it == row.end() || it->is_null() ? nullptr : &*it;
}

std::string string_field(const json& row, const char* name) {
  const json* value = field(row, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : "";
}

// Mean and question-level interval of one value per question.
stats::MeanEstimate over_questions(const std::vector<double>& per_question) {
  std::vector<std::vector<double>> clusters;
  clusters.reserve(per_question.size());
  for (double v : per_question) clusters.push_back({v});
  return stats::clustered_mean(clusters);
}

// sample_metrics' vote: the most frequent non-empty answer, ties to the answer whose first sample has the
// lowest replica; right when that first sample was judged right. No answer at all: wrong.
bool vote_is_right(std::vector<SampleVerdict> samples) {
  std::sort(samples.begin(), samples.end(),
            [](const auto& a, const auto& b) { return a.replica < b.replica; });
  std::unordered_map<std::string, std::pair<int64_t, const SampleVerdict*>> ballots;
  const SampleVerdict* winner = nullptr;
  int64_t most = 0;
  for (const auto& sample : samples) {
    if (sample.answer.empty()) continue;
    auto& [votes, first] = ballots[sample.answer];
    if (first == nullptr) first = &sample;
    if (++votes > most || (votes == most && first->replica < winner->replica)) {
      most = votes;
      winner = first;
    }
  }
  return winner != nullptr && winner->correct;
}

}  // namespace

SampleState state_of(const json& row, bool from_failed_file) {
  if (from_failed_file || !row.value("success", true)) return SampleState::kFailed;
  const json* correct = field(row, "correct");
  if (correct == nullptr || !correct->is_boolean() || field(row, "eval_error") != nullptr) {
    return SampleState::kUnscored;
  }
  return correct->get<bool>() ? SampleState::kRight : SampleState::kWrong;
}

bool cut_by_length(const json& row) {
  return string_field(row, "finish_reason") == "length";
}

std::optional<bool> unclosed_think(const json& row) {
  if (const json* truncated = field(row, "truncated"); truncated != nullptr && truncated->is_boolean()) {
    return truncated->get<bool>();
  }
  const std::string prediction = string_field(row, "prediction");
  const size_t open = prediction.find("<think>");
  if (open == std::string::npos) return std::nullopt;
  return prediction.find("</think>", open) == std::string::npos;
}

void LaneSummary::add(const json& row, bool from_failed_file) {
  const SampleState state = state_of(row, from_failed_file);
  ++counts_[static_cast<int>(state)];
  if (state == SampleState::kFailed) return;
  add_timing(row);
  if (field(row, "finish_reason") != nullptr) {
    ++with_finish_reason_;
    length_truncated_ += cut_by_length(row);
  }
  if (const auto unclosed = report::unclosed_think(row)) {
    ++with_think_info_;
    unclosed_think_ += *unclosed;
  }
  if (cut_by_length(row)) {
    add_length(row, 2);
  } else if (state != SampleState::kUnscored) {
    add_length(row, state == SampleState::kRight ? 0 : 1);
  }
  if (state == SampleState::kUnscored) return;
  questions_[row.value("id", int64_t{0})].push_back(
      {row.value("replica", int64_t{0}), state == SampleState::kRight, string_field(row, "extracted")});
}

void LaneSummary::add_length(const json& row, int series) {
  if (const json* tokens = field(row, "completion_tokens"); tokens != nullptr && tokens->is_number()) {
    tokens_seen_ = true;
    token_lengths_[series].push_back(tokens->get<double>());
  }
  character_lengths_[series].push_back(static_cast<double>(string_field(row, "prediction").size()));
}

void LaneSummary::add_timing(const json& row) {
  const json* timing = field(row, "timing");
  if (timing == nullptr || !timing->is_object() || !timing->value("ok", false)) return;
  const auto number = [&](const char* name) -> std::optional<double> {
    const auto it = timing->find(name);
    return it != timing->end() && it->is_number() ? std::optional(it->get<double>()) : std::nullopt;
  };
  const auto e2e = number("e2e_ms");
  const auto ttft = number("ttft_ms");
  if (e2e) latencies_["E2E"].push_back(*e2e);
  if (ttft) latencies_["TTFT"].push_back(*ttft);
  // TPOT as AISBench defines it: the time after the first token over the tokens after it.
  const json* tokens = field(row, "completion_tokens");
  if (e2e && ttft && tokens != nullptr && tokens->is_number() && tokens->get<double>() > 1) {
    latencies_["TPOT"].push_back((*e2e - *ttft) / (tokens->get<double>() - 1));
  }
  if (const auto itl = timing->find("itl_ms"); itl != timing->end() && itl->is_array()) {
    auto& gaps = latencies_["ITL"];
    for (const auto& gap : *itl) {
      if (gap.is_number()) gaps.push_back(gap.get<double>());
    }
  }
}

int64_t LaneSummary::rows() const {
  return counts_[0] + counts_[1] + counts_[2] + counts_[3];
}

int64_t LaneSummary::samples_per_question() const {
  size_t most = 0;
  for (const auto& [id, samples] : questions_) most = std::max(most, samples.size());
  return static_cast<int64_t>(most);
}

std::map<int64_t, double> LaneSummary::question_pass_rates() const {
  std::map<int64_t, double> rates;
  for (const auto& [id, samples] : questions_) {
    const auto right = std::count_if(samples.begin(), samples.end(), [](const auto& s) { return s.correct; });
    rates[id] = static_cast<double>(right) / static_cast<double>(samples.size());
  }
  return rates;
}

std::vector<Figure> LaneSummary::figures() const {
  std::vector<std::vector<double>> scores;
  std::vector<double> pass_rates;
  std::vector<double> votes;
  size_t fewest = SIZE_MAX;
  for (const auto& [id, samples] : questions_) {
    auto& question = scores.emplace_back();
    for (const auto& sample : samples) question.push_back(sample.correct ? 1.0 : 0.0);
    fewest = std::min(fewest, samples.size());
  }
  std::vector<Figure> figures = {{"accuracy", stats::clustered_mean(scores)}};
  const int64_t n = samples_per_question();
  if (n <= 1) return figures;
  for (const auto& [id, rate] : question_pass_rates()) pass_rates.push_back(rate);
  figures.push_back({"avg@" + std::to_string(n), over_questions(pass_rates)});
  std::vector<int64_t> ks;
  for (int64_t k = 1; k <= static_cast<int64_t>(fewest); k *= 2) ks.push_back(k);
  if (ks.back() != static_cast<int64_t>(fewest)) ks.push_back(static_cast<int64_t>(fewest));
  for (const int64_t k : ks) {
    std::vector<double> per_question;
    for (const auto& [id, samples] : questions_) {
      const auto right =
          std::count_if(samples.begin(), samples.end(), [](const auto& s) { return s.correct; });
      per_question.push_back(stats::pass_at_k(static_cast<int64_t>(samples.size()), right, k));
    }
    figures.push_back({"pass@" + std::to_string(k), over_questions(per_question)});
  }
  for (const auto& [id, samples] : questions_) votes.push_back(vote_is_right(samples) ? 1.0 : 0.0);
  figures.push_back({"cons@" + std::to_string(n), over_questions(votes)});
  return figures;
}

std::optional<double> LaneSummary::length_truncated_rate() const {
  if (with_finish_reason_ == 0) return std::nullopt;
  return static_cast<double>(length_truncated_) / static_cast<double>(with_finish_reason_);
}

std::optional<double> LaneSummary::unclosed_think_rate() const {
  if (with_think_info_ == 0) return std::nullopt;
  return static_cast<double>(unclosed_think_) / static_cast<double>(with_think_info_);
}

}  // namespace evalflow::report
