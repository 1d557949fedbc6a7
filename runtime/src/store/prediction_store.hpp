// The predictions of one (model, dataset) lane on disk, for a new or a resumed run: the finished rows an
// earlier run left (matched to questions by their content, not only their position), the appenders for new
// predictions and failures, and the clean-up at the end. Failures of an earlier run stay on disk until a
// new row replaces them, so an interrupted resume never loses the list of what failed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "store/run_directory.hpp"

namespace evalflow {

class PredictionStore {
 public:
  // `resuming`: read what an earlier run finished. `writable`: false for --mode eval (scores, writes
  // nothing).
  static Result<std::unique_ptr<PredictionStore>> open(const RunDirectory& run_dir, const std::string& model,
                                                       const std::string& dataset, bool resuming,
                                                       bool writable);

  // The stored row of this sample when it was made from the same content (sample_content_hash); a row made
  // from other content (the dataset changed) is not returned, and is counted as stale. Safe to call from
  // several threads (the graph's gates); the writes below are the lane sink's, one at a time.
  const nlohmann::json* finished(SampleKey key, std::string_view content_hash);
  Status write_prediction(SampleKey key, std::string_view line);
  Status write_failure(std::string_view line);
  Status flush();
  // At the end of a run: the failures file keeps only samples still without a prediction (the last failure
  // of each); the predictions file drops stale rows (a re-run's row replaces them). Both replaced atomically.
  Status compact();

  [[nodiscard]] int64_t stale() const { return static_cast<int64_t>(stale_.size()); }
  [[nodiscard]] int64_t stored() const { return static_cast<int64_t>(finished_.size()); }
  [[nodiscard]] const std::filesystem::path& predictions_path() const { return predictions_path_; }
  [[nodiscard]] const std::filesystem::path& failures_path() const { return failures_path_; }

 private:
  PredictionStore() = default;

  std::filesystem::path predictions_path_;
  std::filesystem::path failures_path_;
  std::map<SampleKey, nlohmann::json> finished_;
  std::mutex stale_mutex_;
  std::set<SampleKey> stale_;  // stored rows made from other content: dropped at compact()
  std::set<SampleKey> predicted_this_run_;
  bool replaced_ = false;  // a stored row was written again (the judge answered a resumed sample): compact
  bool writable_ = true;
  std::unique_ptr<JsonlAppender> predictions_;
  std::unique_ptr<JsonlAppender> failures_;
};

}  // namespace evalflow
