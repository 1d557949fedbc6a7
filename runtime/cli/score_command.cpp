// `evalflow score`: re-scores a JSONL of model outputs with any postprocessors and evaluator, without a
// pipeline, so that graders can be compared on the same outputs. An async evaluator (code_exec) gets many
// rows at once, as in a run; the results are written in input order either way.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "commands.hpp"
#include "graph/node_instance.hpp"
#include "pipeline_arguments.hpp"
#include "validate/json_schema.hpp"

namespace evalflow::cli {

namespace {

using nlohmann::json;

struct ScoreArguments {
  std::string evaluator;
  std::vector<std::string> postprocessors;
  std::vector<std::string> node_options;  // TYPE=JSON
  std::string input;
  std::string output;
  std::string prediction_field = "prediction";
  std::string gold_field = "gold";
  std::string id_field = "id";
  int64_t in_flight = 0;
};

struct ScoringNode {
  std::unique_ptr<NodeInstance> instance;
  std::vector<FieldDecl> reads;
  std::vector<FieldDecl> writes;
};

// --options TYPE=JSON, by node type; each must name a node of the chain and hold a JSON object.
std::map<std::string, json> options_by_type(const ScoreArguments& arguments) {
  std::map<std::string, json> options;
  for (const std::string& text : arguments.node_options) {
    const size_t equals = text.find('=');
    const std::string type = text.substr(0, equals);
    const bool in_chain = type == arguments.evaluator ||
                          std::find(arguments.postprocessors.begin(), arguments.postprocessors.end(), type) !=
                              arguments.postprocessors.end();
    if (equals == std::string::npos || !in_chain) {
      fail(fmt::format("--options {}: expected TYPE=JSON with TYPE the --evaluator or a --post node type",
                       text),
           2);
    }
    json value = json::parse(text.substr(equals + 1), nullptr, false);
    if (!value.is_object())
      fail(fmt::format("--options {}: the value is not a JSON object, e.g. {}='{{\"key\": 1}}'", text, type),
           2);
    options[type] = std::move(value);
  }
  return options;
}

// Creates a node as the pipeline validator would: options checked against its schema, fields resolved.
Result<ScoringNode> create_node(PluginRegistry& registry, const std::string& type_name, const json& options,
                                bool may_be_async) {
  auto type = registry.find_node_type(type_name);
  if (!type) return Error{type.error()};
  const ef_node_type& declared = *type->type;
  const bool usable_kind =
      declared.kind == EF_NODE_FUNCTION || (may_be_async && declared.kind == EF_NODE_ASYNC);
  if (!usable_kind) {
    return Error{fmt::format("'{}' is not a {} node", type_name,
                             may_be_async ? "function or async" : "function (postprocessors run in line)")};
  }
  if (declared.options_schema != nullptr) {
    auto schema = JsonSchema::parse(declared.options_schema);
    if (!schema) return Error{fmt::format("'{}': its options schema: {}", type_name, schema.error())};
    std::string problems;
    for (const auto& violation : (*schema)->validate(options))
      problems += fmt::format("\n  options{}: {}", violation.pointer, violation.message);
    if (!problems.empty())
      return Error{fmt::format("invalid options (set them with --options {}=JSON):{}", type_name, problems)};
  }
  ResolvedNode node;
  node.type = *type;
  node.display_name = type_name;
  node.options_json = options.dump();
  for (size_t i = 0; i < declared.num_reads; ++i)
    node.reads.push_back({declared.reads[i].name, declared.reads[i].type});
  for (size_t i = 0; i < declared.num_writes; ++i)
    node.writes.push_back({declared.writes[i].name, declared.writes[i].type});
  if (declared.resolve_fields != nullptr) {
    ef_field_list reads;
    ef_field_list writes;
    StatusPtr status(declared.resolve_fields(&host_api(), node.options_json.c_str(), &reads, &writes));
    if (status) return Error{fmt::format("'{}': {}", type_name, status->message)};
    node.reads.insert(node.reads.end(), reads.fields.begin(), reads.fields.end());
    node.writes.insert(node.writes.end(), writes.fields.begin(), writes.fields.end());
  }
  auto context = std::make_unique<NodeContext>();
  context->node_name = type_name;
  context->pipeline_dir = std::filesystem::current_path().string();  // relative paths: from here
  context->log = [type_name](ef_log_level level, const std::string& message) {
    if (level >= EF_LOG_WARNING) std::cerr << "evalflow: " << type_name << ": " << message << "\n";
  };
  auto instance = NodeInstance::create(node, std::move(context));
  if (!instance) return Error{instance.error()};
  return ScoringNode{std::move(*instance), node.reads, node.writes};
}

// A row on its way through the chain; `done` is set while an async evaluator works on it.
struct PendingRow {
  json id;
  RecordPtr record;
  std::string error;
  std::optional<std::future<StatusPtr>> done;
};

class Scorer {
 public:
  explicit Scorer(const ScoreArguments& arguments)
      : arguments_(arguments), registry_(PluginRegistry::default_search_path()) {
    const auto options = options_by_type(arguments);
    auto options_of = [&](const std::string& type) {
      const auto found = options.find(type);
      return found != options.end() ? found->second : json::object();
    };
    for (const auto& name : arguments.postprocessors) {
      auto node = create_node(registry_, name, options_of(name), /*may_be_async=*/false);
      if (!node) fail("--post " + name + ": " + node.error());
      postprocessors_.push_back(std::move(*node));
    }
    auto evaluator = create_node(registry_, arguments.evaluator, options_of(arguments.evaluator), true);
    if (!evaluator) fail("--evaluator " + arguments.evaluator + ": " + evaluator.error());
    evaluator_ = std::move(*evaluator);
    // The row's own fields that the chain reads (code_exec: question_id, or HumanEval's prompt and test).
    for (const ScoringNode* node : chain()) {
      for (const FieldDecl& field : node->reads) copied_fields_.insert(field.name);
    }
    if (async()) {
      const int64_t capacity = evaluator_.instance->capacity();
      in_flight_ = arguments.in_flight > 0 ? arguments.in_flight
                   : capacity > 0          ? 2 * capacity
                                           : 4 * std::max<int64_t>(1, std::thread::hardware_concurrency());
    }
  }

