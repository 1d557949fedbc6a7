#include "sample_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace evalflow::sample_metrics {

namespace {

using nlohmann::json;

double percent(double share) {
  return 100.0 * share;
}

double mean_of(std::span<const double> values) {
  double sum = 0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

// 1, 2, 4, ... up to n, and n itself: the k DeepSeek and AISBench tabulate.
std::vector<int64_t> pass_ks(int64_t n) {
  std::vector<int64_t> ks;
  for (int64_t k = 1; k <= n; k *= 2) ks.push_back(k);
  if (ks.back() != n) ks.push_back(n);
  return ks;
}

int64_t count_correct(std::span<const Sample> samples) {
  return std::count_if(samples.begin(), samples.end(), [](const Sample& sample) { return sample.correct; });
}

// Share of the samples carrying an optional field for which `holds` is true; nullopt when none carries it.
template <class Member, class Predicate>
std::optional<std::pair<int64_t, int64_t>> count_where(
    const std::map<int64_t, std::vector<Sample>>& questions, Member member, Predicate holds) {
  int64_t carrying = 0;
  int64_t matching = 0;
  for (const auto& [question, samples] : questions) {
    for (const Sample& sample : samples) {
      const auto& field = sample.*member;
      if (!field) continue;
      ++carrying;
      if (holds(*field)) ++matching;
    }
  }
  if (carrying == 0) return std::nullopt;
  return std::pair{matching, carrying};
}

}  // namespace

double unbiased_pass_at_k(int64_t n, int64_t c, int64_t k) {
  if (c < 0 || c > n || k < 1 || k > n) {
    throw std::invalid_argument("pass@k needs 0 <= c <= n and 1 <= k <= n; got n=" + std::to_string(n) +
                                " c=" + std::to_string(c) + " k=" + std::to_string(k));
  }
  if (n - c < k) return 1.0;
  // C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k/i): a product of factors in (0, 1], which neither
  // overflows nor loses precision the way the binomial coefficients themselves would for n = 64.
  double none_correct = 1.0;
  for (int64_t i = n - c + 1; i <= n; ++i)
    none_correct *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - none_correct;
}

Vote plurality_vote(std::span<const Sample> samples) {
  struct Tally {
    std::string_view answer;
    int64_t votes = 0;
    bool first_correct = false;
  };
  std::vector<Tally> tallies;  // in order of first appearance, which is replica order
  for (const Sample& sample : samples) {
    if (!sample.answer || sample.answer->empty()) continue;
    auto found = std::find_if(tallies.begin(), tallies.end(),
                              [&](const Tally& tally) { return tally.answer == *sample.answer; });
    if (found == tallies.end()) {
      tallies.push_back({*sample.answer, 1, sample.correct});
    } else {
      ++found->votes;
    }
  }
  Vote vote;
  const Tally* winner = nullptr;
  for (const Tally& tally : tallies) {
    if (winner == nullptr || tally.votes > winner->votes) {
      winner = &tally;
      vote.tied = false;
    } else if (tally.votes == winner->votes) {
      vote.tied = true;  // the earlier answer keeps the win
    }
  }
  if (winner != nullptr) {
    vote.answer = std::string(winner->answer);
    vote.votes = winner->votes;
    vote.correct = winner->first_correct;
  }
  return vote;
}

void SampleMetrics::add(Sample sample) {
  auto& samples = by_question_[sample.question];
  auto position =
      std::lower_bound(samples.begin(), samples.end(), sample.replica,
                       [](const Sample& held, int32_t replica) { return held.replica < replica; });
  if (position != samples.end() && position->replica == sample.replica) {
    throw std::invalid_argument("sample " + std::to_string(sample.question) + " replica " +
                                std::to_string(sample.replica) + " was reported twice");
  }
  samples.insert(position, std::move(sample));
}

json SampleMetrics::report() const {
  json report = json::object();
  const auto questions = static_cast<int64_t>(by_question_.size());
  report["num_questions"] = questions;
  if (questions == 0) return report;

  int64_t n_max = 0;
  int64_t n_min = INT64_MAX;
  for (const auto& [question, samples] : by_question_) {
    n_max = std::max<int64_t>(n_max, static_cast<int64_t>(samples.size()));
    n_min = std::min<int64_t>(n_min, static_cast<int64_t>(samples.size()));
  }
  report["num_samples_per_question"] = n_max;
  // Questions that lost samples (failed requests) keep the ones they have: avg@n and the vote use them.
  report["num_questions_short"] =
      std::count_if(by_question_.begin(), by_question_.end(),
                    [&](const auto& entry) { return static_cast<int64_t>(entry.second.size()) < n_max; });

  if (n_max > 1) {
    const std::string n = std::to_string(n_max);
    std::vector<double> shares;
    double sampling_variance = 0;  // of the mean of shares, questions held fixed
    for (const auto& [question, samples] : by_question_) {
      const auto size = static_cast<double>(samples.size());
      const double share = static_cast<double>(count_correct(samples)) / size;
      shares.push_back(share);
      // share * (1 - share) / (size - 1) is the unbiased estimate of Var(share) = p (1 - p) / size.
      if (samples.size() > 1) sampling_variance += share * (1.0 - share) / (size - 1.0);
    }
    const double mean_share = mean_of(shares);
    report["avg@" + n] = percent(mean_share);
    if (n_min > 1) {
      report["avg@" + n + "_stderr"] = percent(std::sqrt(sampling_variance) / static_cast<double>(questions));
    }
    if (questions > 1) {
      double spread = 0;
      for (double share : shares) spread += (share - mean_share) * (share - mean_share);
      const double variance = spread / static_cast<double>(questions - 1);
      report["avg@" + n + "_stderr_questions"] =
          percent(std::sqrt(variance / static_cast<double>(questions)));
    }
    for (int64_t k : pass_ks(n_min)) {
      double sum = 0;
      for (const auto& [question, samples] : by_question_) {
        sum += unbiased_pass_at_k(static_cast<int64_t>(samples.size()), count_correct(samples), k);
      }
      report["pass@" + std::to_string(k)] = percent(sum / static_cast<double>(questions));
    }
    int64_t vote_correct = 0;
    int64_t votes_tied = 0;
    int64_t majority_correct = 0;
    for (const auto& [question, samples] : by_question_) {
      const Vote vote = plurality_vote(samples);
      vote_correct += vote.correct ? 1 : 0;
      votes_tied += vote.tied ? 1 : 0;
      // AISBench's cons@k: correct in more than half of the samples.
      majority_correct += 2 * count_correct(samples) > static_cast<int64_t>(samples.size()) ? 1 : 0;
    }
    report["cons@" + n] = percent(static_cast<double>(vote_correct) / static_cast<double>(questions));
    report["num_cons_ties"] = votes_tied;
    report["majority_correct@" + n] =
        percent(static_cast<double>(majority_correct) / static_cast<double>(questions));
  }

  if (auto cut = count_where(by_question_, &Sample::finish_reason,
                             [](const std::string& reason) { return reason == "length"; })) {
    report["length_truncated"] = percent(static_cast<double>(cut->first) / static_cast<double>(cut->second));
    report["num_length_truncated"] = cut->first;
  }
  if (auto open =
          count_where(by_question_, &Sample::unclosed_think, [](bool unclosed) { return unclosed; })) {
    report["unclosed_think"] = percent(static_cast<double>(open->first) / static_cast<double>(open->second));
    report["num_unclosed_think"] = open->first;
  }
  double tokens = 0;
  int64_t with_tokens = 0;
  for (const auto& [question, samples] : by_question_) {
    for (const Sample& sample : samples) {
      if (!sample.completion_tokens) continue;
      tokens += static_cast<double>(*sample.completion_tokens);
      ++with_tokens;
    }
  }
  if (with_tokens > 0) report["mean_output_tokens"] = tokens / static_cast<double>(with_tokens);
  return report;
}

}  // namespace evalflow::sample_metrics
