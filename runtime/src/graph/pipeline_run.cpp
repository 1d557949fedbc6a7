#include "graph/pipeline_run.hpp"

#include <fmt/format.h>
#include <oneapi/tbb/flow_graph.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>

#include "graph/node_instance.hpp"
#include "graph/progress.hpp"
#include "report/results.hpp"
#include "store/run_directory.hpp"
#include "store/run_log.hpp"

namespace fs = std::filesystem;
namespace flow = tbb::flow;
using nlohmann::json;

namespace evalflow {

namespace {

// Lightweight: a body runs in the thread that hands it the record, saving a task per node and record.
using FunctionNode = flow::function_node<RecordPtr, RecordPtr, flow::queueing_lightweight>;
using AsyncNode = flow::async_node<RecordPtr, RecordPtr>;
using SinkNode = flow::function_node<RecordPtr, flow::continue_msg>;

// The fields copied back from a finished prediction row when resuming.
constexpr const char* kInferenceFields[] = {"prediction", "finish_reason", "prompt_tokens",
                                            "completion_tokens", "timing"};
// The fields a prediction row carries besides AISBench's own.
constexpr const char* kReportedFields[] = {
    "finish_reason", "prompt_tokens", "completion_tokens", "timing", "truncated", "extracted", "correct"};

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int /*signal*/) {
  g_interrupted.store(true);
}

flow::node_priority_t no_priority() {
  return flow::no_priority;
}

size_t concurrency_of(const ef_node_type& type) {
  if (type.concurrency == EF_CONCURRENCY_UNLIMITED) return flow::unlimited;
  return static_cast<size_t>(type.concurrency);
}

// Shared state of one run: the fatal-error flag every node checks.
struct RunState {
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::string abort_reason;
  RunLog* log = nullptr;

  void abort(const std::string& reason) {
    {
      const std::lock_guard lock(mutex);
      if (abort_reason.empty()) abort_reason = reason;
    }
    stopping.store(true);
    log->write("run", EF_LOG_ERROR, "stopping the run: " + reason);
  }
  [[nodiscard]] bool should_stop() const { return stopping.load() || g_interrupted.load(); }
};

void fail_record(Record& record, RunState& run, const std::string& node, const ef_status& status,
                 bool during_inference) {
  if (status.code == EF_ABORTED) run.abort(fmt::format("node '{}': {}", node, status.message));
  record.failure = Record::Failure{node, status.message, status.code, during_inference};
}

struct Lane {
  size_t index = 0;
  const ResolvedDataset* dataset = nullptr;
  const ResolvedModel* model = nullptr;  // null when the dataset has no model node
  std::string model_abbr;
  std::shared_ptr<const std::string> dataset_abbr;
  std::unique_ptr<NodeInstance> source;
  std::vector<std::unique_ptr<NodeInstance>> before_model;
  std::vector<std::unique_ptr<NodeInstance>> after_model;
  std::vector<std::unique_ptr<NodeInstance>> metrics;
  std::map<SampleKey, json> finished;
  std::unique_ptr<JsonlAppender> predictions;
  std::unique_ptr<JsonlAppender> failures;
  LaneProgress progress;
  LaneResult result;

  // Source iteration: the current sample and how many of its replicas were emitted.
  RecordPtr current;
  int32_t next_replica = 0;
  int64_t prompts = 0;

  std::unique_ptr<flow::input_node<RecordPtr>> input;
  std::unique_ptr<flow::limiter_node<RecordPtr>> limiter;
  std::vector<std::unique_ptr<FunctionNode>> functions_before;
  std::vector<std::unique_ptr<FunctionNode>> functions_after;
  std::unique_ptr<SinkNode> sink;
  flow::receiver<RecordPtr>* after_model_entry = nullptr;
};

struct ModelSlot {
  const ResolvedModel* model = nullptr;
  std::unique_ptr<NodeInstance> instance;
  std::unique_ptr<AsyncNode> async;
  std::unique_ptr<FunctionNode> function;
  std::unique_ptr<flow::function_node<RecordPtr, flow::continue_msg, flow::queueing_lightweight>> router;
};

std::string short_hash(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:06x}", hash & 0xffffff);
}

