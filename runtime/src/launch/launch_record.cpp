#include "launch/launch_record.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "launch/shard.hpp"
#include "store/run_config.hpp"
#include "store/run_directory.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

std::optional<std::string> LaunchRecord::job_of(int shard) const {
  for (auto it = submissions.rbegin(); it != submissions.rend(); ++it) {
    if (std::find(it->shards.begin(), it->shards.end(), shard) != it->shards.end()) {
      return fmt::format("{}_{}", it->array_job, shard);
    }
  }
  return std::nullopt;
}

std::vector<std::string> LaunchRecord::job_ids() const {
  std::vector<std::string> ids;
  for (const auto& submission : submissions) {
    ids.push_back(submission.array_job);
    if (!submission.merge_job.empty()) ids.push_back(submission.merge_job);
  }
  return ids;
}

fs::path launch_file(const fs::path& run_dir) {
  return run_dir / "configs" / "launch.json";
}

bool is_launched_run(const fs::path& run_dir) {
  return fs::exists(launch_file(run_dir));
}

Result<LaunchRecord> read_launch(const fs::path& run_dir) {
  const fs::path file = launch_file(run_dir);
  std::ifstream in(file);
  const json value = json::parse(in, nullptr, /*allow_exceptions=*/false);
  try {
    LaunchRecord record;
    record.launcher = value.at("launcher").get<std::string>();
    record.shards = value.at("shards").get<int>();
    record.slurm_args = value.value("slurm_args", std::vector<std::string>{});
    record.merge_slurm_args = value.value("merge_slurm_args", std::vector<std::string>{});
    for (const json& item : value.value("submissions", json::array())) {
      record.submissions.push_back(
          {item.at("array_job").get<std::string>(), item.at("merge_job").get<std::string>(),
           item.at("shards").get<std::vector<int>>(), item.value("submitted", std::string())});
    }
    if (record.shards < 1) throw std::invalid_argument("shards < 1");
    return record;
  } catch (const std::exception& error) {
    return Error{fmt::format("{}: not a launch record ({}); it is written by `evalflow run --launcher slurm`",
                             file.string(), error.what())};
  }
}

Status write_launch(const fs::path& run_dir, const LaunchRecord& record) {
  json submissions = json::array();
  for (const auto& submission : record.submissions) {
    submissions.push_back({{"array_job", submission.array_job},
                           {"merge_job", submission.merge_job},
                           {"shards", submission.shards},
                           {"submitted", submission.submitted}});
  }
  const json value = {{"launcher", record.launcher},
                      {"shards", record.shards},
                      {"slurm_args", record.slurm_args},
                      {"merge_slurm_args", record.merge_slurm_args},
                      {"submissions", submissions}};
  return replace_file(launch_file(run_dir), value.dump(2) + "\n");
}

fs::path shard_directory(const fs::path& run_dir, int shard) {
  return run_dir / "shards" / std::to_string(shard);
}

Status prepare_shard(const fs::path& run_dir, int shard, int count, const ValidatedPipeline& pipeline,
                     const json& command_line) {
  const fs::path root = shard_directory(run_dir, shard);
  std::error_code error;
  fs::create_directories(root / "predictions", error);
  if (error) return Error{fmt::format("{}: cannot create directory: {}", root.string(), error.message())};
  auto directory = RunDirectory::open(root);
  if (!directory) return Error{directory.error()};
  if (auto written = write_run_config(*directory, pipeline, command_line); !written) return written;
  return write_shard(root, Shard{shard, count});
}

ShardOnDisk shard_on_disk(const fs::path& shard_dir) {
  ShardOnDisk found;
  int64_t lanes = 0;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(shard_dir / "predictions", error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(error) || !name.ends_with(".jsonl") || name.ends_with("_failed.jsonl"))
      continue;
    ++lanes;
    std::ifstream in(entry.path());
    found.predictions += std::count(std::istreambuf_iterator<char>(in), {}, '\n');
  }
  int64_t complete = 0;
  for (const auto& entry : fs::recursive_directory_iterator(shard_dir / "results", error)) {
    if (!entry.is_regular_file(error) || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const json results = json::parse(in, nullptr, false);
    if (results.is_object() && results.value("complete", false)) ++complete;
  }
  found.complete = lanes > 0 && complete == lanes;
  return found;
}

}  // namespace evalflow
