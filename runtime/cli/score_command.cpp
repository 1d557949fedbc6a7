// `evalflow score`: re-scores a JSONL of model outputs with any postprocessors and evaluator, without a
// pipeline, so that graders can be compared on the same outputs.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "graph/node_instance.hpp"
#include "pipeline_arguments.hpp"

namespace evalflow::cli {

namespace {

struct ScoreArguments {
  std::string evaluator;
  std::vector<std::string> postprocessors;
  std::string input;
  std::string output;
  std::string prediction_field = "prediction";
  std::string gold_field = "gold";
  std::string id_field = "id";
};

Result<std::unique_ptr<NodeInstance>> create_node(PluginRegistry& registry, const std::string& type_name,
                                                  ef_node_kind expected_kind) {
  auto type = registry.find_node_type(type_name);
  if (!type) return Error{type.error()};
  if (type->type->kind != expected_kind) {
    return Error{fmt::format("'{}' is not a {} node", type_name,
                             expected_kind == EF_NODE_FUNCTION ? "function" : "?")};
  }
  ResolvedNode node;
  node.type = *type;
  node.display_name = type_name;
  node.options_json = "{}";
  auto context = std::make_unique<NodeContext>();
  context->node_name = type_name;
  context->pipeline_dir = std::filesystem::current_path().string();
  return NodeInstance::create(node, std::move(context));
}

void score(const ScoreArguments& arguments) {
  PluginRegistry registry(PluginRegistry::default_search_path());
  std::vector<std::unique_ptr<NodeInstance>> chain;
  for (const auto& name : arguments.postprocessors) {
    auto node = create_node(registry, name, EF_NODE_FUNCTION);
    if (!node) fail("--post " + name + ": " + node.error());
    chain.push_back(std::move(*node));
  }
  auto evaluator = create_node(registry, arguments.evaluator, EF_NODE_FUNCTION);
  if (!evaluator) fail("--evaluator " + arguments.evaluator + ": " + evaluator.error());
  chain.push_back(std::move(*evaluator));

  std::ifstream input(arguments.input);
  if (!input) fail(arguments.input + ": cannot open");
  std::ofstream output;
  if (!arguments.output.empty()) {
    output.open(arguments.output);
    if (!output) fail(arguments.output + ": cannot open for writing");
  }
  int64_t rows = 0;
  int64_t correct = 0;
  int64_t failed = 0;
  std::chrono::nanoseconds scoring{0};
  std::string line;
  for (size_t number = 1; std::getline(input, line); ++number) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object())
      fail(fmt::format("{}:{}: not a JSON object", arguments.input, number));
    for (const auto& field : {arguments.prediction_field, arguments.gold_field}) {
      if (!row.contains(field)) {
        fail(fmt::format("{}:{}: no field '{}' (choose it with --prediction-field / --gold-field)",
                         arguments.input, number, field));
      }
    }
    Record record;
    record.index = static_cast<int64_t>(rows);
    auto as_text = [](const nlohmann::json& value) {
      return value.is_string() ? value.get<std::string>() : value.dump();
    };
    record.at("prediction") = as_text(row[arguments.prediction_field]);
    record.at("gold") = as_text(row[arguments.gold_field]);
    const auto started = std::chrono::steady_clock::now();
    std::string error;
    for (auto& node : chain) {
      if (StatusPtr status = node->process(record)) {
        error = fmt::format("{}: {}", node->name(), status->message);
        break;
      }
    }
    scoring += std::chrono::steady_clock::now() - started;
    ++rows;
    nlohmann::json result;
    result["id"] = row.contains(arguments.id_field) ? row[arguments.id_field] : nlohmann::json(number - 1);
    if (error.empty()) {
      const nlohmann::json* verdict = record.find("correct");
      const bool is_correct = verdict != nullptr && verdict->is_boolean() && verdict->get<bool>();
      correct += is_correct ? 1 : 0;
      result["correct"] = is_correct;
      const nlohmann::json* extracted = record.find("extracted");
      result["extracted"] = extracted != nullptr ? *extracted : nlohmann::json(nullptr);
    } else {
      ++failed;
      result["correct"] = nullptr;
      result["error"] = error;
    }
    if (output.is_open()) output << result.dump() << "\n";
  }
  const int64_t scored = rows - failed;
  const double accuracy =
      scored > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(scored) : 0.0;
  const double micros = rows > 0 ? std::chrono::duration<double, std::micro>(scoring).count() / rows : 0.0;
  fmt::print("{}: {} rows, {} correct, {} failed, accuracy {:.2f}; {:.1f} us per sample on one thread\n",
             arguments.evaluator, rows, correct, failed, accuracy, micros);
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto arguments = std::make_shared<ScoreArguments>();
  CLI::App* command = app.add_subcommand("score", "Re-score a JSONL of model outputs (compare graders)");
  command->add_option("--evaluator", arguments->evaluator, "Evaluator node type, e.g. math_verify")
      ->required();
  command->add_option("--post", arguments->postprocessors,
                      "Postprocessor node type, applied in order (repeatable)");
  command->add_option("--input", arguments->input, "JSONL of outputs")->required()->check(CLI::ExistingFile);
  command->add_option("--output", arguments->output, "Write {id, correct, extracted} per row here");
  command->add_option("--prediction-field", arguments->prediction_field, "Row key of the model output");
  command->add_option("--gold-field", arguments->gold_field, "Row key of the reference");
  command->add_option("--id-field", arguments->id_field, "Row key of the sample id");
  command->callback([arguments] { score(*arguments); });
}

}  // namespace evalflow::cli
