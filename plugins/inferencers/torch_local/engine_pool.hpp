// Data parallelism on one host: one engine per model replica (one per GPU), all fed from one queue. Each
// engine takes requests only when its batch has room, so the load follows the engines' speed rather than a
// fixed share. A pool of one replica is the single-engine case. submit() may be called from any thread and
// returns at once; results come back through each request's on_finish, on the thread of the engine that
// served it.
#pragma once

#include <memory>
#include <vector>

#include "engine.hpp"
#include "request_queue.hpp"

namespace evalflow::torch_local {

class EnginePool {
 public:
  // One engine per replica; replicas may share a device (e.g. two engines on "cpu" in tests).
  EnginePool(const std::vector<std::shared_ptr<const Transformer>>& replicas,
             const SchedulerOptions& options);
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;
  // Fails what is queued ("the engine shut down before the request started") and what is running ("... before
  // the request finished"), then stops every engine: the first engine destroyed closes the shared queue.
  ~EnginePool() = default;

  // Queues a request for whichever engine has room first. Throws std::invalid_argument at once for an empty
  // prompt; every other refusal (too long, ids outside the vocabulary) arrives through on_finish.
  void submit(GenerationRequest request);
  // Runs a copy of `request` on every engine and waits until all have finished, with everything submitted
  // before: per-device start-up costs (cuBLAS handles, kernel loading) then stay out of timed work.
  void warm_up(const GenerationRequest& request);
  // Blocks until every submitted request has finished.
  void drain();

  [[nodiscard]] size_t size() const { return engines_.size(); }
  // Every engine's live() summed, plus the requests no engine has taken yet as waiting.
  [[nodiscard]] Engine::LiveStats live() const;
  // Each engine's served() and graph_report().
  [[nodiscard]] Engine& engine(size_t index) { return *engines_.at(index); }

 private:
  std::shared_ptr<RequestQueue> queue_;
  std::vector<std::unique_ptr<Engine>> engines_;
};

}  // namespace evalflow::torch_local
