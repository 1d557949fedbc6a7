// `evalflow status RUN_DIR`: the shards of a launched run, each with its Slurm task's state (from scontrol:
// there is no sacct without slurmdbd, so a job slurmctld has forgotten, MinJobAge after it ended, shows as
// "-") and what its run directory holds.
#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "launch/launch_record.hpp"
#include "launch/slurm.hpp"
#include "pipeline_arguments.hpp"
#include "report/results.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

const SlurmTaskState* find_task(const JobStates& states, const std::string& job, int index) {
  const auto found = states.find(job);
  if (found == states.end() || !found->second.contains(index)) return nullptr;
  return &found->second.at(index);
}

std::vector<std::string> slurm_columns(const SlurmTaskState* task) {
  if (task == nullptr) return {"-", "-", "-"};
  return {task->state, task->reason, task->exit_code};
}

void show_status(const fs::path& root) {
  if (!is_launched_run(root)) {
    fail(fmt::format("{}: not a launched run ({} is missing)", root.string(), launch_file(root).string()),
         kExitUsage);
  }
  auto record = read_launch(root);
  if (!record) fail(record.error(), kExitUsage);
  auto states = job_states(record->job_ids());
  if (!states) fail(states.error(), kExitIncomplete);
  SummaryTable table;
  table.header = {"shard", "job", "slurm state", "reason", "exit", "predictions", "run"};
  int complete = 0;
  for (int shard = 0; shard < record->shards; ++shard) {
    const ShardOnDisk disk = shard_on_disk(shard_directory(root, shard));
    complete += disk.complete ? 1 : 0;
    const std::string job = record->job_of(shard).value_or("-");
    const SlurmTaskState* task = find_task(*states, job.substr(0, job.find('_')), shard);
    std::vector<std::string> row = {std::to_string(shard), job};
    for (auto& column : slurm_columns(task)) row.push_back(column);
    row.push_back(std::to_string(disk.predictions));
    row.push_back(disk.complete ? "complete" : "incomplete");
    table.rows.push_back(row);
  }
  if (!record->submissions.empty() && !record->submissions.back().merge_job.empty()) {
    const std::string& job = record->submissions.back().merge_job;
    std::vector<std::string> row = {"merge", job};
    for (auto& column : slurm_columns(find_task(*states, job, -1))) row.push_back(column);
    row.push_back("-");
    // The merged directory reads like a shard's: complete when every lane's merged results are.
    const bool merged = fs::exists(root / "summary" / "summary.txt");
    row.push_back(!merged ? "-" : shard_on_disk(root).complete ? "merged" : "merged, incomplete");
    table.rows.push_back(row);
  }
  fmt::print("{}: {} of {} shards complete\n{}", root.string(), complete, record->shards, table.text());
  if (complete < record->shards) {
    fmt::print(
        "`evalflow run --resume {}` resubmits the shards that are incomplete and not pending or running\n",
        root.string());
  }
}

}  // namespace

void add_status_command(CLI::App& app) {
  auto run_dir = std::make_shared<std::string>();
  CLI::App* command =
      app.add_subcommand("status", "The shards of a launched run (--launcher): Slurm states, progress");
  command->add_option("run_dir", *run_dir, "The run directory that `evalflow run --launcher` printed")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->callback([run_dir] { show_status(fs::absolute(*run_dir).lexically_normal()); });
}

}  // namespace evalflow::cli
