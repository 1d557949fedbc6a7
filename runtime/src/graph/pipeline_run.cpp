#include "graph/pipeline_run.hpp"

#include <fmt/format.h>
#include <oneapi/tbb/flow_graph.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "graph/interrupt.hpp"
#include "graph/model_dispatcher.hpp"
#include "graph/node_instance.hpp"
#include "graph/progress.hpp"
#include "report/results.hpp"
#include "store/prediction_row.hpp"
#include "store/prediction_store.hpp"
#include "store/run.hpp"
#include "store/run_config.hpp"
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
using ForwardNode = flow::function_node<RecordPtr, flow::continue_msg, flow::queueing_lightweight>;

// How often the run flushes predictions to disk and looks at signals.
constexpr std::chrono::milliseconds kMonitorPeriod{100};
// Per-sample failures echoed on the terminal per lane; the rest go to logs/run.log only.
constexpr int64_t kEchoedFailures = 5;

flow::node_priority_t no_priority() {
  return flow::no_priority;
}

size_t concurrency_of(const ef_node_type& type) {
  if (type.concurrency == EF_CONCURRENCY_UNLIMITED) return flow::unlimited;
  return static_cast<size_t>(type.concurrency);
}

// Shared state of one run: the stop flags every node checks.
struct RunState {
  std::atomic<bool> aborting{false};      // a fatal error
  std::atomic<bool> stop_feeding{false};  // Ctrl-C, SIGTERM or a fatal error: nothing new is sent
  std::mutex mutex;
  std::string abort_reason;
  RunLog* log = nullptr;

  void abort(const std::string& reason) {
    {
      const std::lock_guard lock(mutex);
      if (!abort_reason.empty()) return;
      abort_reason = reason;
    }
    aborting.store(true);
    stop_feeding.store(true);
    log->write("run", EF_LOG_ERROR, "stopping the run: " + reason);
  }
  [[nodiscard]] bool stopping() const { return stop_feeding.load(); }
};

void fail_record(Record& record, RunState& run, const std::string& node, const ef_status& status,
                 bool during_inference) {
  if (status.code == EF_ABORTED) run.abort(fmt::format("node '{}': {}", node, status.message));
  record.failure = Record::Failure{node, status.message, status.code, during_inference};
}

std::string short_hash(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:06x}", hash & 0xffffff);
}

// A node's options as the benchmark's definition sees them: each file a path option names stands for its
// contents, so the version follows the data and not how its path is spelled.
std::string definition_of(const ResolvedNode& node) {
  json options = json::parse(node.options_json, nullptr, false);
  if (!options.is_object()) return node.spec.type + node.options_json;
  for (const auto& name : option_roles(node).paths) {
    if (!options.contains(name)) continue;
    const json& value = options[name];
    std::string contents;
    for (const auto& path : value.is_array() ? value : json::array({value})) {
      if (!path.is_string()) continue;
      fs::path file = path.get<std::string>();
      if (file.is_relative()) file = node.spec.base_dir / file;
      std::ifstream in(file, std::ios::binary);
      contents += short_hash(std::string(std::istreambuf_iterator<char>(in), {}));
    }
    options[name] = contents;
  }
  return node.spec.type + options.dump();
}

// The judge's part of the benchmark's definition: its type and options (the model it names, its generation
// settings), without where and how it is reached (host, port, key variable, retries: "x-connection").
std::string judge_definition_of(const ResolvedNode& node) {
  json options = json::parse(node.options_json, nullptr, false);
  if (!options.is_object()) return "judge:" + node.spec.type + node.options_json;
  erase_connection_options(node, options);
  return "judge:" + node.spec.type + options.dump();
}

struct Lane {
  size_t index = 0;
  const ResolvedDataset* dataset = nullptr;
  size_t dataset_position = 0;           // in the pipeline, for the shard rule
  const ResolvedModel* model = nullptr;  // null when the dataset has no model node
  std::string model_abbr;
  std::shared_ptr<const std::string> dataset_abbr;
  std::unique_ptr<NodeInstance> source;
  std::vector<std::unique_ptr<NodeInstance>> before_model;
  std::vector<std::unique_ptr<NodeInstance>> after_model;
  int judge_step = -1;  // `use: judge` stands before after_model[judge_step]; -1 when the lane has no judge
  std::vector<std::unique_ptr<NodeInstance>> metrics;
  std::unique_ptr<PredictionStore> store;
  LaneProgress progress;
  LaneResult result;
  int64_t echoed_failures = 0;

