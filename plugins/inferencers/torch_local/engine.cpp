#include "engine.hpp"

#include <stdexcept>

namespace evalflow::torch_local {

Engine::Engine(std::shared_ptr<const Transformer> model, const SchedulerOptions& options)
    : model_(std::move(model)), scheduler_(*model_, options), thread_([this] { run(); }) {}

Engine::~Engine() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  thread_.join();
}

void Engine::submit(GenerationRequest request) {
  if (request.prompt_ids.empty()) throw std::invalid_argument("the prompt is empty");
  // Count the request as finished when its callback has run, whatever the outcome.
  auto on_finish = std::move(request.on_finish);
  request.on_finish = [this, on_finish = std::move(on_finish)](GenerationResult result) {
    if (on_finish) on_finish(std::move(result));
    std::lock_guard lock(mutex_);
    if (--in_flight_ == 0) drained_.notify_all();
  };
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::runtime_error("the engine is shutting down");
    ++in_flight_;
    incoming_.push_back(std::move(request));
  }
  work_ready_.notify_one();
}

void Engine::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return in_flight_ == 0; });
}

void Engine::run() {
  for (;;) {
    std::vector<GenerationRequest> arrived;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !incoming_.empty() || !scheduler_.idle(); });
      if (stopping_) break;
      arrived.swap(incoming_);
    }
    for (auto& request : arrived) {
      auto on_finish = request.on_finish;
      try {
        scheduler_.add(std::move(request));
      } catch (const std::exception& error) {
        GenerationResult result;
        result.finish_reason = FinishReason::kError;
        result.error = error.what();
        result.request_invalid = true;
        on_finish(std::move(result));
      }
    }
    try {
      if (!scheduler_.idle()) scheduler_.step();
    } catch (const std::exception& error) {
      // A failed step (out of memory, a device error) leaves the batch's state unknown: end all of it.
      scheduler_.fail_all(std::string("generation step failed: ") + error.what());
    }
  }
  scheduler_.fail_all("the engine shut down before the request finished");
  std::vector<GenerationRequest> never_started;
  {
    std::lock_guard lock(mutex_);
    never_started.swap(incoming_);
  }
  for (auto& request : never_started) {
    GenerationResult result;
    result.finish_reason = FinishReason::kError;
    result.error = "the engine shut down before the request started";
    request.on_finish(std::move(result));
  }
}

}  // namespace evalflow::torch_local
