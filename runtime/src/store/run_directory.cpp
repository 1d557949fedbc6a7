#include "store/run_directory.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>

namespace fs = std::filesystem;

namespace evalflow {

namespace {

Status make_layout(const fs::path& root) {
  std::error_code error;
  for (const char* sub : {"configs", "logs", "predictions", "results", "summary"}) {
    fs::create_directories(root / sub, error);
    if (error)
      return Error{fmt::format("{}: cannot create directory: {}", (root / sub).string(), error.message())};
  }
  return ok_status();
}

}  // namespace

Result<RunDirectory> RunDirectory::create(const fs::path& work_dir) {
  const std::time_t now = std::time(nullptr);
  const std::string stamp = fmt::format("{:%Y%m%d_%H%M%S}", fmt::localtime(now));
  std::error_code error;
  fs::create_directories(work_dir, error);
  if (error) return Error{fmt::format("{}: cannot create directory: {}", work_dir.string(), error.message())};
  // create_directory is atomic and says whether it made the directory, so two runs starting in the same
  // second never share one.
  fs::path root = work_dir / stamp;
  for (int suffix = 1; !fs::create_directory(root, error); ++suffix) {
    if (error) return Error{fmt::format("{}: cannot create directory: {}", root.string(), error.message())};
    root = work_dir / fmt::format("{}_{}", stamp, suffix);
  }
  if (auto made = make_layout(root); !made) return Error{made.error()};
  return RunDirectory(fs::absolute(root));
}

Result<RunDirectory> RunDirectory::open(const fs::path& run_dir) {
  if (!fs::is_directory(run_dir / "predictions")) {
    return Error{fmt::format("{}: not a run directory (it has no predictions/); pass outputs/<run-id>",
                             run_dir.string())};
  }
  if (auto made = make_layout(run_dir); !made) return Error{made.error()};
  return RunDirectory(fs::absolute(run_dir));
}

fs::path RunDirectory::predictions(const std::string& model, const std::string& dataset) const {
  return root_ / "predictions" / model / (dataset + ".jsonl");
}

fs::path RunDirectory::failed_predictions(const std::string& model, const std::string& dataset) const {
  return root_ / "predictions" / model / (dataset + "_failed.jsonl");
}

fs::path RunDirectory::results(const std::string& model, const std::string& dataset) const {
  return root_ / "results" / model / (dataset + ".json");
}

Result<std::unique_ptr<JsonlAppender>> JsonlAppender::open(const fs::path& file, bool truncate) {
  std::error_code error;
  fs::create_directories(file.parent_path(), error);
  const int fd =
      ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
  if (fd < 0)
    return Error{fmt::format("{}: cannot open for writing: {}", file.string(), std::strerror(errno))};
  struct stat info {};
  const int64_t size = ::fstat(fd, &info) == 0 ? static_cast<int64_t>(info.st_size) : 0;
  return std::unique_ptr<JsonlAppender>(new JsonlAppender(file, fd, size));
}

JsonlAppender::JsonlAppender(fs::path file, int fd, int64_t size)
    : file_(std::move(file)), fd_(fd), good_size_(size) {}

JsonlAppender::~JsonlAppender() {
  static_cast<void>(flush());
  ::close(fd_);
}

Status JsonlAppender::append_line(std::string_view line) {
  const std::lock_guard lock(mutex_);
  if (!error_.empty()) return Error{error_};
  buffer_.append(line);
  buffer_ += '\n';
  const auto now = std::chrono::steady_clock::now();
  if (now - last_flush_ < kFlushInterval) return ok_status();
  last_flush_ = now;
  return write_buffer();
}

Status JsonlAppender::append(const nlohmann::json& row) {
  return append_line(row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Status JsonlAppender::flush() {
  const std::lock_guard lock(mutex_);
  if (!error_.empty()) return Error{error_};
  last_flush_ = std::chrono::steady_clock::now();
  return write_buffer();
}

Status JsonlAppender::write_buffer() {
  size_t written = 0;
  while (written < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int code = n < 0 ? errno : EIO;
      // Keep the whole lines that reached the file; cut a line that reached it in part.
      const size_t last_newline = written == 0 ? std::string::npos : buffer_.rfind('\n', written - 1);
      const size_t whole = last_newline == std::string::npos ? 0 : last_newline + 1;
      static_cast<void>(::ftruncate(fd_, good_size_ + static_cast<int64_t>(whole)));
      error_ = fmt::format(
          "{}: write failed: {}; what was written before is kept: free space or fix the "
          "cause, then resume with --resume",
          file_.string(), std::strerror(code));
      return Error{error_};
    }
    written += static_cast<size_t>(n);
  }
  good_size_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  return ok_status();
}

Result<std::map<SampleKey, nlohmann::json>> read_finished_predictions(const fs::path& file) {
  std::map<SampleKey, nlohmann::json> finished;
  std::ifstream stream(file, std::ios::binary);
  if (!stream) return finished;  // nothing finished yet
  std::string line;
  size_t number = 0;
  std::uintmax_t good_bytes = 0;
  std::string torn_error;
  while (std::getline(stream, line)) {
    ++number;
    if (!torn_error.empty()) return Error{torn_error};
    const bool complete_line = !stream.eof();
    auto row = nlohmann::json::parse(line, nullptr, false);
    if (line.empty()) {
      good_bytes += line.size() + (complete_line ? 1 : 0);
      continue;
    }
    if (!row.is_discarded() && row.is_object() && row.contains("id") && complete_line) {
      const auto replica = row.value("replica", nlohmann::json(0));
      if (!row["id"].is_number_integer() || !replica.is_number_integer()) {
        return Error{
            fmt::format("{}:{}: `id` and `replica` must be integers (found {} and {}); fix or remove "
                        "the line, then resume",
                        file.string(), number, row["id"].dump(), replica.dump())};
      }
      good_bytes += line.size() + 1;
      const SampleKey key{row["id"].get<int64_t>(), replica.get<int32_t>()};
      finished[key] = std::move(row);
      continue;
    }
    // Only the last line may be torn by a kill; anything after it makes the file corrupt.
    torn_error = fmt::format(
        "{}:{}: not a prediction row (invalid JSON, no id, or no newline); fix or remove "
        "the line, then resume",
        file.string(), number);
  }
  stream.close();
  if (!torn_error.empty()) fs::resize_file(file, good_bytes);
  return finished;
}

namespace {

// Writes through `write` into a temporary file beside `file`, then renames it over `file`: a process killed
// at any moment leaves the old file or the new one, never a part.
Status replace_through_temporary(const fs::path& file, const std::function<Status(const fs::path&)>& write) {
  const fs::path temporary = file.string() + ".tmp";
  if (auto written = write(temporary); !written) return written;
  std::error_code error;
  fs::rename(temporary, file, error);
  if (error) return Error{fmt::format("{}: cannot replace: {}", file.string(), error.message())};
  return ok_status();
}

}  // namespace

Status replace_jsonl(const fs::path& file, const std::vector<std::string>& lines) {
  return replace_through_temporary(file, [&](const fs::path& temporary) -> Status {
    auto out = JsonlAppender::open(temporary, /*truncate=*/true);
    if (!out) return Error{out.error()};
    for (const auto& line : lines) {
      if (auto appended = (*out)->append_line(line); !appended) return appended;
    }
    return (*out)->flush();
  });
}

Status replace_file(const fs::path& file, std::string_view contents) {
  return replace_through_temporary(file, [&](const fs::path& temporary) -> Status {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) return Error{fmt::format("{}: cannot write", temporary.string())};
    return ok_status();
  });
}

}  // namespace evalflow