  // Source iteration: the current sample and how many of its replicas were emitted.
  RecordPtr current;
  int32_t next_replica = 0;
  int64_t prompts = 0;

  // The sink's state; sealed once the run stops at once, after which the sink changes nothing.
  std::mutex sink_mutex;
  bool sealed = false;

  std::unique_ptr<flow::input_node<RecordPtr>> input;
  std::unique_ptr<flow::limiter_node<RecordPtr>> limiter;
  std::vector<std::unique_ptr<FunctionNode>> functions_before;
  std::unique_ptr<ForwardNode> gate;
  std::vector<std::unique_ptr<FunctionNode>> functions_after;
  std::vector<std::unique_ptr<AsyncNode>> async_after;
  std::unique_ptr<SinkNode> sink;
  std::unique_ptr<ForwardNode> judge_gate;
  flow::receiver<RecordPtr>* after_model_entry = nullptr;
  flow::receiver<RecordPtr>* after_judge_entry = nullptr;
};

struct ModelSlot {
  const ResolvedModel* model = nullptr;
  bool judge = false;  // the judge: it is handed a call record of the judge_* fields (judge_call)
  std::unique_ptr<NodeInstance> instance;
  std::unique_ptr<ModelDispatcher> dispatcher;
  std::unique_ptr<AsyncNode> async;
  std::unique_ptr<FunctionNode> function;
  std::unique_ptr<ForwardNode> router;
};

class Runner {
 public:
  Runner(const ValidatedPipeline& pipeline, const RunOptions& options, std::unique_ptr<Run> run)
      : pipeline_(pipeline), options_(options), run_(std::move(run)), log_(run_->directory().logs()) {
    state_.log = &log_;
  }

  Result<RunReport> run() {
    const std::string root = run_->directory().root().string();
    log_.write(
        "run", EF_LOG_INFO,
        fmt::format("{} {} in {}", run_->resuming() ? "resuming" : "starting",
                    pipeline_.spec.name.empty() ? std::string("pipeline") : pipeline_.spec.name, root));
    if (auto created = create_instances(); !created) {
      run_->discard_if_empty();
      return Error{created.error()};
    }
    build_graph();
    warn_about_perf_without_streaming();
    RunReport report;
    {
      const InterruptWatch interrupts;
      std::vector<LaneProgress*> progress;
      for (auto& lane : lanes_) progress.push_back(&lane->progress);
      std::vector<ModelProgress> models;
      for (const auto& slot : models_) {
        if (!slot->instance || slot->instance->stats().is_null()) continue;
        NodeInstance* instance = slot->instance.get();
        models.push_back({slot->model->abbr, [instance] { return instance->stats(); }});
      }
      ProgressReporter reporter(progress, options_.show_progress, std::move(models));
      log_.set_echo([&reporter](const std::string& line) { reporter.message(line); });
      for (auto& lane : lanes_) lane->input->activate();
      report.abandoned = !wait_for_graph(reporter);
      report.interrupted = InterruptWatch::signals() > 0;
      log_.set_echo(nullptr);
    }
    if (report.interrupted) {
      log_.write(
          "run", EF_LOG_WARNING,
          fmt::format("interrupted: finished samples are kept; `evalflow run --resume {}` carries on", root));
    }
    return finish(std::move(report));
  }