class Runner {
 public:
  Runner(const ValidatedPipeline& pipeline, const RunOptions& options, RunDirectory run_dir)
      : pipeline_(pipeline), options_(options), run_dir_(std::move(run_dir)), log_(run_dir_.logs()) {
    state_.log = &log_;
  }

  Result<RunReport> run() {
    if (auto written = write_config(); !written) return Error{written.error()};
    log_.write("run", EF_LOG_INFO,
               fmt::format("{} {} in {}", options_.resume ? "resuming" : "starting",
                           pipeline_.spec.name.empty() ? std::string("pipeline") : pipeline_.spec.name,
                           run_dir_.root().string()));
    if (auto created = create_instances(); !created) return Error{created.error()};
    build_graph();
    const auto previous_handler = std::signal(SIGINT, on_interrupt);
    {
      std::vector<LaneProgress*> progress;
      for (auto& lane : lanes_) progress.push_back(&lane->progress);
      ProgressReporter reporter(progress, options_.show_progress);
      for (auto& lane : lanes_) lane->input->activate();
      graph_.wait_for_all();
    }
    std::signal(SIGINT, previous_handler);
    if (g_interrupted.load())
      state_.abort("interrupted (Ctrl-C); resume with --resume " + run_dir_.root().string());
    return finish();
  }

 private:
  Status write_config() {
    std::ofstream out(run_dir_.configs() / "pipeline.yaml");
    out << "# The resolved pipeline of this run; secrets redacted.\n"
        << redacted_yaml(pipeline_.spec.document.value);
    return out ? ok_status()
               : Status(Error{"cannot write " + (run_dir_.configs() / "pipeline.yaml").string()});
  }

  std::unique_ptr<NodeContext> context_for(const ResolvedNode& node, const std::string& display_name,
                                           const std::string& dataset, const std::string& model) {
    auto context = std::make_unique<NodeContext>();
    context->node_name = display_name;
    context->dataset_abbr = dataset;
    context->model_abbr = model;
    context->pipeline_dir = node.spec.base_dir.string();
    context->run_dir = run_dir_.root().string();
    context->log = [this, display_name](ef_log_level level, const std::string& message) {
      log_.write(display_name, level, message);
    };
    return context;
  }

  Result<std::unique_ptr<NodeInstance>> instantiate(const ResolvedNode& node, const std::string& dataset,
                                                    const std::string& model) {
    const std::string name = model.empty() ? node.display_name : model + "." + node.display_name;
    return NodeInstance::create(node, context_for(node, name, dataset, model));
  }

  Status create_instances() {
    const bool infer = options_.mode != RunMode::kEval;
    for (const auto& model : pipeline_.models) {
      auto slot = std::make_unique<ModelSlot>();
      slot->model = &model;
      if (infer) {
        auto instance = NodeInstance::create(model.node, context_for(model.node, model.abbr, "", model.abbr));
        if (!instance) return Error{instance.error()};
        slot->instance = std::move(*instance);
      }
      models_.push_back(std::move(slot));
    }
    for (size_t m = 0; m < std::max<size_t>(pipeline_.models.size(), 1); ++m) {
      for (const auto& dataset : pipeline_.datasets) {
        const ResolvedModel* model = pipeline_.models.empty() ? nullptr : &pipeline_.models[m];
        if (auto created = create_lane(dataset, model); !created) return created;
      }
    }
    return ok_status();
  }

