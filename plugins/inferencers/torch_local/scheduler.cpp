#include "scheduler.hpp"

#include <algorithm>
#include <stdexcept>

#if TORCH_LOCAL_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace evalflow::torch_local {
namespace {

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

int64_t sequence_limit(const Transformer& model, const SchedulerOptions& options) {
  const int64_t limit = model.config().max_position_embeddings;
  return options.max_sequence_length > 0 ? std::min(options.max_sequence_length, limit) : limit;
}

// Bytes the cache may take on the model's GPU: gpu_memory_utilization of the device, less what is in use
// (the weights, other processes) and an estimate of a step's activations (logits of a full batch, a prefill
// chunk's MLP) that the cache must leave room for.
int64_t gpu_cache_budget(const Transformer& model, const SchedulerOptions& options) {
#if TORCH_LOCAL_WITH_CUDA
  const c10::cuda::CUDAGuard guard(model.options().device());
  // Memory the caching allocator holds but does not use (an earlier engine's cache) counts as free.
  c10::cuda::CUDACachingAllocator::emptyCache();
  size_t free_bytes = 0;
  size_t total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) {
    throw std::runtime_error("cannot read the GPU's free memory to size the KV cache: set kv_cache_tokens");
  }
  const ModelConfig& config = model.config();
  const int64_t element = static_cast<int64_t>(c10::elementSize(model.options().dtype().toScalarType()));
  const int64_t activations =
      3 * options.max_sequences * config.vocab_size * 4 +
      options.prefill_chunk_tokens * (4 * config.intermediate_size + 8 * config.hidden_size) * element * 2 +
      (int64_t{1} << 30);
  const auto allowed =
      static_cast<int64_t>(options.gpu_memory_utilization * static_cast<double>(total_bytes));
  return allowed - static_cast<int64_t>(total_bytes - free_bytes) - activations;
#else
  (void)model, (void)options;
  throw std::logic_error("this build has no CUDA: set kv_cache_tokens");
#endif
}

int64_t cache_blocks(const Transformer& model, const SchedulerOptions& options, int64_t max_length) {
  const int64_t block_size = options.kv_block_size;
  if (block_size < 1) throw std::invalid_argument("kv_block_size must be at least 1");
  if (options.kv_cache_tokens > 0) return KvCache::blocks_for(options.kv_cache_tokens, block_size);
  if (!model.options().device().is_cuda()) {
    return options.max_sequences * KvCache::blocks_for(max_length, block_size);
  }
  const int64_t budget = gpu_cache_budget(model, options);
  const int64_t blocks =
      budget / KvCache::block_bytes(model.config(), block_size, model.options().dtype().toScalarType());
  if (blocks < KvCache::blocks_for(max_length, block_size)) {
    throw std::runtime_error(
        "the GPU has room for " + std::to_string(std::max<int64_t>(blocks, 0) * block_size) +
        " cached positions after the weights at gpu_memory_utilization " +
        std::to_string(options.gpu_memory_utilization) + ", fewer than one sequence of max_sequence_length " +
        std::to_string(max_length) + ": lower max_sequence_length or raise gpu_memory_utilization");
  }
  return blocks;
}

int64_t context_length(const GenerationRequest& request, const std::vector<int64_t>& generated) {
  return static_cast<int64_t>(request.prompt_ids.size() + generated.size());
}

}  // namespace

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kError:
      return "error";
  }
  return "error";
}

Scheduler::Scheduler(const Transformer& model, const SchedulerOptions& options)
    : model_(model),
      options_(options),
      max_length_(sequence_limit(model, options)),
      cache_(model.config(), cache_blocks(model, options, max_length_), options.kv_block_size,
             model.options()) {
  running_.reserve(static_cast<size_t>(options.max_sequences));
  if (options.cuda_graphs && DecodeGraphs::available(model.options().device())) {
    graphs_ = std::make_unique<DecodeGraphs>(model, cache_, options.max_sequences);
  }
}

