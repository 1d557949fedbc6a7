// The HTML fragments of report.html, each from figures already computed: the summary table, one section
// per lane with its charts, and the comparison of runs. Every count a test or a reader checks carries a
// data- attribute with the plain number.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/lane_summary.hpp"
#include "report/run_comparison.hpp"
#include "report/run_files.hpp"

namespace evalflow::report {

// A lane with where it comes from: `run` indexes the report's runs.
struct ReportLane {
  size_t run = 0;
  const LaneFiles* files = nullptr;
  const LaneSummary* summary = nullptr;
};

std::string summary_section(const std::vector<RunFiles>& runs, const std::vector<ReportLane>& lanes);
// `index` is SamplePages::index(): the per-column accuracy bars come from its rows.
std::string lane_section(size_t lane_number, const ReportLane& lane, const std::string& title,
                         const nlohmann::json& index);
std::string comparison_section(const std::vector<RunFiles>& runs,
                               const std::vector<std::vector<LaneComparison>>& comparisons,
                               const std::vector<std::vector<std::pair<size_t, size_t>>>& lane_numbers);

// "12.34 [8.10, 16.58]": a share and its interval in percent.
std::string percent_with_interval(const stats::MeanEstimate& estimate);

}  // namespace evalflow::report
