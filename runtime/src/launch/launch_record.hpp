// A run launched as shards (DESIGN.md §8): RUN_DIR holds the whole run's configs and, once merged, its
// predictions, results and summary; RUN_DIR/shards/<i>/ is an ordinary run directory per shard (its own
// configs, lock, predictions, results and logs, so resume, the lock and kill -9 safety work per shard
// unchanged); RUN_DIR/configs/launch.json records how it was launched and every submission, so that status
// can find the jobs and a resume resubmits only the shards that did not finish.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/run_directory.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

struct Submission {
  std::string array_job;  // the shards' array job
  std::string merge_job;  // the job that merges them when they end
  std::vector<int> shards;
  std::string submitted;  // local time, ISO 8601
};

struct LaunchRecord {
  std::string launcher = "slurm";
  int shards = 1;
  std::vector<std::string> slurm_args;        // for the shard tasks
  std::vector<std::string> merge_slurm_args;  // for the merge job
  std::vector<Submission> submissions;

  // The Slurm job of the shard's latest submission ("12_3"), if it was ever submitted.
  [[nodiscard]] std::optional<std::string> job_of(int shard) const;
  // Every job id ever submitted (array and merge jobs).
  [[nodiscard]] std::vector<std::string> job_ids() const;
};

std::filesystem::path launch_file(const std::filesystem::path& run_dir);
bool is_launched_run(const std::filesystem::path& run_dir);
Result<LaunchRecord> read_launch(const std::filesystem::path& run_dir);
Status write_launch(const std::filesystem::path& run_dir, const LaunchRecord& record);

std::filesystem::path shard_directory(const std::filesystem::path& run_dir, int shard);
// Makes (or refreshes, for a resubmission) the shard's run directory: the pipeline's configs and its
// configs/shard.json, so that `evalflow run --resume` of it runs that shard.
Status prepare_shard(const std::filesystem::path& run_dir, int shard, int count,
                     const ValidatedPipeline& pipeline, const nlohmann::json& command_line);

// What a shard's run directory (or a merged run's) says of it.
struct ShardOnDisk {
  int64_t predictions = 0;  // rows in its predictions files
  bool complete = false;    // its last run wrote results for every lane, each complete
};
ShardOnDisk shard_on_disk(const std::filesystem::path& shard_dir);

}  // namespace evalflow
