#include "launch/slurm_launcher.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>

#include "launch/slurm.hpp"

namespace fs = std::filesystem;

namespace evalflow {

namespace {

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

Status write_script(const fs::path& file, const std::string& text) {
  std::error_code error;
  fs::create_directories(file.parent_path(), error);
  std::ofstream out(file);
  out << text;
  out.close();
  if (!out) return Error{fmt::format("{}: cannot write the batch script", file.string())};
  ::chmod(file.c_str(), 0755);
  return ok_status();
}

Result<fs::path> shard_script(const SlurmSubmission& request) {
  const fs::path script = request.run_dir / "slurm" / "shard.sh";
  const std::string text = fmt::format(
      "#!/bin/sh\n"
      "# Shard $SLURM_ARRAY_TASK_ID of an evalflow run, as a Slurm array task (written by evalflow run "
      "--launcher slurm).\n"
      "# An ordinary run of its shard directory: a resubmitted or requeued task resumes it.\n"
      "exec {} run --resume {}/\"$SLURM_ARRAY_TASK_ID\" --no-progress\n",
      shell_quoted(request.evalflow.string()), shell_quoted((request.run_dir / "shards").string()));
  if (auto written = write_script(script, text); !written) return Error{written.error()};
  return script;
}

Result<fs::path> merge_script(const SlurmSubmission& request) {
  const fs::path script = request.run_dir / "slurm" / "merge.sh";
  const std::string text = fmt::format(
      "#!/bin/sh\n"
      "# Merges the shards of an evalflow run into its results and summary (written by evalflow run "
      "--launcher slurm).\n"
      "exec {} merge {}\n",
      shell_quoted(request.evalflow.string()), shell_quoted(request.run_dir.string()));
  if (auto written = write_script(script, text); !written) return Error{written.error()};
  return script;
}

std::string comma_list(const std::vector<int>& shards) {
  std::string list;
  for (const int shard : shards) list += (list.empty() ? "" : ",") + std::to_string(shard);
  return list;
}

}  // namespace

Result<Submission> submit_to_slurm(const SlurmSubmission& request, LaunchRecord& record) {
  auto shards = shard_script(request);
  if (!shards) return Error{shards.error()};
  auto merge = merge_script(request);
  if (!merge) return Error{merge.error()};
  const std::string name = "evalflow-" + request.run_dir.filename().string();
  const fs::path logs = request.run_dir / "slurm" / "logs";
  std::error_code error;
  fs::create_directories(logs, error);
  // Ours first, so that the user's --slurm-args can override them (sbatch takes the last).
  std::vector<std::string> options = {"--array=" + comma_list(request.shards), "--job-name=" + name,
                                      "--output=" + (logs / "shard_%a.%A.out").string()};
  options.insert(options.end(), record.slurm_args.begin(), record.slurm_args.end());
  auto array_job = sbatch(options, shards->string());
  if (!array_job) return Error{array_job.error()};
  std::string dependency = "afterany:" + *array_job;
  for (const auto& job : request.also_wait_for) dependency += ":" + job;
  std::vector<std::string> merge_options = {"--dependency=" + dependency, "--job-name=" + name + "-merge",
                                            "--output=" + (logs / "merge.%j.out").string()};
  merge_options.insert(merge_options.end(), record.merge_slurm_args.begin(), record.merge_slurm_args.end());
  auto merge_job = sbatch(merge_options, merge->string());
  Submission submission{*array_job, merge_job ? *merge_job : std::string(), request.shards,
                        fmt::format("{:%Y-%m-%dT%H:%M:%S}", fmt::localtime(std::time(nullptr)))};
  record.submissions.push_back(submission);
  if (!merge_job) {
    return Error{
        fmt::format("{}\nthe shards were submitted as job {}: `evalflow merge {}` merges them by hand "
                    "once they have ended",
                    merge_job.error(), *array_job, request.run_dir.string())};
  }
  return submission;
}

}  // namespace evalflow
