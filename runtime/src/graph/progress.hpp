// Live progress on stderr, per lane: done/total, in flight, samples/s and output tokens/s over the last
// minute, elapsed, ETA from that recent rate, failures and the running accuracy; a redrawn block on a
// terminal, plain periodic lines otherwise (CI logs, files). Warnings and notices are printed above the
// block (message()), so they never scroll it away. Models whose plugins describe their work (a local engine's
// running, queued and preempted sequences and tokens/s) get a line of their own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace evalflow {

struct LaneProgress {
  std::string label;
  std::atomic<int64_t> total{-1};
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> scored{0};   // records the evaluator judged
  std::atomic<int64_t> correct{0};  // of which correct
  std::atomic<int64_t> output_tokens{0};
  std::function<int64_t()> in_flight;  // samples at the model now; empty when the lane has no model
};

// A model whose plugin describes its work in progress (ef_node_type::stats): one more line in the block.
struct ModelProgress {
  std::string label;
  std::function<nlohmann::json()> stats;  // an object of numbers, or null
};

class ProgressReporter {
 public:
  ProgressReporter(std::vector<LaneProgress*> lanes, bool enabled, std::vector<ModelProgress> models = {});
  ~ProgressReporter();  // prints the final state
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // A line above the progress block (or a plain line when progress is off or not on a terminal).
  void message(const std::string& line);
  // A line shown under the block until replaced (e.g. the stopping countdown); empty clears it.
  void set_status(std::string status);

 private:
  struct Sample {
    std::chrono::steady_clock::time_point time;
    std::vector<int64_t> done;
    std::vector<int64_t> tokens;
    std::vector<nlohmann::json> models;
  };

  void loop();
  void print(bool final);  // with mutex_ held
  void erase_block();      // with mutex_ held

  [[nodiscard]] std::string model_line(size_t index, const Sample& now, const Sample& oldest,
                                       double span) const;

  std::vector<LaneProgress*> lanes_;
  std::vector<ModelProgress> models_;
  bool enabled_;
  bool terminal_;
  int printed_lines_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::deque<Sample> window_;  // the last minute, for the recent rates
  std::string status_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace evalflow
