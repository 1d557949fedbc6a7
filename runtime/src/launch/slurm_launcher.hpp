// Submits a sharded run to Slurm: one array job whose task i runs `evalflow run --resume RUN_DIR/shards/i`
// (an ordinary run of shard i; the same command starts it, resumes it after a failure, and continues it when
// Slurm requeues a preempted task), and a job that runs `evalflow merge RUN_DIR` once they have all ended
// (--dependency=afterany, so it also reports what is missing when a task failed). The scripts stay in
// RUN_DIR/slurm/, the tasks' output in RUN_DIR/slurm/logs/.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "launch/launch_record.hpp"

namespace evalflow {

struct SlurmSubmission {
  std::filesystem::path run_dir;
  std::filesystem::path evalflow;          // the binary the tasks run (this one)
  std::vector<int> shards;                 // to submit
  std::vector<std::string> also_wait_for;  // jobs still active from an earlier submission ("12_3")
};

// Submits, and appends the submission to `record` (also when only the merge job failed: the shards were
// submitted); the caller writes the record either way.
Result<Submission> submit_to_slurm(const SlurmSubmission& request, LaunchRecord& record);

}  // namespace evalflow