 private:
  // Runs the graph to its end, flushing predictions as they come and acting on signals. False when the run
  // was stopped at once (second signal, grace period over) with samples still at the model.
  bool wait_for_graph(ProgressReporter& reporter) {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread graph_thread([&] {
      graph_.wait_for_all();
      const std::lock_guard lock(mutex);
      done = true;
      finished.notify_all();
    });
    std::optional<std::chrono::steady_clock::time_point> deadline;
    bool abandoned = false;
    std::unique_lock lock(mutex);
    while (!finished.wait_for(lock, kMonitorPeriod, [&] { return done; })) {
      lock.unlock();
      flush_stores();
      const int signals = InterruptWatch::signals();
      if ((signals > 0 || state_.stopping()) && !deadline) {
        deadline = std::chrono::steady_clock::now() + options_.grace_period;
        stop_sending();
      }
      if (deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(*deadline - std::chrono::steady_clock::now());
        const std::string why =
            signals > 0 ? (InterruptWatch::last_signal() == SIGTERM ? "SIGTERM" : "Ctrl-C") : "a fatal error";
        reporter.set_status(
            fmt::format("stopping ({}): no new requests; {} in flight may finish within {}s; {}", why,
                        in_flight(), std::max<int64_t>(left.count(), 0),
                        signals > 0 ? "Ctrl-C again to stop now" : "Ctrl-C to stop now"));
        if (signals >= 2 || (signals == 1 && state_.aborting.load()) ||
            std::chrono::steady_clock::now() >= *deadline) {
          abandoned = true;
          seal_sinks();
          reporter.set_status("");
          reporter.message(
              fmt::format("evalflow: stopped at once; {} sample(s) in flight were dropped and will be "
                          "sent again by --resume",
                          in_flight()));
          lock.lock();
          break;
        }
      }
      lock.lock();
    }
    lock.unlock();
    if (abandoned) {
      graph_thread.detach();
    } else {
      graph_thread.join();
    }
    reporter.set_status("");
    return !abandoned;
  }

  [[nodiscard]] int64_t in_flight() const {
    int64_t count = 0;
    for (const auto& lane : lanes_) count += lane->progress.in_flight ? lane->progress.in_flight() : 0;
    return count;
  }

  void stop_sending() {
    state_.stop_feeding.store(true);
    for (auto& slot : models_) {
      if (slot->dispatcher) slot->dispatcher->stop();
    }
  }

  void seal_sinks() {
    for (auto& lane : lanes_) {
      const std::lock_guard lock(lane->sink_mutex);
      lane->sealed = true;
    }
    flush_stores();
  }

  void flush_stores() {
    for (auto& lane : lanes_) {
      if (auto flushed = lane->store->flush(); !flushed) state_.abort(flushed.error());
    }
  }

  void warn_about_perf_without_streaming() {
    if (options_.mode != RunMode::kPerf) return;
    for (const auto& model : pipeline_.models) {
      const json options = json::parse(model.node.options_json, nullptr, false);
      const json schema = json::parse(model.node.type.type->options_schema, nullptr, false);
      const bool streams = options.is_object() && options.value("stream", false);
      const bool can_stream = schema.is_object() && schema.contains("properties") &&
                              schema["properties"].is_object() && schema["properties"].contains("stream");
      if (can_stream && !streams) {
        log_.write(
            model.abbr, EF_LOG_WARNING,
            "--mode perf: the model is not streamed, so time to first token, time per output token and "
            "inter-token latency cannot be measured (count 0); set -s model.stream=true");
      }
    }
  }

