#include "launch/merge.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "launch/shard.hpp"
#include "store/run_lock.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

namespace {

std::string row_text(const json& row) {
  return row.dump(-1, ' ', false, json::error_handler_t::replace);
}

int64_t resumed_in(const RunDirectory& shard, const std::string& model, const std::string& dataset) {
  std::ifstream in(shard.results(model, dataset));
  const json results = json::parse(in, nullptr, false);
  return results.is_object() ? results.value("num_resumed", int64_t{0}) : 0;
}

// One (model, dataset) lane: every shard's rows into the run's files.
Status merge_lane(const RunDirectory& run, const std::vector<RunDirectory>& shards, const std::string& model,
                  const ResolvedDataset& dataset, size_t dataset_position, MergedShards& merged) {
  std::map<SampleKey, json> predictions;
  std::map<SampleKey, json> failures;
  const std::string& abbr = dataset.spec.abbr;
  for (size_t index = 0; index < shards.size(); ++index) {
    const RunDirectory& shard_dir = shards[index];
    const Shard shard{static_cast<int>(index), static_cast<int>(shards.size())};
    auto rows = read_finished_predictions(shard_dir.predictions(model, abbr));
    if (!rows) return Error{rows.error()};
    for (auto& [key, row] : *rows) {
      if (!shard.owns(dataset_position, key.first, key.second, dataset.spec.samples)) {
        return Error{fmt::format(
            "{}: sample {} replica {} does not belong to shard {} of {} (was the shard made for another "
            "pipeline or shard count?); remove the row or start a new run",
            shard_dir.predictions(model, abbr).string(), key.first, key.second, index, shards.size())};
      }
      predictions[key] = std::move(row);
    }
    auto failed = read_finished_predictions(shard_dir.failed_predictions(model, abbr));
    if (!failed) return Error{failed.error()};
    for (auto& [key, row] : *failed) failures[key] = std::move(row);
    merged.resumed[{model, abbr}] += resumed_in(shard_dir, model, abbr);
  }
  std::vector<std::string> lines;
  lines.reserve(predictions.size());
  for (const auto& [key, row] : predictions) lines.push_back(row_text(row));
  std::vector<std::string> failed_lines;
  for (const auto& [key, row] : failures) {
    if (!predictions.contains(key)) failed_lines.push_back(row_text(row));
  }
  std::error_code error;
  fs::create_directories(run.predictions(model, abbr).parent_path(), error);
  if (auto replaced = replace_jsonl(run.predictions(model, abbr), lines); !replaced) return replaced;
  return replace_jsonl(run.failed_predictions(model, abbr), failed_lines);
}

}  // namespace

Result<MergedShards> merge_shards(const fs::path& run_dir, const ValidatedPipeline& pipeline,
                                  const LaunchRecord& record) {
  auto run = RunDirectory::open(run_dir);
  if (!run) return Error{run.error()};
  auto run_lock = RunLock::acquire(run_dir);
  if (!run_lock) return Error{run_lock.error()};
  MergedShards merged;
  std::vector<RunDirectory> shards;
  std::vector<RunLock> locks;
  for (int index = 0; index < record.shards; ++index) {
    const fs::path shard_dir = shard_directory(run_dir, index);
    auto shard = RunDirectory::open(shard_dir);
    if (!shard) return Error{fmt::format("shard {}: {}", index, shard.error())};
    auto lock = RunLock::acquire(shard_dir);
    if (!lock) {
      return Error{
          fmt::format("shard {} is still running ({}); merge once it has ended (`evalflow status {}`)", index,
                      lock.error(), run_dir.string())};
    }
    locks.push_back(std::move(*lock));
    if (!shard_on_disk(shard_dir).complete) merged.incomplete.push_back(index);
    shards.push_back(std::move(*shard));
  }
  // Lanes as the run names them: every model with every dataset ("no-model" for a pipeline without one).
  const size_t models = std::max<size_t>(pipeline.models.size(), 1);
  for (size_t m = 0; m < models; ++m) {
    const std::string model = pipeline.models.empty() ? "no-model" : pipeline.models[m].abbr;
    for (size_t d = 0; d < pipeline.datasets.size(); ++d) {
      if (auto done = merge_lane(*run, shards, model, pipeline.datasets[d], d, merged); !done) {
        return Error{done.error()};
      }
    }
  }
  return merged;
}

}  // namespace evalflow