  Status create_lane(const ResolvedDataset& dataset, const ResolvedModel* model) {
    auto lane = std::make_unique<Lane>();
    lane->index = lanes_.size();
    lane->dataset = &dataset;
    lane->model = dataset.model_position >= 0 ? model : nullptr;
    lane->model_abbr = model != nullptr ? model->abbr : "no-model";
    lane->dataset_abbr = std::make_shared<const std::string>(dataset.spec.abbr);
    lane->progress.label = fmt::format("{}/{}", lane->model_abbr, dataset.spec.abbr);
    lane->result.model = lane->model_abbr;
    lane->result.dataset = dataset.spec.abbr;
    lane->result.expected = dataset.spec.expected;
    const std::string& abbr = dataset.spec.abbr;
    auto source = instantiate(dataset.chain[0], abbr, lane->model_abbr);
    if (!source) return Error{source.error()};
    lane->source = std::move(*source);
    const int model_position = dataset.model_position;
    const bool score = options_.mode != RunMode::kInfer;
    std::string inference_config = model != nullptr ? model->node.options_json : "";
    for (size_t i = 1; i < dataset.chain.size(); ++i) {
      const int position = static_cast<int>(i);
      if (position == model_position) continue;
      const bool before = model_position < 0 || position < model_position;
      if (!before && !score) continue;
      auto instance = instantiate(dataset.chain[i], abbr, lane->model_abbr);
      if (!instance) return Error{instance.error()};
      if (before) inference_config += dataset.chain[i].options_json;
      (before ? lane->before_model : lane->after_model).push_back(std::move(*instance));
    }
    lane->result.version = short_hash(dataset.chain[0].options_json + inference_config);
    if (score) {
      for (const auto& metric : dataset.metrics) {
        auto instance = instantiate(metric, abbr, lane->model_abbr);
        if (!instance) return Error{instance.error()};
        lane->metrics.push_back(std::move(*instance));
      }
    }
    const bool resuming = options_.resume.has_value() || options_.mode == RunMode::kEval;
    const fs::path predictions = run_dir_.predictions(lane->model_abbr, abbr);
    if (resuming) {
      auto finished = read_finished_predictions(predictions);
      if (!finished) return Error{finished.error()};
      lane->finished = std::move(*finished);
    }
    auto appender = JsonlAppender::open(predictions, /*truncate=*/false);
    if (!appender) return Error{appender.error()};
    lane->predictions = std::move(*appender);
    // Failed rows are retried by a resumed run, so the old list of failures starts afresh.
    auto failures =
        JsonlAppender::open(run_dir_.failed_predictions(lane->model_abbr, abbr), /*truncate=*/true);
    if (!failures) return Error{failures.error()};
    lane->failures = std::move(*failures);
    const int64_t rows = lane->source->count();
    if (rows >= 0) {
      const int64_t prompts = dataset.spec.num_prompts ? std::min(rows, *dataset.spec.num_prompts) : rows;
      lane->progress.total = prompts * dataset.spec.samples;
    }
    lanes_.push_back(std::move(lane));
    return ok_status();
  }

  RecordPtr next_record(Lane& lane, tbb::flow_control& control) {
    const DatasetSpec& spec = lane.dataset->spec;
    while (true) {
      if (state_.should_stop()) break;
      if (lane.current && lane.next_replica < spec.samples) {
        auto record = lane.next_replica + 1 == spec.samples ? std::exchange(lane.current, nullptr)
                                                            : std::make_shared<Record>(*lane.current);
        record->replica = lane.next_replica++;
        attach_finished(lane, *record);
        return record;
      }
      if (spec.num_prompts && lane.prompts >= *spec.num_prompts) break;
      auto record = std::make_shared<Record>();
      record->dataset = lane.dataset_abbr;
      record->lane = static_cast<int>(lane.index);
      record->index = lane.prompts;
      auto produced = lane.source->next(*record);
      if (!produced) {
        state_.abort(fmt::format("dataset '{}': loader '{}' failed: {}", spec.abbr, lane.source->name(),
                                 produced.error()));
        break;
      }
      if (!*produced) break;
      ++lane.prompts;
      lane.current = std::move(record);
      lane.next_replica = 0;
    }
    control.stop();
    return {};
  }

  void attach_finished(Lane& lane, Record& record) {
    auto it = lane.finished.find({record.index, record.replica});
    if (it == lane.finished.end()) {
      if (options_.mode == RunMode::kEval) {
        record.failure = Record::Failure{
            "eval", "no prediction for this sample in " + run_dir_.root().string(), EF_NOT_FOUND, true};
      }
      return;
    }
    record.resumed = true;
    for (const char* field : kInferenceFields) {
      if (it->second.contains(field)) record.at(field) = it->second[field];
    }
  }

  std::unique_ptr<FunctionNode> function_node(NodeInstance* instance, bool inference) {
    return std::make_unique<FunctionNode>(
        graph_, concurrency_of(instance->type()),
        [this, instance, inference](RecordPtr record) {
          if (record->failure || (inference && record->resumed)) return record;
          if (state_.should_stop()) {
            record->failure = Record::Failure{instance->name(), "run stopped", EF_CANCELLED, inference};
            return record;
          }
          if (StatusPtr status = instance->process(*record)) {
            fail_record(*record, state_, instance->name(), *status, inference);
          }
          return record;
        },
        no_priority());
  }

