#include "report/report_sections.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/svg_chart.hpp"

using nlohmann::json;

namespace evalflow::report {

namespace {

constexpr int kLengthBins = 24;
constexpr int kLatencyBins = 24;
// A column with more values than this gets no bar chart (the filter still lists them).
constexpr size_t kMaxBarsPerColumn = 12;

std::string rate_cell(const std::optional<double>& rate, int64_t count) {
  if (!rate) return "<td class=\"na\">–</td>";
  return fmt::format("<td data-count=\"{}\">{:.2f} <span class=\"minor\">({})</span></td>", count,
                     100 * *rate, count);
}

std::string figures_cell(const std::vector<Figure>& figures) {
  std::string text;
  for (size_t i = 1; i < figures.size(); ++i) {
    text += fmt::format("<div><span class=\"figure-name\">{}</span> {}</div>", html_escape(figures[i].name),
                        percent_with_interval(figures[i].estimate));
  }
  return text.empty() ? "<span class=\"na\">one sample per question</span>" : text;
}

// The run's own figures as results/<model>/<dataset>.json holds them (numbers only, one level deep).
std::string results_rows(const json& results) {
  std::string rows;
  if (!results.is_object()) return rows;
  for (const auto& [key, value] : results.items()) {
    if (value.is_number()) {
      rows +=
          fmt::format("<tr><td>{}</td><td>{}</td></tr>", html_escape(key),
                      value.is_number_float() ? fmt::format("{:.4f}", value.get<double>()) : value.dump());
    } else if (value.is_object()) {
      for (const auto& [sub, item] : value.items()) {
        if (!item.is_number()) continue;
        rows += fmt::format("<tr><td>{}.{}</td><td>{:.4f}</td></tr>", html_escape(key), html_escape(sub),
                            item.get<double>());
      }
    }
  }
  return rows;
}

std::string length_chart(const LaneSummary& summary) {
  const std::vector<std::vector<double>> series = {summary.lengths(0), summary.lengths(1),
                                                   summary.lengths(2)};
  if (series[0].empty() && series[1].empty() && series[2].empty()) return "";
  const auto histograms = stats::shared_histograms(series, kLengthBins);
  return histogram_svg("Output length by verdict",
                       summary.lengths_in_tokens() ? "completion tokens" : "characters of the output",
                       {{"right", "series-right", histograms[0]},
                        {"wrong", "series-wrong", histograms[1]},
                        {"cut by length", "series-cut", histograms[2]}});
}

std::string pass_rate_chart(const LaneSummary& summary) {
  const int64_t n = summary.samples_per_question();
  if (n <= 1) return "";
  std::vector<double> rates;
  for (const auto& [id, rate] : summary.question_pass_rates()) rates.push_back(rate);
  // One bin per possible share k/n (up to 21 bins), over [0, 1] whatever the values are.
  const int bins = static_cast<int>(std::min<int64_t>(n + 1, 21));
  auto histogram = stats::shared_histograms({rates, {0.0, 1.0}}, bins)[0];
  return histogram_svg(fmt::format("Questions by share of {} samples right", n), "share of samples right",
                       {{"questions", "series-plain", histogram}});
}

std::string latency_charts(const LaneSummary& summary) {
  std::string charts;
  for (const char* name : {"TTFT", "TPOT", "ITL", "E2E"}) {
    const auto it = summary.latencies().find(name);
    if (it == summary.latencies().end() || it->second.empty()) continue;
    const auto& values = it->second;
    const auto histogram = stats::shared_histograms({values}, kLatencyBins)[0];
    const std::string title =
        fmt::format("{} (ms): p50 {:.1f}, p90 {:.1f}, p99 {:.1f}", name, stats::quantile(values, 0.5),
                    stats::quantile(values, 0.9), stats::quantile(values, 0.99));
    charts += histogram_svg(
        title, std::string(name) + " in milliseconds",
        {{std::string(name == std::string("ITL") ? "gaps" : "requests"), "series-plain", histogram}});
  }
  return charts;
}

// Accuracy per value of each dataset column (MATH's level, subject), clustered by question, from the index.
std::string column_charts(size_t lane_number, const json& index) {
  std::string charts;
  const auto& columns = index["columns"];
  for (size_t c = 0; c < columns.size(); ++c) {
    std::map<std::string, std::map<int64_t, std::vector<double>>> by_value;
    for (const auto& row : index["rows"]) {
      if (row[0].get<size_t>() != lane_number) continue;
      const int state = row[3].get<int>();
      if (state > 1) continue;  // unscored or failed
      const std::string value = row[8][c].get<std::string>();
      if (value.empty()) continue;
      by_value[value][row[1].get<int64_t>()].push_back(state == 0 ? 1.0 : 0.0);
    }
    if (by_value.size() < 2 || by_value.size() > kMaxBarsPerColumn) continue;
    std::vector<Bar> bars;
    for (const auto& [value, questions] : by_value) {
      std::vector<std::vector<double>> clusters;
      for (const auto& [id, scores] : questions) clusters.push_back(scores);
      const auto estimate = stats::clustered_mean(clusters);
      bars.push_back({value, estimate.mean, estimate.ci, static_cast<long>(estimate.scores)});
    }
    charts += bar_chart_svg("Accuracy by " + columns[c].get<std::string>() + " (95% CI)", bars);
  }
  return charts;
}

}  // namespace

std::string percent_with_interval(const stats::MeanEstimate& estimate) {
  if (estimate.scores == 0) return "<span class=\"na\">–</span>";
  // A share's interval stops at 0 and 100: the t interval of a mean near either end reaches past them.
  return fmt::format("<b>{:.2f}</b> <span class=\"ci\">[{:.2f}, {:.2f}]</span>", 100 * estimate.mean,
                     100 * std::max(estimate.ci.low, 0.0), 100 * std::min(estimate.ci.high, 1.0));
}

std::string summary_section(const std::vector<RunFiles>& runs, const std::vector<ReportLane>& lanes) {
  std::string html = R"(<section id="summary"><h2>Summary</h2><table class="summary"><thead><tr>)";
  if (runs.size() > 1) html += "<th>run</th>";
  html +=
      "<th>model</th><th>dataset</th><th>questions</th><th>samples</th><th>right</th><th>wrong</th>"
      "<th>failed</th><th>unscored</th><th>accuracy [95% CI]</th><th>multi-sample [95% CI]</th>"
      "<th>cut by length %</th><th>unclosed think %</th></tr></thead><tbody>";
  for (size_t i = 0; i < lanes.size(); ++i) {
    const LaneSummary& s = *lanes[i].summary;
    const auto figures = s.figures();
    html += fmt::format(
        R"(<tr class="lane-row" data-lane="{}" data-model="{}" data-dataset="{}" data-rows="{}" data-right="{}" data-wrong="{}" data-failed="{}" data-unscored="{}" data-accuracy="{:.6f}">)",
        i, html_escape(s.model()), html_escape(s.dataset()), s.rows(), s.count(SampleState::kRight),
        s.count(SampleState::kWrong), s.count(SampleState::kFailed), s.count(SampleState::kUnscored),
        100 * figures[0].estimate.mean);
    if (runs.size() > 1) html += fmt::format("<td>{}</td>", html_escape(runs[lanes[i].run].label));
    html += fmt::format(
        "<td>{}</td><td><a "
        "href=\"#lane-{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td>",
        html_escape(s.model()), i, html_escape(s.dataset()), s.questions(), s.rows(),
        s.count(SampleState::kRight), s.count(SampleState::kWrong), s.count(SampleState::kFailed),
        s.count(SampleState::kUnscored), percent_with_interval(figures[0].estimate), figures_cell(figures));
    html += rate_cell(s.length_truncated_rate(), s.length_truncated());
    html += rate_cell(s.unclosed_think_rate(), s.unclosed_think());
    html += "</tr>";
  }
  html += "</tbody></table>";
  html +=
      "<p class=\"note\">Figures in percent. 95% intervals are t intervals on the number of questions - 1 "
      "degrees of freedom with standard errors clustered by question (Inspect's "
      "<code>stderr(cluster=)</code>): "
      "a question answered n times counts as one draw from the benchmark, not n. pass@k is the unbiased "
      "estimate of Chen et al.; cons@n a plurality vote over the extracted answers. Failed samples have no "
      "prediction and are not scored.</p>";
  html +=
      "<details><summary>The figures each run wrote "
      "(results/&lt;model&gt;/&lt;dataset&gt;.json)</summary><div class=\"results-grid\">";
  for (const auto& lane : lanes) {
    html += fmt::format("<table class=\"results\"><caption>{} · {}</caption>{}</table>",
                        html_escape(lane.summary->model()), html_escape(lane.summary->dataset()),
                        results_rows(lane.files->results));
  }
  return html + "</div></details></section>";
}

std::string lane_section(size_t lane_number, const ReportLane& lane, const std::string& title,
                         const json& index) {
  const LaneSummary& s = *lane.summary;
  std::string html = fmt::format(R"(<article class="lane" id="lane-{}"><h3>{}</h3><div class="cards">)",
                                 lane_number, html_escape(title));
  for (const auto& figure : s.figures()) {
    html += fmt::format(R"(<div class="card"><div class="card-name">{}</div><div>{}</div></div>)",
                        html_escape(figure.name), percent_with_interval(figure.estimate));
  }
  if (const auto rate = s.length_truncated_rate()) {
    html += fmt::format(
        R"(<div class="card"><div class="card-name">cut by length</div><div><b>{:.2f}</b> ({})</div></div>)",
        100 * *rate, s.length_truncated());
  }
  if (const auto rate = s.unclosed_think_rate()) {
    html += fmt::format(
        R"(<div class="card"><div class="card-name">unclosed &lt;think&gt;</div><div><b>{:.2f}</b> ({})</div></div>)",
        100 * *rate, s.unclosed_think());
  }
  html += fmt::format(
      R"(<button class="show-samples" data-lane="{}">show its samples</button></div><div class="charts">)",
      lane_number);
  html += length_chart(s) + pass_rate_chart(s) + column_charts(lane_number, index) + latency_charts(s);
  return html + "</div></article>";
}

std::string comparison_section(const std::vector<RunFiles>& runs,
                               const std::vector<std::vector<LaneComparison>>& comparisons,
                               const std::vector<std::vector<std::pair<size_t, size_t>>>& lane_numbers) {
  std::string html = R"(<section id="compare"><h2>Comparison of runs</h2>)";
  for (size_t k = 0; k < comparisons.size(); ++k) {
    html += fmt::format("<h3>A: {} &nbsp;→&nbsp; B: {}</h3>", html_escape(runs[0].label),
                        html_escape(runs[k + 1].label));
    if (comparisons[k].empty()) {
      html += "<p>No dataset is in both runs.</p>";
      continue;
    }
    html +=
        "<table class=\"compare\"><thead><tr><th>dataset</th><th>models</th><th>questions</th><th>A</th>"
        "<th>B</th><th>B − A</th><th>95% CI (t)</th><th>95% CI (paired bootstrap)</th><th>test</th>"
        "<th>p</th><th>flipped</th></tr></thead><tbody>";
    for (size_t i = 0; i < comparisons[k].size(); ++i) {
      const LaneComparison& c = comparisons[k][i];
      std::string up_ids;
      std::string down_ids;
      for (const auto& flip : c.flipped) {
        std::string& ids = flip.rate_b > flip.rate_a ? up_ids : down_ids;
        ids += (ids.empty() ? "" : ",") + std::to_string(flip.id);
      }
      const auto [lane_a, lane_b] = lane_numbers[k][i];
      html += fmt::format(
          R"(<tr class="compare-row" data-dataset="{}" data-difference="{:.6f}" data-p="{:.6f}" data-flipped="{}"><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td><b>{:+.2f}</b></td><td>[{:+.2f}, {:+.2f}]</td><td>[{:+.2f}, {:+.2f}]</td><td>{}</td><td>{:.4f}</td><td>)",
          html_escape(c.dataset), 100 * c.paired.difference, c.p_value(), c.flipped.size(),
          html_escape(c.dataset),
          html_escape(c.model_a == c.model_b ? c.model_a : c.model_a + " → " + c.model_b), c.paired_questions,
          100 * c.accuracy_a, 100 * c.accuracy_b, 100 * c.paired.difference, 100 * c.paired.t_ci.low,
          100 * c.paired.t_ci.high, 100 * c.paired.bootstrap_ci.low, 100 * c.paired.bootstrap_ci.high,
          c.mcnemar_p
              ? fmt::format("McNemar exact ({} vs {} discordant)", c.right_only_in_a, c.right_only_in_b)
              : std::string("sign-flip permutation"),
          c.p_value());
      if (!up_ids.empty()) {
        html += fmt::format(
            R"(<button class="show-ids up" data-lane="{}" data-ids="{}">{} right only in B</button> )",
            lane_b, up_ids, std::count(up_ids.begin(), up_ids.end(), ',') + 1);
      }
      if (!down_ids.empty()) {
        html += fmt::format(
            R"(<button class="show-ids down" data-lane="{}" data-ids="{}">{} right only in A</button>)",
            lane_a, down_ids, std::count(down_ids.begin(), down_ids.end(), ',') + 1);
      }
      if (up_ids.empty() && down_ids.empty()) html += "none";
      html += "</td></tr>";
    }
    html += "</tbody></table>";
    for (const auto& c : comparisons[k]) {
      if (c.only_in_a + c.only_in_b == 0) continue;
      html += fmt::format(
          "<p class=\"note\">{}: {} question(s) only in A and {} only in B are left out of "
          "every figure.</p>",
          html_escape(c.dataset), c.only_in_a, c.only_in_b);
    }
  }
  html +=
      "<p class=\"note\">Each question counts once, with the share of its samples judged right; B − A is the "
      "mean of the per-question differences. The bootstrap resamples questions (10,000 draws, fixed seed). "
      "With one sample per question the test is McNemar's exact test on the questions right in one run "
      "only; with several, a sign-flip permutation test of the per-question differences. A flipped question "
      "is right in more than half of its samples in one run only.</p>";
  return html + "</section>";
}

}  // namespace evalflow::report
