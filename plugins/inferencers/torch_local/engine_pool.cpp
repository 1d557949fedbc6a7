#include "engine_pool.hpp"

#include <stdexcept>

namespace evalflow::torch_local {

EnginePool::EnginePool(const std::vector<std::shared_ptr<const Transformer>>& replicas,
                       const SchedulerOptions& options) {
  if (replicas.empty()) throw std::invalid_argument("an engine pool needs at least one model replica");
  queue_ = std::make_shared<RequestQueue>(replicas.size());
  for (size_t index = 0; index < replicas.size(); ++index) {
    engines_.push_back(std::make_unique<Engine>(replicas[index], options, queue_, index));
  }
}

void EnginePool::submit(GenerationRequest request) {
  if (request.prompt_ids.empty()) throw std::invalid_argument("the prompt is empty");
  queue_->push(std::move(request));
}

void EnginePool::warm_up(const GenerationRequest& request) {
  for (size_t index = 0; index < engines_.size(); ++index) queue_->push(request, index);
  drain();
}

void EnginePool::drain() {
  queue_->drain();
}

Engine::LiveStats EnginePool::live() const {
  Engine::LiveStats total;
  for (const auto& engine : engines_) {
    const Engine::LiveStats stats = engine->live();
    total.running += stats.running;
    total.waiting += stats.waiting;
    total.preemptions += stats.preemptions;
    total.generated_tokens += stats.generated_tokens;
    total.kv_used_positions += stats.kv_used_positions;
    total.kv_positions += stats.kv_positions;
    total.work.decode_steps += stats.work.decode_steps;
    total.work.decode_context_positions += stats.work.decode_context_positions;
    total.work.prefill_tokens += stats.work.prefill_tokens;
  }
  total.waiting += queue_->pending();
  return total;
}

}  // namespace evalflow::torch_local
