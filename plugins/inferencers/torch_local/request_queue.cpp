#include "request_queue.hpp"

#include <stdexcept>

namespace evalflow::torch_local {

RequestQueue::RequestQueue(size_t engines) : own_(engines) {
  if (engines == 0) throw std::invalid_argument("a request queue needs at least one engine");
}

void RequestQueue::push(GenerationRequest request, std::optional<size_t> engine) {
  if (engine && *engine >= own_.size()) {
    throw std::out_of_range("engine " + std::to_string(*engine) + " does not exist (the pool has " +
                            std::to_string(own_.size()) + ")");
  }
  // Count the request as finished when its callback has run, whatever the outcome and whoever calls it.
  auto on_finish = std::move(request.on_finish);
  request.on_finish = [this, on_finish = std::move(on_finish)](GenerationResult result) {
    if (on_finish) on_finish(std::move(result));
    std::lock_guard lock(mutex_);
    if (--in_flight_ == 0) drained_.notify_all();
  };
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw std::runtime_error("the engine is shutting down");
    ++in_flight_;
    (engine ? own_[*engine] : shared_).push_back(std::move(request));
  }
  // Every idle engine looks: the first may take less than is queued (its batch is full).
  work_ready_.notify_all();
}

std::optional<std::vector<GenerationRequest>> RequestQueue::take(size_t engine, int64_t count, bool wait) {
  std::unique_lock lock(mutex_);
  if (wait) work_ready_.wait(lock, [&] { return closed_ || has_work(engine); });
  if (closed_) return std::nullopt;
  std::vector<GenerationRequest> taken;
  for (auto* source : {&own_[engine], &shared_}) {
    while (!source->empty() && static_cast<int64_t>(taken.size()) < count) {
      taken.push_back(std::move(source->front()));
      source->pop_front();
    }
  }
  return taken;
}

void RequestQueue::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return in_flight_ == 0; });
}

void RequestQueue::close(const std::string& message) {
  std::vector<GenerationRequest> never_started;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    auto move_out = [&never_started](std::deque<GenerationRequest>& queued) {
      for (auto& request : queued) never_started.push_back(std::move(request));
      queued.clear();
    };
    move_out(shared_);
    for (auto& own : own_) move_out(own);
  }
  work_ready_.notify_all();
  // Outside the lock: each callback takes it to count itself out.
  for (auto& request : never_started) {
    GenerationResult result;
    result.finish_reason = FinishReason::kError;
    result.error = message;
    request.on_finish(std::move(result));
  }
}

int64_t RequestQueue::pending() {
  const std::lock_guard lock(mutex_);
  size_t count = shared_.size();
  for (const auto& own : own_) count += own.size();
  return static_cast<int64_t>(count);
}

}  // namespace evalflow::torch_local