  void score() {
    std::ifstream input(arguments_.input);
    if (!input) fail(arguments_.input + ": cannot open");
    if (!arguments_.output.empty()) {
      output_.open(arguments_.output);
      if (!output_) fail(arguments_.output + ": cannot open for writing");
    }
    const auto started = std::chrono::steady_clock::now();
    std::deque<PendingRow> window;
    std::string line;
    for (size_t number = 1; std::getline(input, line); ++number) {
      if (line.empty()) continue;
      window.push_back(start_row(line, number));
      while (static_cast<int64_t>(window.size()) > in_flight_) {
        finish_row(window.front());
        window.pop_front();
      }
    }
    for (; !window.empty(); window.pop_front()) finish_row(window.front());
    if (StatusPtr status = evaluator_.instance->flush()) fail("--evaluator: flush: " + status->message);
    const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int64_t scored = rows_ - failed_;
    const double accuracy =
        scored > 0 ? 100.0 * static_cast<double>(correct_) / static_cast<double>(scored) : 0.0;
    const std::string speed =
        async()
            ? fmt::format("{:.2f} samples/s wall, {} in flight", rows_ > 0 ? rows_ / wall : 0.0, in_flight_)
            : fmt::format(
                  "{:.1f} us per sample on one thread",
                  rows_ > 0 ? std::chrono::duration<double, std::micro>(in_line_).count() / rows_ : 0.0);
    fmt::print("{}: {} rows, {} correct, {} failed, accuracy {:.2f}; {}\n", arguments_.evaluator, rows_,
               correct_, failed_, accuracy, speed);
  }

 private:
  [[nodiscard]] bool async() const { return evaluator_.instance->type().kind == EF_NODE_ASYNC; }

  std::vector<const ScoringNode*> chain() const {
    std::vector<const ScoringNode*> nodes;
    for (const auto& node : postprocessors_) nodes.push_back(&node);
    nodes.push_back(&evaluator_);
    return nodes;
  }

  RecordPtr record_of(const json& row, size_t number) const {
    // The reference is needed only by a chain that reads it (code_exec grades against its own tests).
    const bool needs_gold = copied_fields_.contains("gold");
    for (const auto& field : {arguments_.prediction_field, arguments_.gold_field}) {
      if (!row.contains(field) && (field == arguments_.prediction_field || needs_gold)) {
        fail(fmt::format("{}:{}: no field '{}' (choose it with --prediction-field / --gold-field)",
                         arguments_.input, number, field));
      }
    }
    auto record = std::make_shared<Record>();
    record->index = static_cast<int64_t>(number - 1);
    for (const std::string& field : copied_fields_) {
      if (row.contains(field)) record->at(field) = row[field];
    }
    auto as_text = [](const json& value) {
      return value.is_string() ? value.get<std::string>() : value.dump();
    };
    record->at("prediction") = as_text(row[arguments_.prediction_field]);
    if (row.contains(arguments_.gold_field)) record->at("gold") = as_text(row[arguments_.gold_field]);
    return record;
  }

