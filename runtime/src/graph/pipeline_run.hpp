// Runs a validated pipeline as one oneTBB flow graph: per (model, dataset) lane an input node, a
// limiter bounding records in flight, function nodes, a resume gate, the model's shared inferencer node fed
// by a fair dispatcher, and a streaming sink that writes predictions and feeds the metric aggregators.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "launch/shard.hpp"
#include "store/run.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

enum class RunMode { kAll, kInfer, kEval, kPerf };

struct RunOptions {
  std::filesystem::path work_dir = "outputs";
  std::optional<std::filesystem::path> resume;  // an earlier run directory to continue
  RunMode mode = RunMode::kAll;
  bool show_progress = true;
  // After the first Ctrl-C (or SIGTERM), how long samples already at the model may take to finish.
  std::chrono::seconds grace_period{30};
  nlohmann::json command_line = nlohmann::json::object();  // stored in configs/run.json
  Shard shard;  // the samples this run does: all by default, one shard's under a launcher
};

// What one (model, dataset) lane did.
struct LaneResult {
  std::string model;
  std::string dataset;
  std::string
      version;  // short hash of what defines the benchmark: data, prompt, scoring (AISBench's `version`)
  int64_t planned = -1;  // questions x samples; -1 when the loader cannot count its rows
  int64_t total = 0;     // records that reached the sink (done, failed or resumed)
  int64_t failed = 0;    // failed before a prediction existed (inference errors): in <dataset>_failed.jsonl
  int64_t eval_failed = 0;  // had a prediction, but a scoring node failed
  int64_t resumed = 0;      // predictions read back from an earlier run
  int64_t stale = 0;        // stored predictions made for other content (the dataset changed): re-run
  bool fed_all = false;     // the source was read to its end (not stopped early)
  std::filesystem::path failures_file;
  nlohmann::json metrics = nlohmann::json::object();
  std::optional<Expected> expected;

  [[nodiscard]] int64_t scored() const { return total - failed - eval_failed; }
  // Every planned sample completed and was scored.
  [[nodiscard]] bool complete() const {
    return fed_all && failed == 0 && eval_failed == 0 && (planned < 0 || scored() >= planned);
  }
};

struct RunReport {
  std::filesystem::path run_dir;
  std::vector<LaneResult> lanes;
  std::string abort_reason;  // non-empty when a fatal error stopped the run
  bool interrupted = false;  // Ctrl-C or SIGTERM
  // Stopped at once (a second Ctrl-C or the end of the grace period) with samples still at the model: their
  // plugin threads are still running, so the process must end without unwinding (std::_Exit).
  bool abandoned = false;
};

// The run directory for these options: new, or the one to resume (locked, protocol checked).
Result<std::unique_ptr<Run>> open_run(const ValidatedPipeline& pipeline, const RunOptions& options);
// Runs the pipeline in `run`; the error says why it could not start (a node's create failed).
Result<RunReport> run_pipeline(const ValidatedPipeline& pipeline, const RunOptions& options,
                               std::unique_ptr<Run> run);
// Both steps.
Result<RunReport> run_pipeline(const ValidatedPipeline& pipeline, const RunOptions& options);

}  // namespace evalflow
