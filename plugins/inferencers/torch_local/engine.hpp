// The scheduler on its own thread: submit() may be called from any thread and returns at once; results
// come back through each request's on_finish, on the engine's thread, as sequences finish.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scheduler.hpp"

namespace evalflow::torch_local {

class Engine {
 public:
  Engine(std::shared_ptr<const Transformer> model, const SchedulerOptions& options);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // Fails whatever is still queued or running with "engine shut down", then joins the thread.
  ~Engine();

  // Queues a request. Throws std::invalid_argument at once for a request the scheduler refuses.
  void submit(GenerationRequest request);
  // Blocks until every submitted request has finished.
  void drain();
  struct GraphReport {
    int64_t captures = 0;
    double capture_seconds = 0;
    std::string failure;  // why decode stopped using CUDA graphs, or empty
  };
  // Read it after drain(), while the engine is idle.
  [[nodiscard]] GraphReport graph_report() {
    std::lock_guard lock(mutex_);
    return {scheduler_.graph_captures(), scheduler_.graph_capture_seconds(), scheduler_.graph_failure()};
  }

 private:
  void run();

  std::shared_ptr<const Transformer> model_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable drained_;
  std::vector<GenerationRequest> incoming_;
  size_t in_flight_ = 0;  // submitted and not finished
  bool stopping_ = false;
  Scheduler scheduler_;  // used only on thread_
  std::thread thread_;
};

}  // namespace evalflow::torch_local
