#include "graph/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace evalflow {

ProgressReporter::ProgressReporter(std::vector<LaneProgress*> lanes, bool enabled)
    : lanes_(std::move(lanes)),
      enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_) thread_ = std::thread([this] { loop(); });
}

ProgressReporter::~ProgressReporter() {
  if (!enabled_) return;
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  print(true);
}

void ProgressReporter::loop() {
  const auto period = terminal_ ? std::chrono::milliseconds(500) : std::chrono::seconds(10);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) print(false);
}

namespace {
std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const auto whole = static_cast<int64_t>(seconds);
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}
}  // namespace

void ProgressReporter::print(bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string block;
  if (terminal_ && printed_lines_ > 0) block += fmt::format("\x1b[{}A", printed_lines_);
  for (const LaneProgress* lane : lanes_) {
    const int64_t done = lane->done.load();
    const int64_t total = lane->total.load();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double eta = total > 0 && rate > 0 ? static_cast<double>(total - done) / rate : -1;
    std::string bar;
    if (terminal_ && total > 0) {
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(kWidth * done / std::max<int64_t>(total, 1));
      bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    }
    block += fmt::format("{}{:<32} {}{}/{} {:.1f}/s ETA {} failed {}\n", terminal_ ? "\x1b[2K" : "progress ",
                         lane->label, bar, done, total >= 0 ? std::to_string(total) : "?", rate,
                         final ? "0s" : format_duration(eta), lane->failed.load());
  }
  printed_lines_ = static_cast<int>(lanes_.size());
  std::fputs(block.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace evalflow
