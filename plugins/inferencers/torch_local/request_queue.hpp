// The requests waiting for an engine, shared by every engine of a pool (one per GPU). Engines pull from it
// only as many requests as their batch has room for, so a busy engine never hoards work that an idle one
// could start: the queue balances the load, not a round-robin. It also counts the requests in flight
// (pushed and not finished) so that drain() knows when all are done, whichever engine served them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scheduler.hpp"

namespace evalflow::torch_local {

class RequestQueue {
 public:
  // `engines`: how many engines take from it (each may also be handed requests of its own).
  explicit RequestQueue(size_t engines);
  RequestQueue(const RequestQueue&) = delete;
  RequestQueue& operator=(const RequestQueue&) = delete;

  // Queues a request for any engine, or for engine `engine` only (e.g. a warm-up on each device). Throws
  // std::runtime_error once the queue is closed. Its on_finish is wrapped to count it out of drain().
  void push(GenerationRequest request, std::optional<size_t> engine = std::nullopt);

  // Up to `count` requests for engine `engine`, its own first, then the oldest shared ones. With `wait`,
  // blocks until there is at least one or the queue closes. nullopt once the queue is closed: the engine
  // stops.
  std::optional<std::vector<GenerationRequest>> take(size_t engine, int64_t count, bool wait);

  // Blocks until every pushed request has finished (its on_finish has returned).
  void drain();

  // Refuses further requests, wakes every waiting engine and fails the requests no engine has taken with
  // `message`. Idempotent.
  void close(const std::string& message);

  // Requests queued that no engine has taken yet.
  [[nodiscard]] int64_t pending();

 private:
  [[nodiscard]] bool has_work(size_t engine) const { return !shared_.empty() || !own_[engine].empty(); }

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable drained_;
  std::deque<GenerationRequest> shared_;
  std::vector<std::deque<GenerationRequest>> own_;  // per engine
  size_t in_flight_ = 0;
  bool closed_ = false;
};

}  // namespace evalflow::torch_local
