#include "store/prediction_store.hpp"

#include <fmt/format.h>

#include <vector>

using nlohmann::json;

namespace evalflow {

Result<std::unique_ptr<PredictionStore>> PredictionStore::open(const RunDirectory& run_dir,
                                                               const std::string& model,
                                                               const std::string& dataset, bool resuming,
                                                               bool writable) {
  std::unique_ptr<PredictionStore> store(new PredictionStore());
  store->predictions_path_ = run_dir.predictions(model, dataset);
  store->failures_path_ = run_dir.failed_predictions(model, dataset);
  store->writable_ = writable;
  if (resuming) {
    auto finished = read_finished_predictions(store->predictions_path_);
    if (!finished) return Error{finished.error()};
    store->finished_ = std::move(*finished);
    // Checked here, so that a corrupt failures file stops the run before anything is sent.
    if (auto failures = read_finished_predictions(store->failures_path_); !failures)
      return Error{failures.error()};
  }
  if (!writable) return store;
  auto predictions = JsonlAppender::open(store->predictions_path_, /*truncate=*/false);
  if (!predictions) return Error{predictions.error()};
  store->predictions_ = std::move(*predictions);
  auto failures = JsonlAppender::open(store->failures_path_, /*truncate=*/!resuming);
  if (!failures) return Error{failures.error()};
  store->failures_ = std::move(*failures);
  return store;
}

const json* PredictionStore::finished(SampleKey key, std::string_view content_hash) {
  const auto it = finished_.find(key);
  if (it == finished_.end()) return nullptr;
  // Rows written before content hashes existed are matched by (id, replica) alone.
  const auto stored = it->second.find("sample_hash");
  if (stored == it->second.end() || !stored->is_string() || *stored == content_hash) return &it->second;
  const std::lock_guard lock(stale_mutex_);
  stale_.insert(key);
  return nullptr;
}

Status PredictionStore::write_prediction(SampleKey key, std::string_view line) {
  if (!writable_) return ok_status();
  predicted_this_run_.insert(key);
  if (finished_.contains(key)) replaced_ = true;
  return predictions_->append_line(line);
}

Status PredictionStore::write_failure(std::string_view line) {
  if (!writable_) return ok_status();
  return failures_->append_line(line);
}

Status PredictionStore::flush() {
  if (!writable_) return ok_status();
  if (auto flushed = predictions_->flush(); !flushed) return flushed;
  return failures_->flush();
}

Status PredictionStore::compact() {
  if (!writable_) return ok_status();
  if (auto flushed = flush(); !flushed) return flushed;
  auto failures = read_finished_predictions(failures_path_);
  if (!failures) return Error{failures.error()};
  std::vector<std::string> kept;
  for (const auto& [key, row] : *failures) {
    const bool predicted =
        (finished_.contains(key) && !stale_.contains(key)) || predicted_this_run_.contains(key);
    if (!predicted) kept.push_back(row.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  failures_.reset();
  if (auto replaced = replace_jsonl(failures_path_, kept); !replaced) return replaced;
  auto reopened = JsonlAppender::open(failures_path_, /*truncate=*/false);
  if (!reopened) return Error{reopened.error()};
  failures_ = std::move(*reopened);
  if (stale_.empty() && !replaced_) return ok_status();
  // Rows of questions that changed, and rows written again: the later row of a key replaces the earlier one;
  // a stale row without a replacement goes.
  auto rows = read_finished_predictions(predictions_path_);
  if (!rows) return Error{rows.error()};
  std::vector<std::string> lines;
  lines.reserve(rows->size());
  for (const auto& [key, row] : *rows) {
    if (stale_.contains(key) && !predicted_this_run_.contains(key)) continue;
    lines.push_back(row.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  predictions_.reset();
  if (auto replaced = replace_jsonl(predictions_path_, lines); !replaced) return replaced;
  auto appender = JsonlAppender::open(predictions_path_, /*truncate=*/false);
  if (!appender) return Error{appender.error()};
  predictions_ = std::move(*appender);
  for (const SampleKey& key : stale_) finished_.erase(key);
  stale_.clear();
  replaced_ = false;
  return ok_status();
}

}  // namespace evalflow
