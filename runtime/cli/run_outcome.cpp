#include "run_outcome.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "exit_codes.hpp"
#include "pipeline_arguments.hpp"
#include "report/html_report.hpp"
#include "report/results.hpp"

namespace evalflow::cli {

namespace {

const char* mode_label(RunMode mode) {
  return mode == RunMode::kPerf ? "perf" : "gen";
}

bool expected_figures_pass(const RunReport& report) {
  const SummaryTable table = summarize(report, "");
  const auto check = std::find(table.header.begin(), table.header.end(), "check");
  if (check == table.header.end()) return true;
  const auto column = static_cast<size_t>(check - table.header.begin());
  return std::none_of(table.rows.begin(), table.rows.end(),
                      [&](const auto& row) { return row[column] == "FAIL"; });
}

}  // namespace

void write_tables(const RunReport& report, RunMode mode) {
  const SummaryTable table = summarize(report, mode_label(mode));
  if (auto written = write_summary(report.run_dir / "summary", "summary", table); !written) {
    fail(written.error(), kExitIncomplete);
  }
  std::fputs(table.text().c_str(), stdout);
  // Perf mode's latency distributions (milliseconds), a table of their own.
  if (const SummaryTable latencies = latency_table(report); !latencies.rows.empty()) {
    if (auto written = write_summary(report.run_dir / "summary", "latency", latencies); !written) {
      fail(written.error(), kExitIncomplete);
    }
    std::fputs(("\n" + latencies.text()).c_str(), stdout);
  }
}

void write_report_html(const std::filesystem::path& run_dir) {
  const auto written = report::write_html_report({run_dir}, run_dir / "report.html");
  if (!written) {
    fmt::print(stderr, "evalflow: warning: report.html not written: {}\n", written.error());
    return;
  }
  fmt::print("report: {}\n", (run_dir / "report.html").string());
}

int report_outcome(const RunReport& report, bool check_expected) {
  const std::string run_dir = report.run_dir.string();
  int64_t failed = 0;
  int64_t eval_failed = 0;
  // A Ctrl-C that came after the last sample changes nothing: what counts is what was left undone.
  bool incomplete = report.abandoned || !report.abort_reason.empty();
  for (const auto& lane : report.lanes) {
    failed += lane.failed;
    eval_failed += lane.eval_failed;
    incomplete = incomplete || !lane.fed_all || (lane.planned >= 0 && lane.total < lane.planned);
    if (lane.failed > 0) {
      fmt::print(stderr, "evalflow: {}/{}: {} sample(s) failed before a prediction existed: {}\n", lane.model,
                 lane.dataset, lane.failed, lane.failures_file.string());
    }
  }
  if (failed > 0) {
    fmt::print(stderr, "evalflow: `evalflow run --resume {}` sends the failed samples again\n", run_dir);
  }
  if (eval_failed > 0) {
    fmt::print(
        stderr,
        "evalflow: {} sample(s) have a prediction but failed scoring (eval_error in predictions/*.jsonl, "
        "logs/run.log); fix the scoring, then `evalflow run --resume {} --mode eval` re-scores them\n",
        eval_failed, run_dir);
  }
  if (!report.abort_reason.empty()) {
    fmt::print(stderr, "evalflow: error: the run stopped: {}\n", report.abort_reason);
  }
  if (incomplete) {
    fmt::print(stderr, "evalflow: the run is incomplete; `evalflow run --resume {}` carries on\n", run_dir);
    return kExitIncomplete;
  }
  if (failed + eval_failed > 0) return kExitSamplesFailed;
  if (check_expected && !expected_figures_pass(report)) {
    fmt::print(stderr, "evalflow: an expected figure is outside its range (check FAIL in the summary)\n");
    return kExitExpectedFailed;
  }
  return kExitOk;
}

}  // namespace evalflow::cli
