// What the report reads of a run directory, and nothing else: the lanes (one per model and dataset) found
// under predictions/, their results/ JSON and configs/run.json. `evalflow report RUN_DIR` and the end of
// `evalflow run` go through here, so both show the same thing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace evalflow::report {

struct LaneFiles {
  std::string model;
  std::string dataset;
  std::filesystem::path predictions;  // predictions/<model>/<dataset>.jsonl (may be missing: all failed)
  std::filesystem::path failed;       // predictions/<model>/<dataset>_failed.jsonl (may be missing)
  nlohmann::json results;             // results/<model>/<dataset>.json, null when not scored
};

struct RunFiles {
  std::filesystem::path root;
  std::string label;             // the directory's name, e.g. 20261203_081500
  nlohmann::json run;            // configs/run.json (command line, mode, start), an empty object when absent
  std::string pipeline;          // the pipeline's `name:` from configs/pipeline.yaml, "" when absent
  std::vector<LaneFiles> lanes;  // sorted by model, then dataset
};

// Fails when `root` has no predictions/ (not a run directory) or a results file is not JSON.
Result<RunFiles> find_run_files(const std::filesystem::path& root);

// Calls `row` for each JSON line of `file` with its 1-based line number; a missing file has no rows. A line
// that is not JSON (a torn last line of a killed run) is skipped and counted in the return value.
Result<int64_t> for_each_row(const std::filesystem::path& file,
                             const std::function<void(nlohmann::json&& row, int64_t line)>& row);

// Every row of a lane: its predictions, then its failures (from_failed_file true).
Status for_each_lane_row(const LaneFiles& lane,
                         const std::function<void(nlohmann::json&& row, bool from_failed_file,
                                                  const std::filesystem::path& file, int64_t line)>& row);

// Lines in the file (a fast count of newlines, for sizing the report before reading the rows).
int64_t count_lines(const std::filesystem::path& file);

}  // namespace evalflow::report
