// report.html: one self-contained file (no network access, opens from disk) built from run directories
// alone. Summary with 95% intervals, per-lane charts, the comparison of runs (when given several) and a
// sample browser whose texts stay compressed until a sample is opened.
#pragma once

#include <filesystem>
#include <vector>

#include "common/result.hpp"
#include "report/lane_summary.hpp"
#include "report/run_files.hpp"
#include "report/sample_pages.hpp"

namespace evalflow::report {

struct ReportOptions {
  PageOptions pages;
};

struct ReportStatistics {
  int64_t bytes = 0;
  int64_t samples = 0;
  int64_t pages = 0;
  int64_t shortened_texts = 0;  // texts longer than the report's share per sample
  int64_t text_limit = 0;
};

// The lanes of a run with their figures (what `evalflow compare` needs; no texts kept).
Result<std::vector<LaneSummary>> summarize_run(const RunFiles& run);

// Writes the report of `runs` (the first is the baseline of the comparison) to `output`.
Result<ReportStatistics> write_html_report(const std::vector<std::filesystem::path>& runs,
                                           const std::filesystem::path& output,
                                           const ReportOptions& options = {});

}  // namespace evalflow::report
