// Live progress on stderr: per lane done/total, rate, ETA and failures; a redrawn block on a terminal,
// plain periodic lines otherwise (CI logs, files).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace evalflow {

struct LaneProgress {
  std::string label;
  std::atomic<int64_t> total{-1};
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
};

class ProgressReporter {
 public:
  ProgressReporter(std::vector<LaneProgress*> lanes, bool enabled);
  ~ProgressReporter();  // prints the final state
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();
  void print(bool final);

  std::vector<LaneProgress*> lanes_;
  bool enabled_;
  bool terminal_;
  int printed_lines_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace evalflow
