// The end of a run, shared by `evalflow run` and `evalflow merge` (which ends as a `--mode eval` run of the
// merged directory): the summary tables on disk and on stdout, and the exit code with what to do next.
#pragma once

#include <filesystem>

#include "graph/pipeline_run.hpp"

namespace evalflow::cli {

void write_tables(const RunReport& report, RunMode mode);
// report.html from what the run wrote to disk: the code path of `evalflow report RUN_DIR`. A report that
// cannot be written is a warning: the run's results are on disk either way.
void write_report_html(const std::filesystem::path& run_dir);
// What went wrong, where the rows are, and what to do; returns the exit code (exit_codes.hpp).
int report_outcome(const RunReport& report, bool check_expected);

}  // namespace evalflow::cli
