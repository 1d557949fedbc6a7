#include "config/pipeline_spec.hpp"

#include <fmt/format.h>

#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

namespace {

fs::path directory_of(const Document& document, const std::string& pointer) {
  const SourceLocation location = document.locate(pointer);
  if (location.line == 0) return fs::current_path();
  return fs::absolute(fs::path(location.file)).parent_path();
}

NodeSpec read_node(const Document& document, const json& node, const std::string& pointer) {
  NodeSpec spec;
  const std::string use = node.value("use", "");
  spec.uses_model = use == "model";
  spec.uses_judge = use == "judge";
  spec.type = node.value("type", "");
  spec.name = node.value("name", use.empty() ? spec.type : use);
  spec.input = node.value("input", "");
  spec.options = node.value("options", json::object());
  spec.pointer = pointer;
  spec.base_dir = directory_of(document, pointer);
  return spec;
}

}  // namespace

Result<PipelineSpec> build_spec(Document document) {
  PipelineSpec spec;
  const json& root = document.value;
  spec.name = root.value("name", "");
  spec.pipeline_dir = directory_of(document, "");
  if (root.contains("limits"))
    spec.records_in_flight = root["limits"].value("records_in_flight", int64_t{256});
  for (const auto& path : root.value("plugin_paths", json::array())) {
    fs::path entry(path.get<std::string>());
    spec.plugin_paths.push_back(entry.is_absolute() ? entry : spec.pipeline_dir / entry);
  }
  std::set<std::string> model_abbrs;
  for (size_t m = 0; m < root.value("models", json::array()).size(); ++m) {
    const std::string pointer = pointer_child("/models", m);
    const json& model = root["models"][m];
    ModelSpec model_spec{model.at("abbr").get<std::string>(), read_node(document, model, pointer),
                         model.value("role", "evaluated") == "judge"};
    model_spec.node.name = model_spec.judge ? "judge" : "model";
    if (!model_abbrs.insert(model_spec.abbr).second) {
      return Error{fmt::format("{}: two models are called '{}'; give each a distinct abbr",
                               document.locate(pointer_child(pointer, "abbr")).str(), model_spec.abbr)};
    }
    if (!model_spec.judge) {
      spec.models.push_back(std::move(model_spec));
    } else if (spec.judge) {
      return Error{fmt::format(
          "{}: model '{}' is a second judge (the first is '{}'); a pipeline has at most "
          "one `role: judge` model",
          document.locate(pointer_child(pointer, "role")).str(), model_spec.abbr, spec.judge->abbr)};
    } else {
      spec.judge = std::move(model_spec);
    }
  }
  std::set<std::string> dataset_abbrs;
  for (size_t d = 0; d < root.value("datasets", json::array()).size(); ++d) {
    const std::string pointer = pointer_child("/datasets", d);
    const json& dataset = root["datasets"][d];
    DatasetSpec dataset_spec;
    dataset_spec.abbr = dataset.at("abbr").get<std::string>();
    dataset_spec.pointer = pointer;
    dataset_spec.samples = dataset.value("samples", int64_t{1});
    if (dataset.contains("num_prompts")) dataset_spec.num_prompts = dataset["num_prompts"].get<int64_t>();
    if (dataset.contains("expected")) {
      const json& expected = dataset["expected"];
      Expected value;
      value.metric = expected.value("metric", "accuracy");
      if (expected.contains(value.metric)) {
        value.value = expected[value.metric].get<double>();
      } else if (expected.contains("value")) {
        value.value = expected["value"].get<double>();
      } else {
        return Error{fmt::format("{}: expected: give the figure as `{}: N` (or `value: N`)",
                                 document.locate(pointer_child(pointer, "expected")).str(), value.metric)};
      }
      value.tolerance = expected.at("tolerance").get<double>();
      dataset_spec.expected = value;
    }
    if (!dataset_abbrs.insert(dataset_spec.abbr).second) {
      return Error{fmt::format("{}: two datasets are called '{}'; give each a distinct abbr",
                               document.locate(pointer_child(pointer, "abbr")).str(), dataset_spec.abbr)};
    }
    const std::string nodes_pointer = pointer_child(pointer, "nodes");
    std::set<std::string> names;
    for (size_t n = 0; n < dataset["nodes"].size(); ++n) {
      const std::string node_pointer = pointer_child(nodes_pointer, n);
      NodeSpec node = read_node(document, dataset["nodes"][n], node_pointer);
      if (!names.insert(node.name).second) {
        return Error{fmt::format("{}: dataset '{}': two nodes are called '{}'; give one a `name:`",
                                 document.locate(node_pointer).str(), dataset_spec.abbr, node.name)};
      }
      dataset_spec.nodes.push_back(std::move(node));
    }
    const std::string metrics_pointer = pointer_child(pointer, "metrics");
    for (size_t n = 0; n < dataset.value("metrics", json::array()).size(); ++n) {
      dataset_spec.metrics.push_back(
          read_node(document, dataset["metrics"][n], pointer_child(metrics_pointer, n)));
    }
    spec.datasets.push_back(std::move(dataset_spec));
  }
  spec.document = std::move(document);
  return spec;
}

}  // namespace evalflow
