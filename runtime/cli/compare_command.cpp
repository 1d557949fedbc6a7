// `evalflow compare RUN_A RUN_B [RUN_C...]`: each dataset of RUN_A against the same dataset in each other
// run, question by question (run_comparison.hpp says how).
#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "pipeline_arguments.hpp"
#include "report/html_report.hpp"
#include "report/run_comparison.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

std::vector<report::LaneSummary> lanes_of(const report::RunFiles& run) {
  auto lanes = report::summarize_run(run);
  if (!lanes) fail(lanes.error(), kExitUsage);
  return std::move(*lanes);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto runs = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      "compare",
      "Compare runs per dataset: paired difference, confidence intervals, test, flipped questions");
  command->add_option("runs", *runs, "Run directories: the first is the baseline (A), each other one is B")
      ->required()
      ->expected(2, -1)
      ->check(CLI::ExistingDirectory);
  command->callback([runs] {
    std::vector<report::RunFiles> files;
    for (const auto& dir : *runs) {
      auto found = report::find_run_files(dir);
      if (!found) fail(found.error(), kExitUsage);
      files.push_back(std::move(*found));
    }
    const auto baseline = lanes_of(files[0]);
    for (size_t r = 1; r < files.size(); ++r) {
      const auto other = lanes_of(files[r]);
      std::vector<report::LaneComparison> comparisons;
      for (const auto& [a, b] : report::pair_lanes(baseline, other))
        comparisons.push_back(report::compare_lanes(*a, *b));
      fmt::print("{}{}", r > 1 ? "\n" : "", report::comparison_text((*runs)[0], (*runs)[r], comparisons));
    }
  });
}

}  // namespace evalflow::cli
