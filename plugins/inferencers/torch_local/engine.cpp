#include "engine.hpp"

#include <c10/core/DeviceGuard.h>

#include <stdexcept>

namespace evalflow::torch_local {

Engine::Engine(std::shared_ptr<const Transformer> model, const SchedulerOptions& options,
               std::shared_ptr<RequestQueue> queue, size_t index)
    : model_(std::move(model)),
      queue_(std::move(queue)),
      index_(index),
      scheduler_(*model_, options),
      kv_positions_(scheduler_.kv_report().blocks * scheduler_.kv_report().block_size),
      thread_([this] { run(); }) {}

Engine::~Engine() {
  queue_->close("the engine shut down before the request started");
  thread_.join();
}

Engine::GraphReport Engine::graph_report() {
  std::lock_guard lock(step_mutex_);
  return {scheduler_.graph_captures(), scheduler_.graph_capture_seconds(), scheduler_.graph_failure()};
}

KvCacheReport Engine::kv_report() {
  std::lock_guard lock(step_mutex_);
  return scheduler_.kv_report();
}

StepWork Engine::work() {
  std::lock_guard lock(step_mutex_);
  return scheduler_.work();
}

void Engine::run() {
  // Streams, graph captures and synchronisations that name no device use the thread's current one.
  c10::OptionalDeviceGuard device_guard;
  if (device().is_cuda()) device_guard.reset_device(device());
  for (;;) {
    // An idle engine sleeps until work comes; a busy one only looks for more between steps.
    auto arrived = queue_->take(index_, scheduler_.free_slots(), /*wait=*/scheduler_.idle());
    if (!arrived) break;
    served_ += static_cast<int64_t>(arrived->size());
    std::lock_guard lock(step_mutex_);
    for (auto& request : *arrived) admit(std::move(request));
    if (scheduler_.idle()) continue;
    try {
      scheduler_.step();
    } catch (const std::exception& error) {
      // A failed step (out of memory, a device error) leaves the batch's state unknown: end all of it.
      scheduler_.fail_all(std::string("generation step failed on ") + device().str() + ": " + error.what());
    }
    publish_stats();
  }
  std::lock_guard lock(step_mutex_);
  scheduler_.fail_all("the engine shut down before the request finished");
}

void Engine::publish_stats() {
  running_ = scheduler_.running();
  waiting_ = scheduler_.waiting();
  preemptions_ = scheduler_.preemptions();
  generated_tokens_ = scheduler_.generated_tokens();
  kv_used_positions_ = scheduler_.used_blocks() * scheduler_.kv_report().block_size;
  const StepWork& work = scheduler_.work();
  decode_steps_ = work.decode_steps;
  decode_context_positions_ = work.decode_context_positions;
  prefill_tokens_ = work.prefill_tokens;
}

void Engine::admit(GenerationRequest request) {
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

}  // namespace evalflow::torch_local
