#include "launch_command.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "exit_codes.hpp"
#include "launch/launch_record.hpp"
#include "launch/slurm.hpp"
#include "launch/slurm_launcher.hpp"
#include "pipeline_arguments.hpp"
#include "store/run_config.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

std::vector<std::string> slurm_arguments(const std::string& text) {
  auto split = split_slurm_arguments(text);
  if (!split) fail(split.error(), kExitUsage);
  return *split;
}

std::string shard_list(const std::vector<int>& shards) {
  std::string list;
  for (const int shard : shards) list += (list.empty() ? "" : ", ") + std::to_string(shard);
  return list;
}

void prepare(const fs::path& root, const std::vector<int>& shards, int count,
             const ValidatedPipeline& pipeline, const RunOptions& options) {
  for (const int shard : shards) {
    if (auto prepared = prepare_shard(root, shard, count, pipeline, options.command_line); !prepared) {
      fail(prepared.error(), kExitIncomplete);
    }
  }
}

// Submits, records the submission (also a half-done one), and says where to look.
int submit(const fs::path& root, const std::vector<int>& shards,
           const std::vector<std::string>& also_wait_for, LaunchRecord& record) {
  const fs::path evalflow = fs::read_symlink("/proc/self/exe");
  auto submitted = submit_to_slurm({root, evalflow, shards, also_wait_for}, record);
  if (auto written = write_launch(root, record); !written) fail(written.error(), kExitIncomplete);
  if (!submitted) fail(submitted.error(), kExitIncomplete);
  fmt::print("run directory: {}\n", root.string());
  fmt::print(
      "submitted shard(s) {} of {} as Slurm array job {} (output: {}/slurm/logs/); job {} merges the "
      "shards when they have ended\n",
      shard_list(shards), record.shards, submitted->array_job, root.string(), submitted->merge_job);
  fmt::print("follow it with `evalflow status {}`\n", root.string());
  return kExitOk;
}

int launch_new(const LaunchArguments& arguments, const ValidatedPipeline& pipeline,
               const RunOptions& options) {
  if (arguments.shards < 1)
    fail("--launcher slurm needs --shards N: how many array tasks to split into", kExitUsage);
  LaunchRecord record;
  record.shards = arguments.shards;
  record.slurm_args = slurm_arguments(arguments.slurm_args);
  record.merge_slurm_args =
      arguments.slurm_merge_args.empty() ? record.slurm_args : slurm_arguments(arguments.slurm_merge_args);
  auto run = open_run(pipeline, options);
  if (!run) fail(run.error(), kExitUsage);
  const fs::path root = (*run)->directory().root();
  std::vector<int> shards(static_cast<size_t>(record.shards));
  for (int shard = 0; shard < record.shards; ++shard) shards[static_cast<size_t>(shard)] = shard;
  prepare(root, shards, record.shards, pipeline, options);
  return submit(root, shards, {}, record);
}

// A shard's latest task, when slurmctld still knows it and it may still run.
std::optional<std::string> active_task(const LaunchRecord& record, const JobStates& states, int shard) {
  const auto job = record.job_of(shard);
  if (!job) return std::nullopt;
  const std::string array_job = job->substr(0, job->find('_'));
  const auto found = states.find(array_job);
  if (found == states.end() || !found->second.contains(shard)) return std::nullopt;
  return is_active(found->second.at(shard).state) ? job : std::nullopt;
}

int resubmit(const LaunchArguments& arguments, const ValidatedPipeline& pipeline, const RunOptions& options) {
  const fs::path root = fs::absolute(*options.resume).lexically_normal();
  auto read = read_launch(root);
  if (!read) fail(read.error(), kExitUsage);
  LaunchRecord record = *read;
  if (arguments.shards > 0 && arguments.shards != record.shards) {
    fail(fmt::format("--resume {}: the run has {} shards, not {}; drop --shards (a run keeps its shards)",
                     root.string(), record.shards, arguments.shards),
         kExitUsage);
  }
  if (!arguments.slurm_args.empty()) record.slurm_args = slurm_arguments(arguments.slurm_args);
  if (!arguments.slurm_merge_args.empty())
    record.merge_slurm_args = slurm_arguments(arguments.slurm_merge_args);
  // Checks that the pipeline measures what the run measured, and stores changed connection settings.
  auto run = open_run(pipeline, options);
  if (!run) fail(run.error(), kExitUsage);
  auto states = job_states(record.job_ids());
  if (!states) fail(states.error(), kExitIncomplete);
  std::vector<int> again;
  std::vector<std::string> active;
  for (int shard = 0; shard < record.shards; ++shard) {
    if (const auto task = active_task(record, *states, shard)) {
      active.push_back(*task);
    } else if (!shard_on_disk(shard_directory(root, shard)).complete) {
      again.push_back(shard);
    }
  }
  if (again.empty()) {
    fmt::print("{}: nothing to resubmit: {}\n", root.string(),
               active.empty() ? fmt::format("every shard is complete (`evalflow merge {}` merges them again)",
                                            root.string())
                              : "the unfinished shards are still pending or running (`evalflow status`)");
    return kExitOk;
  }
  prepare(root, again, record.shards, pipeline, options);
  return submit(root, again, active, record);
}

}  // namespace

void LaunchArguments::add_to(CLI::App& command) {
  command.add_option("--launcher", launcher, "Run as shards on a cluster's scheduler: slurm (with --shards)")
      ->check(CLI::IsMember({"slurm"}));
  command.add_option("--shards", shards, "With --launcher: split the samples into N shards, one task each")
      ->check(CLI::PositiveNumber);
  command.add_option("--slurm-args", slurm_args,
                     "sbatch options for the shard tasks and the merge job, with '=': "
                     "--slurm-args=\"--partition=gpu --gres=gpu:1 --time=8:00:00\"");
  command.add_option("--slurm-merge-args", slurm_merge_args,
                     "sbatch options for the merge job instead of --slurm-args (it needs no GPU)");
}

int launch_run(const LaunchArguments& arguments, const ValidatedPipeline& pipeline,
               const RunOptions& options) {
  if (options.mode != RunMode::kAll) {
    fail(
        "--launcher runs the whole run (--mode all); score or re-score a merged run here with "
        "`evalflow run --resume RUN_DIR --mode eval`",
        kExitUsage);
  }
  // The tasks start from the stored pipeline, which never holds a secret.
  if (const auto redacted = redacted_options(pipeline); !redacted.empty()) {
    std::string names;
    for (const auto& name : redacted) names += (names.empty() ? "" : ", ") + name;
    fail(fmt::format("--launcher: {} was given inline and cannot reach the shard tasks; keep secrets in an "
                     "environment variable (api_key_env), which sbatch passes on",
                     names),
         kExitUsage);
  }
  return options.resume ? resubmit(arguments, pipeline, options) : launch_new(arguments, pipeline, options);
}

}  // namespace evalflow::cli
