#include "graph/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace evalflow {

namespace {

constexpr std::chrono::seconds kRateWindow{60};

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const auto whole = static_cast<int64_t>(seconds);
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}

}  // namespace

ProgressReporter::ProgressReporter(std::vector<LaneProgress*> lanes, bool enabled,
                                   std::vector<ModelProgress> models)
    : lanes_(std::move(lanes)),
      models_(std::move(models)),
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
  const std::lock_guard lock(mutex_);
  status_.clear();
  print(true);
}

void ProgressReporter::message(const std::string& line) {
  const std::lock_guard lock(mutex_);
  if (enabled_ && terminal_) erase_block();
  std::fputs((line + "\n").c_str(), stderr);
  if (enabled_ && terminal_ && !stop_) print(false);
  std::fflush(stderr);
}

void ProgressReporter::set_status(std::string status) {
  const std::lock_guard lock(mutex_);
  if (status == status_) return;
  // Without a redrawn block only the first of a run of statuses is printed (no line per countdown tick).
  const bool starts = status_.empty() && !status.empty();
  status_ = std::move(status);
  if (enabled_ && terminal_) {
    print(false);
  } else if (starts) {
    std::fputs(((enabled_ ? "progress " : "evalflow: ") + status_ + "\n").c_str(), stderr);
  }
  std::fflush(stderr);
}

std::string ProgressReporter::model_line(size_t index, const Sample& now, const Sample& oldest,
                                         double span) const {
  const nlohmann::json& stats = now.models[index];
  if (!stats.is_object() || stats.empty()) return {};
  const nlohmann::json* before = index < oldest.models.size() ? &oldest.models[index] : nullptr;
  std::string line = "model " + models_[index].label + ":";
  for (const auto& [key, value] : stats.items()) {
    if (!value.is_number()) continue;
    if (key.ends_with("_total")) {
      // A counter: its rate over the recent window.
      const double start =
          before != nullptr && before->is_object() ? before->value(key, value.get<double>()) : 0;
      const double rate = span > 0 ? (value.get<double>() - start) / span : 0;
      line += fmt::format(" {} {:.0f}/s", key.substr(0, key.size() - 6), rate);
    } else {
      line += fmt::format(" {} {}", key, value.dump());
    }
  }
  return line;
}

void ProgressReporter::loop() {
  const auto period = terminal_ ? std::chrono::milliseconds(500) : std::chrono::seconds(10);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) print(false);
}

void ProgressReporter::erase_block() {
  if (printed_lines_ == 0) return;
  std::string erase = fmt::format("\x1b[{}A", printed_lines_);
  for (int i = 0; i < printed_lines_; ++i) erase += "\x1b[2K\n";
  erase += fmt::format("\x1b[{}A", printed_lines_);
  std::fputs(erase.c_str(), stderr);
  printed_lines_ = 0;
}

void ProgressReporter::print(bool final) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  Sample sample{now, {}, {}, {}};
  for (const LaneProgress* lane : lanes_) {
    sample.done.push_back(lane->done.load());
    sample.tokens.push_back(lane->output_tokens.load());
  }
  for (const ModelProgress& model : models_) sample.models.push_back(model.stats());
  window_.push_back(sample);
  while (window_.size() > 2 && now - window_[1].time >= kRateWindow) window_.pop_front();
  const Sample& oldest = window_.front();
  const double span = std::chrono::duration<double>(now - oldest.time).count();
  std::string block;
  if (terminal_) erase_block();
  for (size_t i = 0; i < lanes_.size(); ++i) {
    const LaneProgress* lane = lanes_[i];
    const int64_t done = sample.done[i];
    const int64_t total = lane->total.load();
    // Rates over the recent window, so that a lane queued behind another shows its own speed.
    const double rate = span > 0 ? static_cast<double>(done - oldest.done[i]) / span : 0;
    const double token_rate = span > 0 ? static_cast<double>(sample.tokens[i] - oldest.tokens[i]) / span : 0;
    const double eta = total > 0 && rate > 0 ? static_cast<double>(total - done) / rate : -1;
    std::string bar;
    if (terminal_ && total > 0) {
      constexpr int kWidth = 20;
      const int filled = static_cast<int>(kWidth * std::min(done, total) / std::max<int64_t>(total, 1));
      bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    }
    const int64_t scored = lane->scored.load();
    const std::string accuracy =
        scored > 0 ? fmt::format(" acc {:.1f}", 100.0 * static_cast<double>(lane->correct.load()) /
                                                    static_cast<double>(scored))
                   : "";
    const std::string in_flight = lane->in_flight ? fmt::format(" in flight {}", lane->in_flight()) : "";
    const std::string tokens = token_rate > 0 ? fmt::format(" {:.0f} tok/s", token_rate) : "";
    block += fmt::format(
        "{}{:<28} {}{}/{}{} {:.1f}/s{} elapsed {} ETA {} failed {}{}\n", terminal_ ? "\x1b[2K" : "progress ",
        lane->label, bar, done, total >= 0 ? std::to_string(total) : "?", in_flight, rate, tokens,
        format_duration(elapsed), final ? "0s" : format_duration(eta), lane->failed.load(), accuracy);
  }
  int lines = static_cast<int>(lanes_.size());
  for (size_t i = 0; i < models_.size(); ++i) {
    const std::string line = model_line(i, sample, oldest, span);
    if (line.empty()) continue;
    block += (terminal_ ? "\x1b[2K" : "progress ") + line + "\n";
    ++lines;
  }
  if (!status_.empty() && terminal_) {
    block += "\x1b[2K" + status_ + "\n";
    ++lines;
  }
  printed_lines_ = terminal_ ? lines : 0;
  std::fputs(block.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace evalflow
