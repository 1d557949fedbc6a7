#include "scheduler.hpp"

#include <algorithm>
#include <stdexcept>

namespace evalflow::torch_local {
namespace {

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

int64_t slot_capacity(const Transformer& model, const SchedulerOptions& options) {
  const int64_t limit = model.config().max_position_embeddings;
  return options.max_sequence_length > 0 ? std::min(options.max_sequence_length, limit) : limit;
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
      cache_(model.config(), options.max_sequences, slot_capacity(model, options), model.options()) {
  running_.reserve(static_cast<size_t>(options.max_sequences));
  if (options.cuda_graphs && DecodeGraphs::available(model.options().device())) {
    graphs_ = std::make_unique<DecodeGraphs>(model, cache_);
  }
}

void Scheduler::add(GenerationRequest request) {
  const auto prompt_length = static_cast<int64_t>(request.prompt_ids.size());
  if (prompt_length == 0) throw std::invalid_argument("the prompt is empty");
  if (prompt_length >= cache_.capacity()) {
    throw std::invalid_argument("the prompt has " + std::to_string(prompt_length) +
                                " tokens, which leaves no room to generate in a sequence of at most " +
                                std::to_string(cache_.capacity()) + " tokens (raise max_sequence_length)");
  }
  const int64_t vocab = model_.config().vocab_size;
  for (int64_t id : request.prompt_ids) {
    if (id < 0 || id >= vocab) {
      throw std::invalid_argument("prompt token id " + std::to_string(id) +
                                  " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
    }
  }
  if (request.max_tokens < 1) throw std::invalid_argument("max_tokens must be at least 1");
  Sequence sequence;
  sequence.request = std::move(request);
  sequence.queued_at = Clock::now();
  waiting_.push_back(std::move(sequence));
}

void Scheduler::step() {
  admit_and_prefill();
  release_finished();
  decode();
  release_finished();
}

void Scheduler::admit_and_prefill() {
  const size_t first_new = running_.size();
  while (!waiting_.empty() && static_cast<int64_t>(running_.size()) < options_.max_sequences) {
    running_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
    running_.back().admitted_at = Clock::now();
  }
  if (running_.size() == first_new) return;

  // Prompts are packed into forward passes of at most prefill_chunk_tokens; a long prompt spans several,
  // each attending to the part already cached. The last pass of a prompt yields its first token's logits.
  std::vector<at::Tensor> first_logits;
  std::vector<Sequence*> prefilled;
  size_t next = first_new;
  int64_t offset = 0;
  while (next < running_.size()) {
    std::vector<SequenceChunk> chunks;
    std::vector<int64_t> tokens;
    std::vector<int64_t> completing_rows;
    int64_t budget = std::max<int64_t>(options_.prefill_chunk_tokens, 1);
    while (next < running_.size() && budget > 0) {
      const auto& prompt = running_[next].request.prompt_ids;
      const int64_t take = std::min(budget, static_cast<int64_t>(prompt.size()) - offset);
      chunks.push_back({static_cast<int64_t>(next), offset, take});
      tokens.insert(tokens.end(), prompt.begin() + offset, prompt.begin() + offset + take);
      offset += take;
      budget -= take;
      if (offset == static_cast<int64_t>(prompt.size())) {
        completing_rows.push_back(static_cast<int64_t>(chunks.size()) - 1);
        prefilled.push_back(&running_[next]);
        ++next;
        offset = 0;
      }
    }
    const at::Tensor logits = model_.forward(tokens, chunks, cache_);
    if (!completing_rows.empty()) {
      first_logits.push_back(logits.index_select(0, at::tensor(completing_rows).to(logits.device())));
    }
  }
  append_tokens(prefilled, at::cat(first_logits));
}

void Scheduler::decode() {
  if (running_.empty()) return;
  std::vector<SequenceChunk> chunks;
  std::vector<int64_t> tokens;
  std::vector<int64_t> positions;
  std::vector<Sequence*> sequences;
  for (size_t slot = 0; slot < running_.size(); ++slot) {
    Sequence& sequence = running_[slot];
    const auto length = static_cast<int64_t>(sequence.request.prompt_ids.size() + sequence.generated.size());
    chunks.push_back({static_cast<int64_t>(slot), length - 1, 1});
    tokens.push_back(sequence.generated.back());
    positions.push_back(length - 1);
    sequences.push_back(&sequence);
  }
  if (graphs_) {
    try {
      append_tokens(sequences, graphs_->step(tokens, positions));
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
  for (size_t i = 0; i < sequences.size(); ++i) {
    Sequence& sequence = *sequences[i];
    const int64_t token = token_data[i];
    if (sequence.generated.empty()) sequence.first_token_at = now;
    sequence.generated.push_back(token);
    const auto& stops = sequence.request.stop_token_ids;
    const auto length = static_cast<int64_t>(sequence.request.prompt_ids.size() + sequence.generated.size());
    if (std::find(stops.begin(), stops.end(), token) != stops.end() ||
        (sequence.request.stop_check && sequence.request.stop_check(sequence.generated))) {
      finish(sequence, FinishReason::kStop);
    } else if (static_cast<int64_t>(sequence.generated.size()) >= sequence.request.max_tokens ||
               length >= cache_.capacity()) {
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
  for (size_t slot = running_.size(); slot-- > 0;) {
    if (!running_[slot].finished) continue;
    const size_t last = running_.size() - 1;
    if (slot != last) {
      const Sequence& moving = running_[last];
      const auto cached =
          static_cast<int64_t>(moving.request.prompt_ids.size() + moving.generated.size()) - 1;
      cache_.move_slot(static_cast<int64_t>(last), static_cast<int64_t>(slot), cached);
      running_[slot] = std::move(running_[last]);
    }
    running_.pop_back();
  }
}

void Scheduler::fail_all(const std::string& message) {
  for (Sequence& sequence : running_) {
    if (!sequence.finished) finish(sequence, FinishReason::kError, message);
  }
  running_.clear();
  for (Sequence& sequence : waiting_) finish(sequence, FinishReason::kError, message);
  waiting_.clear();
}

}  // namespace evalflow::torch_local