  PendingRow start_row(const std::string& line, size_t number) {
    const json row = json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object())
      fail(fmt::format("{}:{}: not a JSON object", arguments_.input, number));
    PendingRow pending{row.contains(arguments_.id_field) ? row[arguments_.id_field] : json(number - 1),
                       record_of(row, number)};
    const auto started = std::chrono::steady_clock::now();
    for (auto& node : postprocessors_) {
      if (StatusPtr status = node.instance->process(*pending.record)) {
        pending.error = fmt::format("{}: {}", node.instance->name(), status->message);
        return pending;
      }
    }
    if (!async()) {
      if (StatusPtr status = evaluator_.instance->process(*pending.record))
        pending.error = fmt::format("{}: {}", evaluator_.instance->name(), status->message);
      in_line_ += std::chrono::steady_clock::now() - started;
      return pending;
    }
    auto completed = std::make_shared<std::promise<StatusPtr>>();
    pending.done = completed->get_future();
    auto* ticket = new ef_ticket{pending.record, [completed](const RecordPtr& /*done*/, StatusPtr status) {
                                   completed->set_value(std::move(status));
                                 }};
    // A refused record is completed here, as the graph does: its ticket is never handed back otherwise.
    if (StatusPtr refused = evaluator_.instance->submit(ticket))
      host_api().complete(ticket, refused.release());
    return pending;
  }

  void finish_row(PendingRow& pending) {
    if (pending.done) {
      if (StatusPtr status = pending.done->get())
        pending.error = fmt::format("{}: {}", evaluator_.instance->name(), status->message);
    }
    ++rows_;
    json result;
    result["id"] = pending.id;
    if (pending.error.empty()) {
      const json* verdict = pending.record->find("correct");
      const bool is_correct = verdict != nullptr && verdict->is_boolean() && verdict->get<bool>();
      correct_ += is_correct ? 1 : 0;
      result["correct"] = is_correct;
      const json* extracted = pending.record->find("extracted");
      result["extracted"] = extracted != nullptr ? *extracted : json(nullptr);
      // What else the evaluator says about the sample (code_exec: verdict, test_results, exec_error, ...).
      for (const FieldDecl& field : evaluator_.writes) {
        if (const json* value = pending.record->find(field.name);
            value != nullptr && !result.contains(field.name))
          result[field.name] = *value;
      }
    } else {
      ++failed_;
      result["correct"] = nullptr;
      result["error"] = pending.error;
    }
    if (output_.is_open()) output_ << result.dump() << "\n";
  }

  const ScoreArguments& arguments_;
  PluginRegistry registry_;  // first: the plugins stay loaded until every node is gone
  std::vector<ScoringNode> postprocessors_;
  ScoringNode evaluator_;
  std::set<std::string> copied_fields_;
  int64_t in_flight_ = 1;
  std::ofstream output_;
  int64_t rows_ = 0;
  int64_t correct_ = 0;
  int64_t failed_ = 0;
  std::chrono::nanoseconds in_line_{0};
};

}  // namespace

void add_score_command(CLI::App& app) {
  auto arguments = std::make_shared<ScoreArguments>();
  CLI::App* command = app.add_subcommand("score", "Re-score a JSONL of model outputs (compare graders)");
  command
      ->add_option("--evaluator", arguments->evaluator, "Evaluator node type, e.g. math_verify or code_exec")
      ->required();
  command->add_option("--post", arguments->postprocessors,
                      "Postprocessor node type, applied in order (repeatable)");
  command->add_option("--options", arguments->node_options,
                      "Options of a node of the chain, TYPE=JSON (repeatable), e.g. "
                      "code_exec='{\"benchmark\": \"humaneval\"}'");
  command->add_option("--input", arguments->input, "JSONL of outputs")->required()->check(CLI::ExistingFile);
  command->add_option(
      "--output", arguments->output,
      "Write {id, correct, extracted, ...what the evaluator writes} per row here, in input order");
  command->add_option("--prediction-field", arguments->prediction_field, "Row key of the model output");
  command->add_option("--gold-field", arguments->gold_field, "Row key of the reference");
  command->add_option("--id-field", arguments->id_field, "Row key of the sample id");
  command->add_option("--in-flight", arguments->in_flight,
                      "Async evaluators: rows submitted at once (default: twice what it works on at once)");
  command->callback([arguments] { Scorer(*arguments).score(); });
}

}  // namespace evalflow::cli
