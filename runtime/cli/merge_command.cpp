// `evalflow merge RUN_DIR`: a launched run's shards into its results and summary, identical to an unsharded
// run's: the shards' rows gathered (runtime/src/launch/merge.hpp), then scored and aggregated by an ordinary
// `--mode eval` run of RUN_DIR. The launcher's dependent job runs it; it can be run again by hand.
#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "launch/launch_record.hpp"
#include "launch/merge.hpp"
#include "pipeline_arguments.hpp"
#include "report/results.hpp"
#include "run_outcome.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

std::string shard_list(const std::vector<int>& shards) {
  std::string list;
  for (const int shard : shards) list += (list.empty() ? "" : ", ") + std::to_string(shard);
  return list;
}

int merge(const fs::path& root) {
  if (!is_launched_run(root)) {
    fail(fmt::format("{}: not a launched run ({} is missing); only runs started with --launcher have shards",
                     root.string(), launch_file(root).string()),
         kExitUsage);
  }
  auto record = read_launch(root);
  if (!record) fail(record.error(), kExitUsage);
  PipelineSources sources;
  sources.pipeline = root / "configs" / "pipeline.yaml";
  auto loaded = load_pipeline(sources);
  if (!loaded) fail(loaded.error(), kExitUsage);
  const ValidatedPipeline& pipeline = (*loaded)->pipeline;
  auto merged = merge_shards(root, pipeline, *record);
  if (!merged) fail(merged.error(), kExitIncomplete);
  if (!merged->incomplete.empty()) {
    fmt::print(stderr,
               "evalflow: shard(s) {} did not complete: their missing samples count as failed below; "
               "`evalflow run --resume {}` resubmits them (and merges again)\n",
               shard_list(merged->incomplete), root.string());
  }
  RunOptions options;
  options.resume = root;
  options.mode = RunMode::kEval;
  options.show_progress = false;
  auto run = open_run(pipeline, options);
  if (!run) fail(run.error(), kExitUsage);
  const RunDirectory directory = (*run)->directory();
  auto report = run_pipeline(pipeline, options, std::move(*run));
  if (!report) fail(report.error(), kExitIncomplete);
  // The eval run read every row back; what the shards' own runs resumed is the figure that means something.
  for (LaneResult& lane : report->lanes) {
    lane.resumed = merged->resumed[{lane.model, lane.dataset}];
    if (auto written = write_results(directory.results(lane.model, lane.dataset), lane); !written) {
      fail(written.error(), kExitIncomplete);
    }
  }
  write_tables(*report, options.mode);
  write_report_html(root);
  fmt::print("\nrun directory: {}\n", root.string());
  return report_outcome(*report, /*check_expected=*/false);
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto run_dir = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "merge", "Merge the shards of a launched run (--launcher) into its results and summary");
  command->add_option("run_dir", *run_dir, "The run directory that `evalflow run --launcher` printed")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->callback([run_dir] {
    const int code = merge(fs::absolute(*run_dir).lexically_normal());
    if (code != kExitOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace evalflow::cli
