// A run directory opened by one process for one run (DESIGN.md §8): new or resumed, locked against a second
// process, its configuration stored (configs/), and a resume that would change what is measured refused.
// The graph code is handed this object and only builds and runs.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "store/run_directory.hpp"
#include "store/run_lock.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

struct RunStart {
  std::filesystem::path work_dir = "outputs";
  std::optional<std::filesystem::path> resume;
  bool eval_only = false;  // --mode eval: scores stored predictions, changes nothing in configs/
  nlohmann::json command_line = nlohmann::json::object();  // stored in configs/run.json
};

class Run {
 public:
  static Result<std::unique_ptr<Run>> open(const ValidatedPipeline& pipeline, const RunStart& start);

  [[nodiscard]] const RunDirectory& directory() const { return directory_; }
  [[nodiscard]] bool resuming() const { return resuming_; }
  [[nodiscard]] bool eval_only() const { return eval_only_; }
  // A new run whose set-up failed leaves no directory behind when it wrote no prediction.
  void discard_if_empty() const;

 private:
  Run(RunDirectory directory, RunLock lock, bool resuming, bool eval_only)
      : directory_(std::move(directory)),
        lock_(std::move(lock)),
        resuming_(resuming),
        eval_only_(eval_only) {}

  RunDirectory directory_;
  RunLock lock_;
  bool resuming_;
  bool eval_only_;
};

}  // namespace evalflow