  void build_model_nodes(ModelSlot& slot) {
    if (!slot.instance) return;
    NodeInstance* instance = slot.instance.get();
    if (instance->type().kind == EF_NODE_FUNCTION) {
      slot.function = function_node(instance, /*inference=*/true);
    } else {
      slot.async = std::make_unique<AsyncNode>(
          graph_, flow::unlimited,
          [this, instance](const RecordPtr& record, AsyncNode::gateway_type& gateway) {
            if (record->failure || record->resumed) {
              gateway.try_put(record);
              return;
            }
            if (state_.should_stop()) {
              record->failure = Record::Failure{instance->name(), "run stopped", EF_CANCELLED, true};
              gateway.try_put(record);
              return;
            }
            gateway.reserve_wait();
            auto* ticket =
                new ef_ticket{record, [this, &gateway, instance](RecordPtr done, StatusPtr status) {
                                if (status) fail_record(*done, state_, instance->name(), *status, true);
                                gateway.try_put(done);
                                gateway.release_wait();
                              }};
            if (StatusPtr status = instance->submit(ticket)) {
              // The plugin refused the record without completing its ticket.
              host_api().complete(ticket, status.release());
            }
          });
    }
    slot.router =
        std::make_unique<flow::function_node<RecordPtr, flow::continue_msg, flow::queueing_lightweight>>(
            graph_, flow::unlimited, [this](const RecordPtr& record) {
              lanes_[record->lane]->after_model_entry->try_put(record);
              return flow::continue_msg();
            });
    if (slot.async) flow::make_edge(*slot.async, *slot.router);
    if (slot.function) flow::make_edge(*slot.function, *slot.router);
  }

  void build_graph() {
    std::map<const ResolvedModel*, ModelSlot*> slot_of;
    for (auto& slot : models_) {
      build_model_nodes(*slot);
      slot_of[slot->model] = slot.get();
    }
    for (auto& lane_ptr : lanes_) {
      Lane& lane = *lane_ptr;
      lane.input = std::make_unique<flow::input_node<RecordPtr>>(
          graph_, [this, &lane](tbb::flow_control& control) { return next_record(lane, control); });
      lane.limiter = std::make_unique<flow::limiter_node<RecordPtr>>(
          graph_, static_cast<size_t>(pipeline_.spec.records_in_flight));
      flow::make_edge(*lane.input, *lane.limiter);
      flow::sender<RecordPtr>* tail = lane.limiter.get();
      for (auto& instance : lane.before_model) {
        lane.functions_before.push_back(function_node(instance.get(), /*inference=*/false));
        flow::make_edge(*tail, *lane.functions_before.back());
        tail = lane.functions_before.back().get();
      }
      lane.sink = std::make_unique<SinkNode>(graph_, flow::serial, [this, &lane](const RecordPtr& record) {
        finish_record(lane, *record);
        return flow::continue_msg();
      });
      flow::make_edge(*lane.sink, lane.limiter->decrementer());
      // After the model: scoring nodes, then the sink.
      flow::receiver<RecordPtr>* after_entry = lane.sink.get();
      flow::sender<RecordPtr>* after_tail = nullptr;
      for (auto& instance : lane.after_model) {
        lane.functions_after.push_back(function_node(instance.get(), /*inference=*/false));
        if (after_tail == nullptr) {
          after_entry = lane.functions_after.back().get();
        } else {
          flow::make_edge(*after_tail, *lane.functions_after.back());
        }
        after_tail = lane.functions_after.back().get();
      }
      if (after_tail != nullptr) flow::make_edge(*after_tail, *lane.sink);
      lane.after_model_entry = after_entry;
      ModelSlot* slot = lane.model != nullptr ? slot_of[lane.model] : nullptr;
      if (slot == nullptr || (!slot->async && !slot->function)) {
        // No inference in this lane (no model, or --mode eval): straight on to scoring.
        flow::make_edge(*tail, *after_entry);
      } else if (slot->async) {
        flow::make_edge(*tail, *slot->async);
      } else {
        flow::make_edge(*tail, *slot->function);
      }
    }
  }

