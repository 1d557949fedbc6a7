// The run directory (DESIGN.md §5, AISBench's layout): configs/, logs/, predictions/, results/, summary/.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/result.hpp"

namespace evalflow {

class RunDirectory {
 public:
  // A new run: <work_dir>/<YYYYmmdd_HHMMSS>, made unique if that second is taken.
  static Result<RunDirectory> create(const std::filesystem::path& work_dir);
  // An existing run, for --resume and --mode eval.
  static Result<RunDirectory> open(const std::filesystem::path& run_dir);

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }
  [[nodiscard]] std::filesystem::path predictions(const std::string& model, const std::string& dataset) const;
  [[nodiscard]] std::filesystem::path failed_predictions(const std::string& model,
                                                         const std::string& dataset) const;
  [[nodiscard]] std::filesystem::path results(const std::string& model, const std::string& dataset) const;
  [[nodiscard]] std::filesystem::path logs() const { return root_ / "logs"; }
  [[nodiscard]] std::filesystem::path configs() const { return root_ / "configs"; }
  [[nodiscard]] std::filesystem::path summary() const { return root_ / "summary"; }

 private:
  explicit RunDirectory(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

// Appends one JSON line per call. Lines reach the file at most kFlushInterval after they are appended
// (one write per line would cap a fast run at the syscall rate), so a killed run loses at most that
// much finished work; a torn last line is cut on resume.
class JsonlAppender {
 public:
  static constexpr std::chrono::milliseconds kFlushInterval{100};

  static Result<std::unique_ptr<JsonlAppender>> open(const std::filesystem::path& file, bool truncate);
  void append(const nlohmann::json& row);
  void flush();

 private:
  explicit JsonlAppender(std::ofstream stream) : stream_(std::move(stream)) {}
  std::mutex mutex_;
  std::ofstream stream_;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

using SampleKey = std::pair<int64_t, int32_t>;  // (id, replica)

// The finished rows of an earlier run's predictions file, by (id, replica). A torn last line (the run
// was killed mid-write) is cut from the file so that appending can go on; any other bad line is an
// error naming file:line.
Result<std::map<SampleKey, nlohmann::json>> read_finished_predictions(const std::filesystem::path& file);

}  // namespace evalflow
