// The Slurm commands a launcher needs: sbatch to submit, scontrol to ask what became of a job. There is no
// sacct here on purpose: it needs slurmdbd, which many clusters (and CI) do not run, so states come from
// slurmctld's memory (kept for MinJobAge after a job ends, 300 s by default); older shards are judged by
// their run directories alone.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace evalflow {

// A --slurm-args value split into arguments as a POSIX shell would (quotes and backslashes; no expansion).
Result<std::vector<std::string>> split_slurm_arguments(const std::string& text);

// Submits a batch script; returns the job id (sbatch --parsable).
Result<std::string> sbatch(const std::vector<std::string>& options, const std::string& script);

struct SlurmTaskState {
  std::string job;        // "12_3" for an array task, "13" for a plain job
  std::string state;      // PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, PREEMPTED, TIMEOUT...
  std::string reason;     // why it is pending, or None
  std::string exit_code;  // "0:0", "137:0" (exit status:signal)
};

// The tasks of each job as slurmctld knows them, by array index (-1 for a plain job); a job it no longer
// knows is absent from the map.
using JobStates = std::map<std::string, std::map<int, SlurmTaskState>>;
Result<JobStates> job_states(const std::vector<std::string>& job_ids);
// One job's tasks from `scontrol --oneliner show job ID`, by array index (-1 for a plain job); a pending
// array's still unsplit record ("ArrayTaskId=2-3,5%2") stands for each of its indices.
std::map<int, SlurmTaskState> parse_scontrol_jobs(const std::string& text);

// States in which a task may still run: nothing should be submitted for it again.
bool is_active(const std::string& state);

}  // namespace evalflow
