// The run directory (DESIGN.md §5, AISBench's layout): configs/, logs/, predictions/, results/, summary/.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Appends JSON lines to a file. Lines reach the file at most kFlushInterval after they are appended (one
// write per line would cap a fast run at the syscall rate; the run also flushes on a timer), so a killed
// run loses at most that much finished work, and a torn last line is cut on resume. A failed write (disk
// full, I/O error) cuts the partial line, is reported with the file's name, and every later call fails too:
// nothing written before is lost and the run stops.
class JsonlAppender {
 public:
  static constexpr std::chrono::milliseconds kFlushInterval{100};

  static Result<std::unique_ptr<JsonlAppender>> open(const std::filesystem::path& file, bool truncate);
  ~JsonlAppender();
  JsonlAppender(const JsonlAppender&) = delete;
  JsonlAppender& operator=(const JsonlAppender&) = delete;

  Status append_line(std::string_view line);  // one complete JSON text, without its newline
  Status append(const nlohmann::json& row);
  Status flush();
  [[nodiscard]] const std::filesystem::path& path() const { return file_; }

 private:
  JsonlAppender(std::filesystem::path file, int fd, int64_t size);
  Status write_buffer();  // with mutex_ held

  std::mutex mutex_;
  std::filesystem::path file_;
  int fd_;
  int64_t good_size_;  // bytes of whole lines on disk
  std::string buffer_;
  std::string error_;  // set by the first failed write
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

using SampleKey = std::pair<int64_t, int32_t>;  // (id, replica)

// The rows of an earlier run's predictions (or failures) file, by (id, replica); a later row of the same key
// replaces an earlier one. A torn last line (the run was killed mid-write) is cut from the file so that
// appending can go on; any other bad line (not JSON, no integer id or replica) is an error naming file:line.
Result<std::map<SampleKey, nlohmann::json>> read_finished_predictions(const std::filesystem::path& file);

// Replaces `file` with `lines` (each a JSON text) atomically: a temporary file, then rename.
Status replace_jsonl(const std::filesystem::path& file, const std::vector<std::string>& lines);

// Writes `contents` to a temporary file beside `file`, then renames it over `file`: a run killed at any
// moment leaves the old file or the new one, never a part (configs/ is read back by --resume).
Status replace_file(const std::filesystem::path& file, std::string_view contents);

}  // namespace evalflow