  std::unique_ptr<NodeContext> context_for(const ResolvedNode& node, const std::string& display_name,
                                           const std::string& dataset, const std::string& model) {
    auto context = std::make_unique<NodeContext>();
    context->node_name = display_name;
    context->dataset_abbr = dataset;
    context->model_abbr = model;
    context->pipeline_dir = node.spec.base_dir.string();
    context->run_dir = run_->directory().root().string();
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
    // The judge scores, so --mode eval asks it too (for rows that lack its answer) and --mode infer does not;
    // a judge no chain uses is never started (its server need not be up).
    const bool judged =
        std::any_of(pipeline_.datasets.begin(), pipeline_.datasets.end(),
                    [](const ResolvedDataset& dataset) { return dataset.judge_position >= 0; });
    if (pipeline_.judge && !judged) {
      log_.write(pipeline_.judge->abbr, EF_LOG_WARNING,
                 "this judge is not used: no dataset's chain has `use: judge`, so it is not started");
    }
    if (pipeline_.judge && judged && options_.mode != RunMode::kInfer) {
      auto slot = std::make_unique<ModelSlot>();
      slot->model = &*pipeline_.judge;
      slot->judge = true;
      auto instance = NodeInstance::create(
          slot->model->node, context_for(slot->model->node, slot->model->abbr, "", slot->model->abbr));
      if (!instance) return Error{instance.error()};
      slot->instance = std::move(*instance);
      judge_slot_ = slot.get();
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
    lane->dataset_position = static_cast<size_t>(&dataset - pipeline_.datasets.data());
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
    // The version names the benchmark (data, prompt, scoring with the judge, samples), not the model or a
    // server.
    std::string definition =
        fmt::format("{}|{}|", dataset.spec.samples, dataset.spec.num_prompts.value_or(-1));
    for (size_t i = 0; i < dataset.chain.size(); ++i) {
      const int position = static_cast<int>(i);
      if (position == model_position) continue;
      if (position == dataset.judge_position) {
        if (pipeline_.judge) definition += judge_definition_of(pipeline_.judge->node) + "|";
        if (score) lane->judge_step = static_cast<int>(lane->after_model.size());
        continue;
      }
      definition += definition_of(dataset.chain[i]) + "|";
      if (i == 0) continue;
      const bool before = model_position < 0 || position < model_position;
      if (!before && !score) continue;
      auto instance = instantiate(dataset.chain[i], abbr, lane->model_abbr);
      if (!instance) return Error{instance.error()};
      (before ? lane->before_model : lane->after_model).push_back(std::move(*instance));
    }
    lane->result.version = short_hash(definition);
    if (score) {
      for (const auto& metric : dataset.metrics) {
        auto instance = instantiate(metric, abbr, lane->model_abbr);
        if (!instance) return Error{instance.error()};
        lane->metrics.push_back(std::move(*instance));
      }
    }
    const bool resuming = run_->resuming() || options_.mode == RunMode::kEval;
    auto store = PredictionStore::open(run_->directory(), lane->model_abbr, abbr, resuming,
                                       /*writable=*/options_.mode != RunMode::kEval);
    if (!store) return Error{store.error()};
    lane->store = std::move(*store);
    lane->result.failures_file = lane->store->failures_path();
    const int64_t rows = lane->source->count();
    if (rows >= 0) {
      const int64_t prompts = dataset.spec.num_prompts ? std::min(rows, *dataset.spec.num_prompts) : rows;
      const int64_t planned = options_.shard.owned(lane->dataset_position, prompts, dataset.spec.samples);
      lane->progress.total = planned;
      lane->result.planned = planned;
    }
    lanes_.push_back(std::move(lane));
    return ok_status();
  }

  RecordPtr next_record(Lane& lane, tbb::flow_control& control) {
    const DatasetSpec& spec = lane.dataset->spec;
    while (!state_.stopping()) {
      if (lane.current && lane.next_replica < spec.samples) {
        const int32_t replica = lane.next_replica++;
        if (!options_.shard.owns(lane.dataset_position, lane.current->index, replica, spec.samples)) continue;
        auto record = replica + 1 == spec.samples ? std::exchange(lane.current, nullptr)
                                                  : std::make_shared<Record>(*lane.current);
        record->replica = replica;
        return record;
      }
      if (spec.num_prompts && lane.prompts >= *spec.num_prompts) {
        lane.result.fed_all = true;
        break;
      }
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
      if (!*produced) {
        lane.result.fed_all = true;
        break;
      }
      ++lane.prompts;
      lane.current = std::move(record);
      lane.next_replica = 0;
    }
    control.stop();
    return {};
  }

  // At the model's place in the chain: a stored prediction made from the same content is reused (inference
  // skipped); --mode eval needs one for every sample.
  void attach_finished(Lane& lane, Record& record) {
    record.content_hash = sample_content_hash(record);
    const json* row = lane.store->finished({record.index, record.replica}, record.content_hash);
    if (row == nullptr) {
      if (options_.mode == RunMode::kEval) {
        record.failure =
            Record::Failure{"eval", "no prediction for this sample in " + run_->directory().root().string(),
                            EF_NOT_FOUND, true};
      }
      return;
    }
    record.resumed = true;
    // Everything the inferencer wrote comes back; with undeclared outputs, every field the record lacks.
    const std::vector<FieldDecl>* writes = lane.model != nullptr ? &lane.model->node.writes : nullptr;
    const bool any =
        writes == nullptr || std::any_of(writes->begin(), writes->end(),
                                         [](const FieldDecl& field) { return field.name == EF_ANY_FIELDS; });
    if (any) {
      for (const auto& [key, value] : row->items()) {
        if (key != "origin_prompt" && key != "data_abbr" && record.find(key) == nullptr)
          record.at(key) = value;
      }
      return;
    }
    for (const FieldDecl& field : *writes) {
      if (row->contains(field.name)) record.at(field.name) = (*row)[field.name];
    }
  }

  std::unique_ptr<FunctionNode> function_node(NodeInstance* instance, bool before_model) {
    return std::make_unique<FunctionNode>(
        graph_, concurrency_of(instance->type()),
        [this, instance, before_model](RecordPtr record) {
          if (record->failure || record->not_run) return record;
          // A stopping run sends nothing new: what has not reached the model is left for --resume.
          if (before_model && state_.stopping()) {
            record->not_run = true;
            return record;
          }
          if (StatusPtr status = instance->process(*record)) {
            fail_record(*record, state_, instance->name(), *status, before_model);
          }
          return record;
        },
        no_priority());
  }

  // A scoring node of the async kind (code_exec): the plugin works on its own threads and hands each record
  // back through the gateway, so slow scoring never holds the graph's threads that feed the model.
  std::unique_ptr<AsyncNode> async_scoring_node(NodeInstance* instance) {
    return std::make_unique<AsyncNode>(
        graph_, flow::unlimited, [this, instance](const RecordPtr& record, AsyncNode::gateway_type& gateway) {
          if (record->failure || record->not_run) {
            gateway.try_put(record);
            return;
          }
          gateway.reserve_wait();
          auto* ticket =
              new ef_ticket{record, [this, &gateway, instance](const RecordPtr& done, StatusPtr status) {
                              if (status) fail_record(*done, state_, instance->name(), *status, false);
                              gateway.try_put(done);
                              gateway.release_wait();
                            }};
          if (StatusPtr status = instance->submit(ticket)) host_api().complete(ticket, status.release());
        });
  }

  void build_model_nodes(ModelSlot& slot) {
    if (!slot.instance) return;
    NodeInstance* instance = slot.instance.get();
    if (instance->type().kind == EF_NODE_FUNCTION) {
      slot.function = function_node(instance, /*before_model=*/false);
    } else {
      slot.async = std::make_unique<AsyncNode>(
          graph_, flow::unlimited,
          [this, instance, &slot](const RecordPtr& record, AsyncNode::gateway_type& gateway) {
            gateway.reserve_wait();
            // A judge's failure (HTTP after retries) is a scoring failure: the model's answer is kept.
            auto* ticket = new ef_ticket{
                slot.judge ? judge_call(*record) : record,
                [this, &gateway, instance, &slot, record](const RecordPtr& done, StatusPtr status) {
                  if (slot.judge) take_judge_outputs(*done, *record);
                  if (status) fail_record(*record, state_, instance->name(), *status, !slot.judge);
                  const int lane = record->lane;
                  gateway.try_put(record);
                  slot.dispatcher->completed(lane);
                  gateway.release_wait();
                }};
            if (StatusPtr status = instance->submit(ticket)) {
              // The plugin refused the record without completing its ticket.
              host_api().complete(ticket, status.release());
            }
          });
      slot.dispatcher = std::make_unique<ModelDispatcher>(
          lanes_.size(), instance->capacity(),
          [&slot](const RecordPtr& record) { slot.async->try_put(record); },
          [this, &slot](const RecordPtr& record) {
            // Not asked because the run is stopping: a record without the judge's answer goes on to be
            // stored as unscored, and --resume asks the judge for it without asking the model again.
            if (slot.judge) {
              lanes_[record->lane]->after_judge_entry->try_put(record);
              return;
            }
            record->not_run = true;
            lanes_[record->lane]->sink->try_put(record);
          });
    }
    slot.router =
        std::make_unique<ForwardNode>(graph_, flow::unlimited, [this, &slot](const RecordPtr& record) {
          Lane& lane = *lanes_[record->lane];
          (slot.judge ? lane.after_judge_entry : lane.after_model_entry)->try_put(record);
          return flow::continue_msg();
        });
    if (slot.async) flow::make_edge(*slot.async, *slot.router);
    if (slot.function) flow::make_edge(*slot.function, *slot.router);
  }

  // The lane's way into its model: resumed, failed and stopped records skip it.
  void build_gate(Lane& lane, ModelSlot* slot) {
    lane.gate = std::make_unique<ForwardNode>(graph_, flow::unlimited, [this, &lane, slot](RecordPtr record) {
      if (!record->failure && !record->not_run) attach_finished(lane, *record);
      const bool skip_model = record->failure || record->not_run || record->resumed || slot == nullptr ||
                              (!slot->async && !slot->function);
      if (skip_model) {
        (record->not_run ? static_cast<flow::receiver<RecordPtr>*>(lane.sink.get()) : lane.after_model_entry)
            ->try_put(record);
      } else if (state_.stopping()) {
        record->not_run = true;
        lane.sink->try_put(record);
      } else if (slot->dispatcher) {
        slot->dispatcher->push(std::move(record));
      } else {
        slot->function->try_put(record);
      }
      return flow::continue_msg();
    });
    if (slot != nullptr && slot->dispatcher) {
      ModelDispatcher* dispatcher = slot->dispatcher.get();
      const int index = static_cast<int>(lane.index);
      lane.progress.in_flight = [dispatcher, index] { return dispatcher->in_flight(index); };
    }
  }

  // What the judge is handed: the record's judge_* inputs under the judge's own field names.
  [[nodiscard]] RecordPtr judge_call(const Record& record) const {
    auto call = std::make_shared<Record>();
    call->dataset = record.dataset;
    call->index = record.index;
    call->replica = record.replica;
    call->lane = record.lane;
    for (const FieldDecl& read : judge_slot_->model->node.reads) {
      if (const json* value = record.find(judge_field(read.name))) call->at(read.name) = *value;
    }
    return call;
  }

  void take_judge_outputs(const Record& call, Record& record) const {
    const auto& reads = judge_slot_->model->node.reads;
    for (const auto& field : call.fields) {
      const std::string& name = field.first;
      const bool input =
          std::any_of(reads.begin(), reads.end(), [&](const FieldDecl& read) { return read.name == name; });
      if (!input) record.at(judge_field(name)) = field.second;
    }
  }

  // A resumed record whose stored row holds the judge's answer (every field the judge declares it writes)
  // takes it back: the judge is not asked twice for one sample.
  bool reuse_judged(Lane& lane, Record& record) const {
    if (!record.resumed) return false;
    const json* row = lane.store->finished({record.index, record.replica}, record.content_hash);
    if (row == nullptr) return false;
    std::vector<std::string> outputs;
    for (const FieldDecl& write : judge_slot_->model->node.writes) {
      if (write.name != EF_ANY_FIELDS) outputs.push_back(judge_field(write.name));
    }
    if (outputs.empty()) outputs.push_back(judge_field("prediction"));
    if (!std::all_of(outputs.begin(), outputs.end(),
                     [&](const std::string& name) { return row->contains(name); }))
      return false;
    for (const auto& name : outputs) record.at(name) = (*row)[name];
    return true;
  }

  // A record without the judge's inputs (a cascade's judge_prompt renders none for answers the rule accepted)
  // is not sent.
  [[nodiscard]] bool has_judge_inputs(const Record& record) const {
    const auto& reads = judge_slot_->model->node.reads;
    return std::all_of(reads.begin(), reads.end(),
                       [&](const FieldDecl& read) { return record.find(judge_field(read.name)) != nullptr; });
  }

  void build_judge_gate(Lane& lane) {
    lane.judge_gate = std::make_unique<ForwardNode>(graph_, flow::unlimited, [this, &lane](RecordPtr record) {
      const bool ask = !record->failure && !record->not_run && !state_.stopping() &&
                       has_judge_inputs(*record) && !reuse_judged(lane, *record);
      if (!ask) {
        lane.after_judge_entry->try_put(record);
        return flow::continue_msg();
      }
      // A resumed row gets the judge's new answer: the sink stores it again, replacing the old row.
      record->resumed = false;
      judge_slot_->dispatcher->push(std::move(record));  // the validator admits async judges only
      return flow::continue_msg();
    });
  }

  // Chains the scoring steps [from, to) into `target`; returns where records enter (target when empty).
  static flow::receiver<RecordPtr>* chain_steps(
      const std::vector<std::pair<flow::receiver<RecordPtr>*, flow::sender<RecordPtr>*>>& steps, size_t from,
      size_t to, flow::receiver<RecordPtr>& target) {
    if (from == to) return &target;
    for (size_t i = from; i + 1 < to; ++i) flow::make_edge(*steps[i].second, *steps[i + 1].first);
    flow::make_edge(*steps[to - 1].second, target);
    return steps[from].first;
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
        lane.functions_before.push_back(function_node(instance.get(), /*before_model=*/true));
        flow::make_edge(*tail, *lane.functions_before.back());
        tail = lane.functions_before.back().get();
      }
      lane.sink = std::make_unique<SinkNode>(graph_, flow::unlimited, [this, &lane](const RecordPtr& record) {
        finish_record(lane, *record);
        return flow::continue_msg();
      });
      flow::make_edge(*lane.sink, lane.limiter->decrementer());
      // After the model: scoring nodes with the judge where the chain says `use: judge`, then the sink.
      std::vector<std::pair<flow::receiver<RecordPtr>*, flow::sender<RecordPtr>*>> steps;
      for (auto& instance : lane.after_model) {
        flow::receiver<RecordPtr>* receiver = nullptr;
        flow::sender<RecordPtr>* sender = nullptr;
        if (instance->type().kind == EF_NODE_ASYNC) {
          AsyncNode* node = lane.async_after.emplace_back(async_scoring_node(instance.get())).get();
          receiver = node;
          sender = &flow::output_port<0>(*node);  // an async_node's successors attach to its port only
        } else {
          FunctionNode* node =
              lane.functions_after.emplace_back(function_node(instance.get(), /*before_model=*/false)).get();
          receiver = node;
          sender = node;
        }
        steps.emplace_back(receiver, sender);
      }
      if (lane.judge_step < 0) {
        lane.after_model_entry = chain_steps(steps, 0, steps.size(), *lane.sink);
      } else {
        const auto judge_step = static_cast<size_t>(lane.judge_step);
        lane.after_judge_entry = chain_steps(steps, judge_step, steps.size(), *lane.sink);
        build_judge_gate(lane);
        lane.after_model_entry = chain_steps(steps, 0, judge_step, *lane.judge_gate);
      }
      build_gate(lane, lane.model != nullptr ? slot_of[lane.model] : nullptr);
      flow::make_edge(*tail, *lane.gate);
    }
  }

  void echo_failure(Lane& lane, const std::string& message) {
    const ef_log_level level = lane.echoed_failures++ < kEchoedFailures ? EF_LOG_WARNING : EF_LOG_INFO;
    if (lane.echoed_failures == kEchoedFailures + 1) {
      log_.write(lane.progress.label, EF_LOG_WARNING, "further failures of this dataset: see logs/run.log");
    }
    log_.write(lane.progress.label, level, message);
  }

  void store_write(const Status& written) {
    if (!written) state_.abort(written.error());
  }

  void finish_record(Lane& lane, Record& record) {
    if (record.not_run) return;
    const bool inference_failed = record.failure && record.failure->during_inference;
    const bool new_prediction = !inference_failed && !record.resumed && options_.mode != RunMode::kEval;
    // Serialized before the lock: records reach the sink in parallel, only the writes and counts take turns.
    const std::string line = inference_failed || new_prediction
                                 ? prediction_line(*lane.dataset_abbr, record, record.content_hash)
                                 : std::string();
    const std::lock_guard lock(lane.sink_mutex);
    if (lane.sealed) return;
    ++lane.result.total;
    if (record.resumed) ++lane.result.resumed;
    const SampleKey key{record.index, record.replica};
    if (inference_failed) {
      ++lane.result.failed;
      ++lane.progress.failed;
      store_write(lane.store->write_failure(line));
      echo_failure(lane, fmt::format("sample {} replica {} failed in {}: {}", record.index, record.replica,
                                     record.failure->node, record.failure->message));
    } else {
      if (new_prediction) {
        store_write(lane.store->write_prediction(key, line));
        if (const json* tokens = record.find("completion_tokens");
            tokens != nullptr && tokens->is_number_integer()) {
          lane.progress.output_tokens += tokens->get<int64_t>();
        }
      }
      if (record.failure) {
        ++lane.result.eval_failed;
        ++lane.progress.failed;
        echo_failure(lane, fmt::format("sample {} replica {}: scoring failed in {}: {}", record.index,
                                       record.replica, record.failure->node, record.failure->message));
      } else {
        if (const json* correct = record.find("correct"); correct != nullptr && correct->is_boolean()) {
          ++lane.progress.scored;
          if (correct->get<bool>()) ++lane.progress.correct;
        }
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

  Result<RunReport> finish(RunReport report) {
    report.run_dir = run_->directory().root();
    auto flush = [&](NodeInstance& instance) {
      if (StatusPtr status = instance.flush()) log_.write(instance.name(), EF_LOG_ERROR, status->message);
    };
    if (!report.abandoned) {
      for (auto& slot : models_) {
        if (slot->instance) flush(*slot->instance);
      }
    }
    for (auto& lane : lanes_) {
      lane->result.stale = lane->store->stale();
      if (lane->result.stale > 0) {
        log_.write(lane->progress.label, EF_LOG_WARNING,
                   fmt::format("{} stored prediction(s) were made for other questions (the dataset or prompt "
                               "changed since): they were not reused",
                               lane->result.stale));
      }
      if (auto compacted = lane->store->compact(); !compacted) state_.abort(compacted.error());
      if (!report.abandoned) {
        for (auto& instance : lane->before_model) flush(*instance);
        for (auto& instance : lane->after_model) flush(*instance);
      }
      for (auto& metric : lane->metrics) {
        auto metrics = metric->report();
        if (!metrics) {
          log_.write(metric->name(), EF_LOG_ERROR, metrics.error());
          continue;
        }
        lane->result.metrics.update(*metrics);
      }
      if (options_.mode != RunMode::kInfer) {
        if (auto written = write_results(
                run_->directory().results(lane->model_abbr, lane->dataset->spec.abbr), lane->result);
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
  std::unique_ptr<Run> run_;
  RunLog log_;
  RunState state_;
  flow::graph graph_;
  std::vector<std::unique_ptr<ModelSlot>> models_;  // the evaluated models, then the judge
  ModelSlot* judge_slot_ = nullptr;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace

Result<std::unique_ptr<Run>> open_run(const ValidatedPipeline& pipeline, const RunOptions& options) {
  RunStart start;
  start.work_dir = options.work_dir;
  start.resume = options.resume;
  start.eval_only = options.mode == RunMode::kEval;
  start.command_line = options.command_line;
  return Run::open(pipeline, start);
}

Result<RunReport> run_pipeline(const ValidatedPipeline& pipeline, const RunOptions& options) {
  auto run = open_run(pipeline, options);
  if (!run) return Error{run.error()};
  return run_pipeline(pipeline, options, std::move(*run));
}

Result<RunReport> run_pipeline(const ValidatedPipeline& pipeline, const RunOptions& options,
                               std::unique_ptr<Run> run) {
  auto runner = std::make_unique<Runner>(pipeline, options, std::move(run));
  auto report = runner->run();
  // Samples still at the model hold pointers into the graph: it must outlive the process's last moments.
  if (report && report->abandoned) static_cast<void>(runner.release());
  return report;
}

}  // namespace evalflow
