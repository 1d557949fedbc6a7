// What a run leaves behind for people: results/<model>/<dataset>.json, the summary table
// (summary.{txt,csv,md}), and the YAML writer of configs/pipeline.yaml.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "graph/pipeline_run.hpp"

namespace evalflow {

// The lane's metrics (accuracy in percent at the top level, as AISBench writes it) and its counts.
nlohmann::json results_json(const LaneResult& lane);
Status write_results(const std::filesystem::path& file, const LaneResult& lane);

struct SummaryTable {
  std::vector<std::string> header;  // dataset, version, metric, mode, one column per model[, expected, check]
  std::vector<std::vector<std::string>> rows;

  [[nodiscard]] std::string text() const;
  [[nodiscard]] std::string csv() const;
  [[nodiscard]] std::string markdown() const;
};

SummaryTable summarize(const RunReport& report, const std::string& mode);
// One row per lane and distribution among its metrics (perf mode: perf.ttft_ms, perf.tpot_ms, perf.itl_ms,
// perf.e2e_ms): dataset, model, metric, avg, min, p50, p75, p90, p99, max, count. No rows without any.
SummaryTable latency_table(const RunReport& report);
// Writes <name>.txt, <name>.csv and <name>.md into `directory`.
Status write_summary(const std::filesystem::path& directory, const std::string& name,
                     const SummaryTable& table);

// A JSON value as YAML (configs/pipeline.yaml); redaction is the caller's (store/run_config.hpp).
std::string pipeline_yaml(const nlohmann::json& value);

}  // namespace evalflow
