// Continuous batching (gpt-fast's generate loop, widened to many requests): every step admits waiting
// requests into free cache slots and prefills them, then decodes one token for every running sequence. A
// sequence that finishes leaves at once and the last running sequence moves into its slot, so the running
// sequences always fill slots 0..n-1 and a waiting request joins at the next step.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "decode_graphs.hpp"
#include "kv_cache.hpp"
#include "sampler.hpp"
#include "transformer.hpp"

namespace evalflow::torch_local {

enum class FinishReason { kStop, kLength, kError };

const char* finish_reason_name(FinishReason reason);

struct GenerationResult {
  std::vector<int64_t> tokens;  // generated tokens; a stop token that ended generation is included
  FinishReason finish_reason = FinishReason::kLength;
  int64_t prompt_tokens = 0;
  double time_to_first_token_s = 0;  // from admission into the batch
  double generation_s = 0;
  double queued_s = 0;           // from add() to admission
  std::string error;             // set when finish_reason is kError
  bool request_invalid = false;  // the error is the request's (refused at admission), not the engine's
};

struct GenerationRequest {
  std::vector<int64_t> prompt_ids;
  SamplingParams sampling;
  int64_t max_tokens = 256;
  std::vector<int64_t> stop_token_ids;  // e.g. the model's EOS ids
  // Optional: true once the generated tokens end a stop string (the caller decodes them).
  std::function<bool(std::span<const int64_t> generated)> stop_check;
  std::function<void(GenerationResult)> on_finish;  // called once, on the scheduler's thread
};

struct SchedulerOptions {
  int64_t max_sequences = 8;            // cache slots: sequences decoded together
  int64_t max_sequence_length = 0;      // tokens per slot, prompt included; 0 = the model's max positions
  int64_t prefill_chunk_tokens = 2048;  // tokens per prefill forward pass (bounds attention memory)
  bool cuda_graphs = true;              // replay decode steps from CUDA graphs where the device allows
};

class Scheduler {
 public:
  Scheduler(const Transformer& model, const SchedulerOptions& options);

  // Queues a request. Throws std::invalid_argument for an empty prompt or one that leaves no room to
  // generate in a cache slot.
  void add(GenerationRequest request);
  // Admits and prefills what fits, then decodes one token for every running sequence.
  void step();
  // Ends every running and waiting request with `message` (after a failed step).
  void fail_all(const std::string& message);

  [[nodiscard]] bool idle() const { return running_.empty() && waiting_.empty(); }
  // Requests it can take now without queueing behind others: free batch slots not claimed by a waiting
  // request. Several engines fed from one queue take work only up to this.
  [[nodiscard]] int64_t free_slots() const {
    return options_.max_sequences - static_cast<int64_t>(running_.size() + waiting_.size());
  }
  // Why decode steps stopped using CUDA graphs (a failed capture), or empty.
  [[nodiscard]] const std::string& graph_failure() const { return graph_failure_; }
  [[nodiscard]] int64_t graph_captures() const { return graphs_ ? graphs_->captures() : 0; }
  [[nodiscard]] double graph_capture_seconds() const { return graphs_ ? graphs_->capture_seconds() : 0.0; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Sequence {
    GenerationRequest request;
    std::vector<int64_t> generated;
    Clock::time_point queued_at;
    Clock::time_point admitted_at;
    Clock::time_point first_token_at;
    bool finished = false;
    FinishReason reason = FinishReason::kLength;
  };

  void admit_and_prefill();
  void decode();
  void append_tokens(std::span<Sequence*> sequences, const at::Tensor& logits);
  void release_finished();
  void finish(Sequence& sequence, FinishReason reason, const std::string& error = {});

  const Transformer& model_;
  SchedulerOptions options_;
  KvCache cache_;
  std::unique_ptr<DecodeGraphs> graphs_;  // null where graphs are off or unavailable
  std::string graph_failure_;
  std::deque<Sequence> waiting_;
  std::vector<Sequence> running_;  // running_[i] owns cache slot i
};

}  // namespace evalflow::torch_local
