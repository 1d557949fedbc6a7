// `evalflow run --launcher slurm --shards N`: the run as N shards on Slurm (runtime/src/launch), and
// `evalflow run --resume RUN_DIR` of such a run, which resubmits only the shards that did not finish.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "graph/pipeline_run.hpp"

namespace evalflow::cli {

struct LaunchArguments {
  std::string launcher;  // empty: run here
  int shards = 0;
  std::string slurm_args;
  std::string slurm_merge_args;

  void add_to(CLI::App& command);
  [[nodiscard]] bool requested() const { return !launcher.empty(); }
};

// Submits the run (or resubmits the unfinished shards of `options.resume`); returns the exit code.
int launch_run(const LaunchArguments& arguments, const ValidatedPipeline& pipeline,
               const RunOptions& options);

}  // namespace evalflow::cli
