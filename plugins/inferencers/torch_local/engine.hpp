// One scheduler on its own thread and device, fed from a RequestQueue that it may share with the engines of
// other devices (EnginePool). It takes requests only up to its scheduler's free batch slots, and only
// between steps, so that queued work goes to whichever engine has room first. Results come back through
// each request's on_finish, on the engine's thread, as sequences finish.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "request_queue.hpp"
#include "scheduler.hpp"

namespace evalflow::torch_local {

class Engine {
 public:
  // `index`: this engine's number in `queue` (for requests handed to it alone).
  Engine(std::shared_ptr<const Transformer> model, const SchedulerOptions& options,
         std::shared_ptr<RequestQueue> queue, size_t index);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // Closes the queue (failing what no engine has taken), fails what this engine is running with "the
  // engine shut down before the request finished", then joins the thread.
  ~Engine();

  struct GraphReport {
    int64_t captures = 0;
    double capture_seconds = 0;
    std::string failure;  // why decode stopped using CUDA graphs, or empty
  };
  // Waits for a step in progress to end; meant to be read after the queue has drained.
  [[nodiscard]] GraphReport graph_report();
  // The KV cache's size and use so far; waits for a step in progress like graph_report().
  [[nodiscard]] KvCacheReport kv_report();
  // What its forward passes have done so far; waits for a step in progress like graph_report().
  [[nodiscard]] StepWork work();
  // Requests this engine has taken from the queue (those it refused included).
  [[nodiscard]] int64_t served() const { return served_.load(); }
  [[nodiscard]] at::Device device() const { return model_->options().device(); }
  // The scheduler's state after its last step, readable from any thread (the run's live progress).
  struct LiveStats {
    int64_t running = 0;
    int64_t waiting = 0;
    int64_t preemptions = 0;
    int64_t generated_tokens = 0;
    int64_t kv_used_positions = 0;  // in whole blocks, as the pool hands them out
    int64_t kv_positions = 0;       // the pool's size
    StepWork work;
  };
  [[nodiscard]] LiveStats live() const {
    return {running_.load(),
            waiting_.load(),
            preemptions_.load(),
            generated_tokens_.load(),
            kv_used_positions_.load(),
            kv_positions_,
            {decode_steps_.load(), decode_context_positions_.load(), prefill_tokens_.load()}};
  }

 private:
  void run();
  void admit(GenerationRequest request);
  void publish_stats();  // with step_mutex_ held

  std::shared_ptr<const Transformer> model_;
  std::shared_ptr<RequestQueue> queue_;
  size_t index_;
  std::atomic<int64_t> served_ = 0;
  std::atomic<int64_t> running_ = 0;
  std::atomic<int64_t> waiting_ = 0;
  std::atomic<int64_t> preemptions_ = 0;
  std::atomic<int64_t> generated_tokens_ = 0;
  std::atomic<int64_t> kv_used_positions_ = 0;
  std::atomic<int64_t> decode_steps_ = 0;
  std::atomic<int64_t> decode_context_positions_ = 0;
  std::atomic<int64_t> prefill_tokens_ = 0;
  std::mutex step_mutex_;  // held by the engine's thread while it changes the scheduler
  Scheduler scheduler_;
  const int64_t kv_positions_;  // after scheduler_, which sizes the pool
  std::thread thread_;          // last: starts once everything above exists
};

}  // namespace evalflow::torch_local
