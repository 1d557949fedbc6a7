// torch_local: the async inferencer node over LocalModel. submit() turns a record into a request in the
// queue of the model's engines (one per device); the engine that serves it completes the ticket when the
// sequence finishes, on its own thread.
#include <embedded/kTorchLocalOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <memory>
#include <string>

#include "local_model.hpp"

namespace {

namespace sdk = evalflow::sdk;
using evalflow::torch_local::FinishReason;
using evalflow::torch_local::GenerationOptions;
using evalflow::torch_local::GenerationResult;
using evalflow::torch_local::LocalModel;
using evalflow::torch_local::LocalModelOptions;

// Without a tokenizer (token-id pipelines, random-weight benchmarks) the prediction is the ids,
// space-separated.
std::string ids_text(const std::vector<int64_t>& ids) {
  std::string text;
  for (int64_t id : ids) text += (text.empty() ? "" : " ") + std::to_string(id);
  return text;
}

std::string input_field(const sdk::json& options) {
  return options.value("input", std::string("messages"));
}

class TorchLocalNode {
 public:
  TorchLocalNode(const sdk::json& options, const sdk::NodeInfo& info)
      : input_(input_field(options)), info_(info) {
    try {
      model_ = std::make_unique<LocalModel>(LocalModelOptions::from_json(options, info.pipeline_dir));
    } catch (const std::exception& error) {
      throw sdk::Error(EF_INVALID_ARGUMENT, "torch_local (" + info.node_name + "): " + error.what());
    }
    if (input_ != "prompt_ids" && !model_->has_tokenizer()) {
      throw sdk::Error(EF_INVALID_ARGUMENT,
                       "torch_local (" + info.node_name + "): input '" + input_ +
                           "' needs tokenizer.json in the model folder or tokenizer_path");
    }
    generation_ = model_->options().generation;
    info.log(EF_LOG_INFO, "torch_local: " + model_->config().model_type + ", " + model_->engines_summary());
  }

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    const std::string input = input_field(options);
    reads.add(input, input == "prompt" ? EF_TYPE_STRING : EF_TYPE_LIST);
  }

  // Sequences the engines run at once: the host holds the rest back, sharing the slots between datasets, so
  // a stopping run has nothing queued here.
  [[nodiscard]] int64_t capacity() const {
    return model_->options().scheduler.max_sequences * static_cast<int64_t>(model_->engine_count());
  }

  // For the run's live progress: sequences running, waiting (queued or preempted) and preempted so far, the
  // tokens generated (a counter: shown as tokens/s) and the share of the KV pool in use.
  [[nodiscard]] sdk::json stats() const {
    const auto live = model_->live();
    const int64_t kv_used_pct = live.kv_positions > 0 ? 100 * live.kv_used_positions / live.kv_positions : 0;
    return {{"running", live.running},
            {"queued", live.waiting},
            {"preempted", live.preemptions},
            {"tokens_total", live.generated_tokens},
            {"kv_used_pct", kv_used_pct}};
  }

  void submit(sdk::Ticket ticket) {
    sdk::Record record = ticket.record();
    std::vector<int64_t> prompt_ids;
    if (input_ == "messages") {
      const auto messages = record.value("messages");
      if (!messages || !messages->is_array())
        throw sdk::invalid_argument("field 'messages' is missing or not a list");
      prompt_ids = model_->encode_messages(*messages);
    } else if (input_ == "prompt") {
      prompt_ids = model_->encode_text(std::string(record.require_string("prompt")));
    } else {
      const auto ids = record.value("prompt_ids");
      if (!ids || !ids->is_array())
        throw sdk::invalid_argument("field 'prompt_ids' is missing or not a list");
      prompt_ids = ids->get<std::vector<int64_t>>();
    }
    const uint64_t key = (static_cast<uint64_t>(record.index()) << 20) ^
                         static_cast<uint64_t>(record.replica()) ^
                         std::hash<std::string_view>{}(record.dataset());
    auto request = model_->make_request(std::move(prompt_ids), generation_, key);
    auto pending = std::make_shared<sdk::Ticket>(ticket);
    request.on_finish = [this, pending](GenerationResult result) { complete(*pending, result); };
    model_->engines().submit(std::move(request));
  }

  void flush() { model_->engines().drain(); }

 private:
  void complete(sdk::Ticket& ticket, const GenerationResult& result) {
    if (result.finish_reason == FinishReason::kError) {
      // A request the scheduler refused fails its record; a failed step (out of memory) stops the run.
      ticket.fail(result.request_invalid ? EF_INVALID_ARGUMENT : EF_ABORTED,
                  "torch_local (" + info_.node_name + "): " + result.error);
      return;
    }
    try {
      sdk::Record record = ticket.record();
      record.set("prediction", model_->has_tokenizer() ? model_->completion_text(result.tokens, generation_)
                                                       : ids_text(result.tokens));
      record.set("finish_reason", evalflow::torch_local::finish_reason_name(result.finish_reason));
      record.set("prompt_tokens", result.prompt_tokens);
      record.set("completion_tokens", static_cast<int64_t>(result.tokens.size()));
      record.set_value("timing", sdk::json{{"queued_s", result.queued_s},
                                           {"time_to_first_token_s", result.time_to_first_token_s},
                                           {"generation_s", result.generation_s}});
      ticket.succeed();
    } catch (const std::exception& error) {
      ticket.fail(EF_INTERNAL, "torch_local (" + info_.node_name + "): " + error.what());
    }
  }

  std::string input_;
  sdk::NodeInfo info_;
  GenerationOptions generation_;
  std::unique_ptr<LocalModel> model_;
};

const ef_field kWrites[] = {{"prediction", EF_TYPE_STRING},
                            {"finish_reason", EF_TYPE_STRING},
                            {"prompt_tokens", EF_TYPE_INT},
                            {"completion_tokens", EF_TYPE_INT},
                            {"timing", EF_TYPE_MAP}};

const ef_node_type kTorchLocal = sdk::async_node_type<TorchLocalNode>({
    .name = "torch_local",
    .description = "Local Qwen2/Llama inference on libtorch (CPU or CUDA) with continuous batching",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kTorchLocalOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("torch_local", "1.0.0", "MIT", "Local LLM inference on libtorch", &kTorchLocal)
