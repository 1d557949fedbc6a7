#include "report/run_comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace evalflow::report {

namespace {

std::string signed_percent(double share) {
  return fmt::format("{:+.2f}", 100 * share);
}

std::string interval_text(const stats::Interval& interval) {
  return fmt::format("[{:+.2f}, {:+.2f}]", 100 * interval.low, 100 * interval.high);
}

std::string join_ids(const std::vector<FlippedQuestion>& flips, bool up) {
  std::string text;
  for (const auto& flip : flips) {
    if ((flip.rate_b > flip.rate_a) != up) continue;
    text += (text.empty() ? "" : ", ") + std::to_string(flip.id);
  }
  return text.empty() ? "-" : text;
}

}  // namespace

LaneComparison compare_lanes(const LaneSummary& a, const LaneSummary& b,
                             const stats::PairedOptions& options) {
  LaneComparison comparison;
  comparison.dataset = a.dataset();
  comparison.model_a = a.model();
  comparison.model_b = b.model();
  const auto rates_a = a.question_pass_rates();
  const auto rates_b = b.question_pass_rates();
  std::vector<double> paired_a;
  std::vector<double> paired_b;
  for (const auto& [id, rate] : rates_a) {
    const auto other = rates_b.find(id);
    if (other == rates_b.end()) {
      ++comparison.only_in_a;
      continue;
    }
    paired_a.push_back(rate);
    paired_b.push_back(other->second);
    if ((rate > 0.5) != (other->second > 0.5)) comparison.flipped.push_back({id, rate, other->second});
  }
  for (const auto& [id, rate] : rates_b) comparison.only_in_b += !rates_a.contains(id);
  comparison.paired_questions = static_cast<int64_t>(paired_a.size());
  if (paired_a.empty()) return comparison;
  for (size_t i = 0; i < paired_a.size(); ++i) {
    comparison.accuracy_a += paired_a[i] / paired_a.size();
    comparison.accuracy_b += paired_b[i] / paired_b.size();
  }
  comparison.paired = stats::paired_comparison(paired_a, paired_b, options);
  comparison.single_sample = a.samples_per_question() == 1 && b.samples_per_question() == 1;
  if (comparison.single_sample) {
    for (size_t i = 0; i < paired_a.size(); ++i) {
      comparison.right_only_in_a += paired_a[i] > paired_b[i];
      comparison.right_only_in_b += paired_b[i] > paired_a[i];
    }
    comparison.mcnemar_p = stats::mcnemar_exact_p(comparison.right_only_in_a, comparison.right_only_in_b);
  }
  std::stable_sort(comparison.flipped.begin(), comparison.flipped.end(), [](const auto& x, const auto& y) {
    return std::abs(x.rate_b - x.rate_a) > std::abs(y.rate_b - y.rate_a);
  });
  return comparison;
}

std::vector<std::pair<const LaneSummary*, const LaneSummary*>> pair_lanes(const std::vector<LaneSummary>& a,
                                                                          const std::vector<LaneSummary>& b) {
  std::vector<std::pair<const LaneSummary*, const LaneSummary*>> pairs;
  const auto on_dataset = [](const std::vector<LaneSummary>& lanes, const std::string& dataset) {
    return std::count_if(lanes.begin(), lanes.end(), [&](const auto& l) { return l.dataset() == dataset; });
  };
  for (const auto& lane_a : a) {
    const LaneSummary* match = nullptr;
    for (const auto& lane_b : b) {
      if (lane_b.dataset() == lane_a.dataset() && lane_b.model() == lane_a.model()) match = &lane_b;
    }
    if (match == nullptr && on_dataset(a, lane_a.dataset()) == 1 && on_dataset(b, lane_a.dataset()) == 1) {
      match =
          &*std::find_if(b.begin(), b.end(), [&](const auto& l) { return l.dataset() == lane_a.dataset(); });
    }
    if (match != nullptr) pairs.emplace_back(&lane_a, match);
  }
  return pairs;
}

std::string comparison_text(const std::string& label_a, const std::string& label_b,
                            const std::vector<LaneComparison>& comparisons) {
  std::string text = fmt::format("A: {}\nB: {}\n\n", label_a, label_b);
  if (comparisons.empty()) return text + "no dataset is in both runs\n";
  std::vector<std::vector<std::string>> rows = {{"dataset", "models (A -> B)", "questions", "A", "B", "B - A",
                                                 "95% CI (t)", "95% CI (bootstrap)", "test", "p", "flipped"}};
  for (const auto& c : comparisons) {
    const std::string models = c.model_a == c.model_b ? c.model_a : c.model_a + " -> " + c.model_b;
    const int64_t up =
        std::count_if(c.flipped.begin(), c.flipped.end(), [](const auto& f) { return f.rate_b > f.rate_a; });
    rows.push_back(
        {c.dataset, models, std::to_string(c.paired_questions), fmt::format("{:.2f}", 100 * c.accuracy_a),
         fmt::format("{:.2f}", 100 * c.accuracy_b), signed_percent(c.paired.difference),
         interval_text(c.paired.t_ci), interval_text(c.paired.bootstrap_ci),
         c.mcnemar_p ? fmt::format("McNemar {}/{}", c.right_only_in_a, c.right_only_in_b) : "sign-flip",
         fmt::format("{:.4f}", c.p_value()),
         fmt::format("{} ({} up, {} down)", c.flipped.size(), up, c.flipped.size() - up)});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows[r].size(); ++i) {
      line += fmt::format("{:<{}}", rows[r][i], widths[i] + (i + 1 < rows[r].size() ? 2 : 0));
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + "\n";
    if (r == 0) {
      std::string rule;
      for (size_t i = 0; i < widths.size(); ++i)
        rule += std::string(widths[i], '-') + (i + 1 < widths.size() ? "  " : "");
      text += rule + "\n";
    }
  }
  text +=
      "\nFigures in percent; each question counts once (the share of its samples judged right). A flipped "
      "question is right in more than half of its samples in one run only.\n";
  for (const auto& c : comparisons) {
    if (c.only_in_a + c.only_in_b > 0) {
      text += fmt::format("{}: {} question(s) only in A and {} only in B are left out\n", c.dataset,
                          c.only_in_a, c.only_in_b);
    }
    if (c.flipped.empty()) continue;
    text += fmt::format("{}: right only in B (id): {}\n", c.dataset, join_ids(c.flipped, true));
    text += fmt::format("{}: right only in A (id): {}\n", c.dataset, join_ids(c.flipped, false));
  }
  return text;
}

}  // namespace evalflow::report
