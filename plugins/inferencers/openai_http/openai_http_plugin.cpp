// openai_http: the inferencer for OpenAI-compatible servers, an async node over the engine's event loop;
// perf_summary: the aggregate that turns the records' `timing` maps into AISBench's performance summary.
#include <embedded/kOpenAiHttpOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <evalflow/url_credentials.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client_config.hpp"
#include "http_client.hpp"
#include "model_discovery.hpp"
#include "perf_summary.hpp"
#include "request_builder.hpp"

namespace {

namespace sdk = evalflow::sdk;
namespace oh = evalflow::openai_http;

oh::ClientConfig config_from(const sdk::json& options) {
  try {
    oh::ClientConfig config = oh::parse_client_config(options, oh::process_environment);
    if (config.model.empty()) config.model = oh::discover_model(config);
    return config;
  } catch (const std::invalid_argument& error) {
    throw sdk::invalid_argument(error.what());
  } catch (const std::runtime_error& error) {
    throw sdk::Error(EF_UNAVAILABLE, error.what());
  }
}

class OpenAiHttpNode {
 public:
  OpenAiHttpNode(const sdk::json& options, sdk::NodeInfo info)
      : info_(std::move(info)),
        config_(config_from(options)),
        builder_(make_builder(config_)),
        client_(config_, std::string(builder_.path())) {
    // Says where requests go, never with the key.
    info_.log(EF_LOG_INFO,
              "POST " + evalflow::strip_url_credentials(config_.base_urls.front()) +
                  std::string(builder_.path()) +
                  (config_.base_urls.size() > 1
                       ? " (and " + std::to_string(config_.base_urls.size() - 1) + " more endpoints)"
                       : "") +
                  ", model " + config_.model + (config_.stream ? ", streaming" : "") + ", batch_size " +
                  std::to_string(config_.concurrency));
  }

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    if (options.value("mode", "chat") == "completions") {
      reads.add("prompt", EF_TYPE_STRING);
    } else {
      reads.add("messages", EF_TYPE_LIST);
    }
  }

  void submit(sdk::Ticket ticket) {
    const std::string body = request_body(ticket.record());
    client_.submit(body, [this, ticket](oh::CompletionResult&& result) mutable { complete(ticket, result); });
  }

  void flush() { client_.wait_idle(); }

  // Requests in flight (batch_size): the host holds the rest back, sharing the slots between datasets.
  [[nodiscard]] int64_t capacity() const { return config_.concurrency; }

 private:
  static oh::RequestBuilder make_builder(const oh::ClientConfig& config) {
    try {
      return {config.mode, config.model, config.stream, config.generation_kwargs};
    } catch (const std::invalid_argument& error) {
      throw sdk::invalid_argument(error.what());
    }
  }

  [[nodiscard]] std::string request_body(const sdk::Record& record) const {
    if (config_.mode == oh::ApiMode::kCompletions)
      return builder_.completion_body(record.require_string("prompt"));
    if (record.type("messages") != EF_TYPE_LIST) {
      throw sdk::invalid_argument("field 'messages' is missing or not a list: put a prompt_template before " +
                                  info_.node_name + ", or use mode: completions with a `prompt` field");
    }
    // The messages go into the body as the JSON text the host gives, without a parse and a dump.
    std::string messages;
    auto append = [](void* context, const char* data, size_t size) {
      static_cast<std::string*>(context)->append(data, size);
    };
    sdk::host().get_json(record.raw(), "messages", append, &messages);
    return builder_.chat_body(messages);
  }

  // Runs on the event-loop thread; completes the ticket exactly once.
  void complete(sdk::Ticket& ticket, oh::CompletionResult& result) {
    try {
      sdk::Record record = ticket.record();
      const bool ok = result.code == EF_OK;
      record.set_value("timing", result.timing.to_json(client_.wall_clock(), ok));
      if (!ok) {
        ticket.fail(result.code, result.error);
        return;
      }
      const oh::Completion& completion = result.completion;
      record.set("prediction", completion.prediction());
      record.set("finish_reason", completion.finish_reason);
      if (!completion.completion_tokens && !warned_no_usage_.exchange(true)) {
        info_.log(EF_LOG_WARNING,
                  "the server reports no token usage: completion_tokens counts stream events instead, "
                  "prompt_tokens is 0");
      }
      record.set("prompt_tokens", completion.prompt_tokens.value_or(0));
      record.set("completion_tokens", completion.completion_tokens.value_or(completion.token_events));
      ticket.succeed();
    } catch (const std::exception& error) {
      if (ticket.pending())
        ticket.fail(EF_INTERNAL, std::string("writing the answer into the record: ") + error.what());
    }
  }

  sdk::NodeInfo info_;
  oh::ClientConfig config_;
  oh::RequestBuilder builder_;
  std::atomic<bool> warned_no_usage_{false};
  oh::HttpClient client_;  // last: destroyed first, so that no callback outlives the members it uses
};

class PerfSummaryNode {
 public:
  PerfSummaryNode(const sdk::json& /*options*/, const sdk::NodeInfo& /*info*/) {}

  void process(const sdk::Record& record) {
    const std::optional<sdk::json> timing = record.value("timing");
    requests_.push_back(oh::RequestPerf::from_record_fields(timing ? &*timing : nullptr,
                                                            record.integer("completion_tokens")));
  }

  // Under one key, so that it never overwrites the accuracy metrics of the same dataset.
  [[nodiscard]] sdk::json report() const { return {{"perf", oh::summarize_perf(requests_)}}; }

 private:
  std::vector<oh::RequestPerf> requests_;
};

const ef_field kInferencerWrites[] = {{"prediction", EF_TYPE_STRING},
                                      {"finish_reason", EF_TYPE_STRING},
                                      {"prompt_tokens", EF_TYPE_INT},
                                      {"completion_tokens", EF_TYPE_INT},
                                      {"timing", EF_TYPE_MAP}};

const ef_node_type kOpenAiHttp = sdk::async_node_type<OpenAiHttpNode>({
    .name = "openai_http",
    .description =
        "Sends each record to an OpenAI-compatible server (chat or completions, streaming or not) with "
        "retries, rate limits and per-request timings",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kInferencerWrites,
    .options_schema = kOpenAiHttpOptionsSchema,
});

const ef_field kPerfReads[] = {{"timing", EF_TYPE_MAP}, {"completion_tokens", EF_TYPE_INT}};

const ef_node_type kPerfSummary = sdk::aggregate_node_type<PerfSummaryNode>({
    .name = "perf_summary",
    .description =
        "Request and token throughput, and TTFT, TPOT, ITL and E2E latency statistics, from `timing`",
    .reads = kPerfReads,
});

}  // namespace

EVALFLOW_PLUGIN("openai_http", "1.0.0", "MIT",
                "OpenAI-compatible HTTP inferencer and its performance summary", &kOpenAiHttp, &kPerfSummary)
