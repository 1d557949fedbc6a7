// Continuous batching over a paged KV cache (gpt-fast's generate loop, widened to many requests, with
// vLLM's block memory): every step admits waiting requests, first come first served, while a batch slot
// and the cache blocks for their context are free, prefills them, then decodes one token for every running
// sequence, which takes a new block each time it crosses a block boundary. When no block is free, the most
// recently admitted sequence is preempted: its blocks are freed and it waits at the head of the queue with
// the tokens it has, to be prefilled again (recomputed) when memory allows. Sampling noise depends only on
// (seed, step), so a preempted sequence continues exactly as it would have.
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
  int64_t max_sequences = 8;            // sequences decoded together
  int64_t max_sequence_length = 0;      // tokens per sequence, prompt included; 0 = the model's max positions
  int64_t prefill_chunk_tokens = 2048;  // tokens per prefill forward pass (bounds attention memory)
  bool cuda_graphs = true;              // replay decode steps from CUDA graphs where the device allows
  int64_t kv_block_size = 16;           // positions per cache block
  // Positions the cache holds over all sequences. 0 = on CUDA, what gpu_memory_utilization of the GPU
  // leaves after the weights; on the CPU, max_sequences x max_sequence_length.
  int64_t kv_cache_tokens = 0;
  double gpu_memory_utilization = 0.9;  // share of the GPU's memory the process may fill (weights included)
};

// How the cache was used (benchmarks and logs).
struct KvCacheReport {
  int64_t block_size = 0;
  int64_t blocks = 0;            // usable blocks
  int64_t peak_used_blocks = 0;  // most blocks held at once
  int64_t preemptions = 0;       // sequences sent back to wait for memory
};

// What the forward passes so far had to compute and read, from which a benchmark derives the bandwidth
// limit of a run (weights read once per decode step, plus every running sequence's KV).
struct StepWork {
  int64_t decode_steps = 0;
  int64_t decode_context_positions = 0;  // summed over steps: the KV positions each sequence attended to
  int64_t prefill_tokens = 0;            // prompts, and the contexts of preempted sequences recomputed
};

class Scheduler {
 public:
  Scheduler(const Transformer& model, const SchedulerOptions& options);

  // Queues a request. Throws std::invalid_argument for an empty prompt, ids outside the vocabulary, or a
  // sequence that could not fit the whole cache even alone.
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
  [[nodiscard]] KvCacheReport kv_report() const;
  // For the run's live progress.
  [[nodiscard]] int64_t running() const { return static_cast<int64_t>(running_.size()); }
  [[nodiscard]] int64_t waiting() const { return static_cast<int64_t>(waiting_.size()); }
  [[nodiscard]] int64_t preemptions() const { return preemptions_; }
  [[nodiscard]] int64_t generated_tokens() const { return generated_tokens_; }
  [[nodiscard]] int64_t used_blocks() const { return cache_.usable_blocks() - cache_.free_blocks(); }
  [[nodiscard]] const StepWork& work() const { return work_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Sequence {
    GenerationRequest request;
    std::vector<int64_t> generated;
    BlockTable blocks;  // empty while waiting
    Clock::time_point queued_at;
    Clock::time_point admitted_at;
    Clock::time_point first_token_at;
    bool finished = false;
    FinishReason reason = FinishReason::kLength;
  };

  void admit_and_prefill();
  void grow_or_preempt();
  void preempt_newest();
  void decode();
  void append_tokens(std::span<Sequence*> sequences, const at::Tensor& logits);
  void release_finished();
  void finish(Sequence& sequence, FinishReason reason, const std::string& error = {});

  const Transformer& model_;
  SchedulerOptions options_;
  int64_t max_length_;  // tokens per sequence, prompt included
  KvCache cache_;
  int64_t preemptions_ = 0;
  int64_t generated_tokens_ = 0;
  StepWork work_;
  std::unique_ptr<DecodeGraphs> graphs_;  // null where graphs are off or unavailable
  std::string graph_failure_;
  std::deque<Sequence> waiting_;
  std::vector<Sequence> running_;  // in order of admission
};

}  // namespace evalflow::torch_local