void Scheduler::add(GenerationRequest request) {
  const auto prompt_length = static_cast<int64_t>(request.prompt_ids.size());
  if (prompt_length == 0) throw std::invalid_argument("the prompt is empty");
  if (prompt_length >= max_length_) {
    throw std::invalid_argument("the prompt has " + std::to_string(prompt_length) +
                                " tokens, which leaves no room to generate in a sequence of at most " +
                                std::to_string(max_length_) + " tokens (raise max_sequence_length)");
  }
  const int64_t vocab = model_.config().vocab_size;
  for (int64_t id : request.prompt_ids) {
    if (id < 0 || id >= vocab) {
      throw std::invalid_argument("prompt token id " + std::to_string(id) +
                                  " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
    }
  }
  if (request.max_tokens < 1) throw std::invalid_argument("max_tokens must be at least 1");
  // A sequence must fit the cache alone, or preemption could never make room for it.
  const int64_t longest = std::min(prompt_length + request.max_tokens, max_length_);
  if (KvCache::blocks_for(longest, cache_.block_size()) > cache_.usable_blocks()) {
    throw std::invalid_argument("a sequence of up to " + std::to_string(longest) +
                                " tokens does not fit the KV cache of " +
                                std::to_string(cache_.usable_blocks() * cache_.block_size()) +
                                " positions (raise kv_cache_tokens or gpu_memory_utilization, or lower "
                                "max_tokens)");
  }
  Sequence sequence;
  sequence.request = std::move(request);
  sequence.queued_at = Clock::now();
  waiting_.push_back(std::move(sequence));
}

void Scheduler::step() {
  admit_and_prefill();
  release_finished();
  grow_or_preempt();
  decode();
  release_finished();
}

KvCacheReport Scheduler::kv_report() const {
  return {cache_.block_size(), cache_.usable_blocks(), cache_.peak_used_blocks(), preemptions_};
}

void Scheduler::admit_and_prefill() {
  const size_t first_new = running_.size();
  // First come, first served: admission stops at the first request whose context does not fit, keeping
  // one free block per running sequence for its next token.
  while (!waiting_.empty() && static_cast<int64_t>(running_.size()) < options_.max_sequences) {
    Sequence& next = waiting_.front();
    const int64_t context = context_length(next.request, next.generated);
    const int64_t needed = KvCache::blocks_for(context, cache_.block_size());
    const auto headroom = static_cast<int64_t>(running_.size());
    if (needed + headroom > cache_.free_blocks() && !running_.empty()) break;
    if (!cache_.reserve(next.blocks, context)) break;
    if (next.admitted_at == Clock::time_point{}) next.admitted_at = Clock::now();
    running_.push_back(std::move(next));
    waiting_.pop_front();
  }
  if (running_.size() == first_new) return;

  // Contexts (the prompt, and what a preempted sequence had generated) are packed into forward passes of at
  // most prefill_chunk_tokens; a long one spans several, each attending to the part already cached. The
  // last pass of a context yields the logits of its next token.
  std::vector<at::Tensor> next_logits;
  std::vector<Sequence*> prefilled;
  size_t next = first_new;
  int64_t offset = 0;
  while (next < running_.size()) {
    std::vector<SequenceChunk> chunks;
    std::vector<int64_t> tokens;
    std::vector<int64_t> completing_rows;
    int64_t budget = std::max<int64_t>(options_.prefill_chunk_tokens, 1);
    while (next < running_.size() && budget > 0) {
      Sequence& sequence = running_[next];
      const auto prompt_length = static_cast<int64_t>(sequence.request.prompt_ids.size());
      const int64_t context = context_length(sequence.request, sequence.generated);
      const int64_t take = std::min(budget, context - offset);
      chunks.push_back({&sequence.blocks, offset, take});
      for (int64_t p = offset; p < offset + take; ++p) {
        tokens.push_back(p < prompt_length ? sequence.request.prompt_ids[static_cast<size_t>(p)]
                                           : sequence.generated[static_cast<size_t>(p - prompt_length)]);
      }
      offset += take;
      budget -= take;
      if (offset == context) {
        completing_rows.push_back(static_cast<int64_t>(chunks.size()) - 1);
        prefilled.push_back(&sequence);
        ++next;
        offset = 0;
      }
    }
    work_.prefill_tokens += static_cast<int64_t>(tokens.size());
    const at::Tensor logits = model_.forward(tokens, chunks, cache_);
    if (!completing_rows.empty()) {
      next_logits.push_back(logits.index_select(0, at::tensor(completing_rows).to(logits.device())));
    }
  }
  append_tokens(prefilled, at::cat(next_logits));
}

// Each running sequence needs room for the position its newest token takes in this step's decode.
void Scheduler::grow_or_preempt() {
  for (size_t i = 0; i < running_.size(); ++i) {
    Sequence& sequence = running_[i];
    while (!cache_.reserve(sequence.blocks, context_length(sequence.request, sequence.generated))) {
      // add() guarantees a sequence fits alone, so the loop ends before preempting this one.
      preempt_newest();
      if (i >= running_.size()) return;
    }
  }
}

void Scheduler::preempt_newest() {
  Sequence& victim = running_.back();
  cache_.release(victim.blocks);
  ++preemptions_;
  waiting_.push_front(std::move(victim));
  running_.pop_back();
}

void Scheduler::decode() {
  if (running_.empty()) return;
  std::vector<SequenceChunk> chunks;
  std::vector<int64_t> tokens;
  std::vector<int64_t> positions;
  std::vector<const BlockTable*> tables;
  std::vector<Sequence*> sequences;
  for (Sequence& sequence : running_) {
    const int64_t length = context_length(sequence.request, sequence.generated);
    chunks.push_back({&sequence.blocks, length - 1, 1});
    work_.decode_context_positions += length;
    tokens.push_back(sequence.generated.back());
    positions.push_back(length - 1);
    tables.push_back(&sequence.blocks);
    sequences.push_back(&sequence);
  }
  ++work_.decode_steps;
  if (graphs_) {
    try {
      append_tokens(sequences, graphs_->step(tokens, positions, tables));
      return;
    } catch (const std::exception& error) {
      // The step is redone eagerly below: a graph step writes the same cache entries.
      graph_failure_ = error.what();
      graphs_.reset();
    }
  }
  append_tokens(sequences, model_.forward(tokens, chunks, cache_));
}
void Scheduler::append_tokens(std::span<Sequence*> sequences, const at::Tensor& logits) {
  std::vector<SamplingParams> params;
  std::vector<int64_t> steps;
  for (const Sequence* sequence : sequences) {
    params.push_back(sequence->request.sampling);
    steps.push_back(static_cast<int64_t>(sequence->request.prompt_ids.size() + sequence->generated.size()));
  }
  // The one host synchronisation per step: stop checks need the tokens.
  const at::Tensor tokens = sample_tokens(logits, params, steps).to(at::kCPU);
  const auto* token_data = tokens.data_ptr<int64_t>();
  const auto now = Clock::now();
  generated_tokens_ += static_cast<int64_t>(sequences.size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    Sequence& sequence = *sequences[i];
    const int64_t token = token_data[i];
    if (sequence.generated.empty()) sequence.first_token_at = now;
    sequence.generated.push_back(token);
    const auto& stops = sequence.request.stop_token_ids;
    const int64_t length = context_length(sequence.request, sequence.generated);
    if (std::find(stops.begin(), stops.end(), token) != stops.end() ||
        (sequence.request.stop_check && sequence.request.stop_check(sequence.generated))) {
      finish(sequence, FinishReason::kStop);
    } else if (static_cast<int64_t>(sequence.generated.size()) >= sequence.request.max_tokens ||
               length >= max_length_) {
      finish(sequence, FinishReason::kLength);
    }
  }
}

void Scheduler::finish(Sequence& sequence, FinishReason reason, const std::string& error) {
  sequence.finished = true;
  sequence.reason = reason;
  GenerationResult result;
  result.tokens = sequence.generated;
  result.finish_reason = reason;
  result.prompt_tokens = static_cast<int64_t>(sequence.request.prompt_ids.size());
  result.error = error;
  const auto now = Clock::now();
  if (sequence.admitted_at != Clock::time_point{}) {
    result.queued_s = seconds_between(sequence.queued_at, sequence.admitted_at);
    result.generation_s = seconds_between(sequence.admitted_at, now);
    if (!sequence.generated.empty()) {
      result.time_to_first_token_s = seconds_between(sequence.admitted_at, sequence.first_token_at);
    }
  }
  if (sequence.request.on_finish) sequence.request.on_finish(std::move(result));
}

void Scheduler::release_finished() {
  for (Sequence& sequence : running_) {
    if (sequence.finished) cache_.release(sequence.blocks);
  }
  std::erase_if(running_, [](const Sequence& sequence) { return sequence.finished; });
}

void Scheduler::fail_all(const std::string& message) {
  for (Sequence& sequence : running_) {
    if (!sequence.finished) finish(sequence, FinishReason::kError, message);
    cache_.release(sequence.blocks);
  }
  running_.clear();
  for (Sequence& sequence : waiting_) finish(sequence, FinishReason::kError, message);
  waiting_.clear();
}

}  // namespace evalflow::torch_local
