// Runs a validated pipeline as one oneTBB flow graph: per (model, dataset) lane an input node, a
// limiter bounding records in flight, function nodes, the model's shared inferencer node, and a
// streaming sink that writes predictions and feeds the metric aggregators.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "validate/validated_pipeline.hpp"

namespace evalflow {

enum class RunMode { kAll, kInfer, kEval, kPerf };

struct RunOptions {
  std::filesystem::path work_dir = "outputs";
  std::optional<std::filesystem::path> resume;  // an earlier run directory to continue
  RunMode mode = RunMode::kAll;
  bool show_progress = true;
};

// What one (model, dataset) lane did.
struct LaneResult {
  std::string model;
  std::string dataset;
  std::string version;  // short hash of the inference configuration (AISBench's `version` column)
  int64_t total = 0;    // records that reached the sink
  int64_t failed = 0;   // failed before a prediction existed (inference errors): in <dataset>_failed.jsonl
  int64_t eval_failed = 0;  // had a prediction, but a scoring node failed
  int64_t resumed = 0;      // predictions read back from an earlier run
  nlohmann::json metrics = nlohmann::json::object();
  std::optional<Expected> expected;
};

struct RunReport {
  std::filesystem::path run_dir;
  std::vector<LaneResult> lanes;
  std::string abort_reason;  // non-empty when a fatal error stopped the run
};

Result<RunReport> run_pipeline(const ValidatedPipeline& pipeline, const RunOptions& options);

}  // namespace evalflow