  json prediction_row(const Lane& lane, const Record& record) const {
    json row;
    row["data_abbr"] = *lane.dataset_abbr;
    row["id"] = record.index;
    row["replica"] = record.replica;
    row["success"] = !record.failure.has_value() || !record.failure->during_inference;
    if (const json* messages = record.find("messages")) {
      row["origin_prompt"] = *messages;
    } else if (const json* prompt = record.find("prompt")) {
      row["origin_prompt"] = *prompt;
    }
    if (const json* prediction = record.find("prediction")) row["prediction"] = *prediction;
    if (const json* gold = record.find("gold")) row["gold"] = *gold;
    for (const char* field : kReportedFields) {
      if (const json* value = record.find(field)) row[field] = *value;
    }
    if (record.failure) {
      row[record.failure->during_inference ? "error_info" : "eval_error"] =
          fmt::format("{}: {}", record.failure->node, record.failure->message);
    }
    return row;
  }

  void finish_record(Lane& lane, Record& record) {
    ++lane.result.total;
    if (record.resumed) ++lane.result.resumed;
    const bool inference_failed = record.failure && record.failure->during_inference;
    if (inference_failed) {
      ++lane.result.failed;
      ++lane.progress.failed;
      lane.failures->append(prediction_row(lane, record));
      log_.write(lane.progress.label, EF_LOG_WARNING,
                 fmt::format("sample {} replica {} failed in {}: {}", record.index, record.replica,
                             record.failure->node, record.failure->message));
    } else {
      if (!record.resumed && options_.mode != RunMode::kEval)
        lane.predictions->append(prediction_row(lane, record));
      if (record.failure) {
        ++lane.result.eval_failed;
        ++lane.progress.failed;
        log_.write(lane.progress.label, EF_LOG_WARNING,
                   fmt::format("sample {} replica {}: scoring failed in {}: {}", record.index, record.replica,
                               record.failure->node, record.failure->message));
      } else {
        for (auto& metric : lane.metrics) {
          if (StatusPtr status = metric->process(record)) {
            ++lane.result.eval_failed;
            log_.write(
                metric->name(), EF_LOG_WARNING,
                fmt::format("sample {} replica {}: {}", record.index, record.replica, status->message));
          }
        }
      }
    }
    ++lane.progress.done;
  }

  Result<RunReport> finish() {
    RunReport report;
    report.run_dir = run_dir_.root();
    auto flush = [&](NodeInstance& instance) {
      if (StatusPtr status = instance.flush()) log_.write(instance.name(), EF_LOG_ERROR, status->message);
    };
    for (auto& slot : models_) {
      if (slot->instance) flush(*slot->instance);
    }
    for (auto& lane : lanes_) {
      lane->predictions->flush();
      lane->failures->flush();
      for (auto& instance : lane->before_model) flush(*instance);
      for (auto& instance : lane->after_model) flush(*instance);
      for (auto& metric : lane->metrics) {
        auto metrics = metric->report();
        if (!metrics) {
          log_.write(metric->name(), EF_LOG_ERROR, metrics.error());
          continue;
        }
        lane->result.metrics.update(*metrics);
      }
      if (options_.mode != RunMode::kInfer) {
        if (auto written =
                write_results(run_dir_.results(lane->model_abbr, lane->dataset->spec.abbr), lane->result);
            !written) {
          return Error{written.error()};
        }
      }
      report.lanes.push_back(lane->result);
    }
    report.abort_reason = state_.abort_reason;
    return report;
  }

  const ValidatedPipeline& pipeline_;
  const RunOptions& options_;
  RunDirectory run_dir_;
  RunLog log_;
  RunState state_;
  flow::graph graph_;
  std::vector<std::unique_ptr<ModelSlot>> models_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace

Result<RunReport> run_pipeline(const ValidatedPipeline& pipeline, const RunOptions& options) {
  auto run_dir = options.resume ? RunDirectory::open(*options.resume)
                 : options.mode == RunMode::kEval
                     ? Result<RunDirectory>(Error{"--mode eval needs --resume RUN_DIR "
                                                  "(the run whose predictions to score)"})
                     : RunDirectory::create(options.work_dir);
  if (!run_dir) return Error{run_dir.error()};
  Runner runner(pipeline, options, std::move(*run_dir));
  return runner.run();
}

}  // namespace evalflow
