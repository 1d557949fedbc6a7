#include "store/run_directory.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>

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
  fs::path root = work_dir / stamp;
  for (int suffix = 1; fs::exists(root); ++suffix) root = work_dir / fmt::format("{}_{}", stamp, suffix);
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
  std::ofstream stream(file, truncate ? std::ios::trunc : std::ios::app);
  if (!stream) return Error{fmt::format("{}: cannot open for writing", file.string())};
  return std::unique_ptr<JsonlAppender>(new JsonlAppender(std::move(stream)));
}

void JsonlAppender::append(const nlohmann::json& row) {
  const std::string line = row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const std::lock_guard lock(mutex_);
  stream_ << line;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_flush_ >= kFlushInterval) {
    stream_.flush();
    last_flush_ = now;
  }
}

void JsonlAppender::flush() {
  const std::lock_guard lock(mutex_);
  stream_.flush();
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
    if (line.empty() || (!row.is_discarded() && row.is_object() && row.contains("id") && complete_line)) {
      good_bytes += line.size() + (complete_line ? 1 : 0);
      if (!line.empty()) {
        const SampleKey key{row["id"].get<int64_t>(), row.value("replica", 0)};
        finished[key] = std::move(row);
      }
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

}  // namespace evalflow
