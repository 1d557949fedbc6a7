// Reading pipeline files, AISBench-style composition (--model, --dataset) and -s overrides.
#include <fmt/format.h>

#include <algorithm>
#include <embedded/kPipelineSchema.hpp>

#include "common/suggest.hpp"
#include "config/pipeline_spec.hpp"
#include "validate/json_schema.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

// `models:` from a model fragment (`model:` or `models:`), or `datasets:` from a dataset fragment.
Status append_items(Document& merged, const Document& fragment, const char* list_key, const char* single_key,
                    const fs::path& file) {
  auto& target = merged.value[list_key];
  if (!target.is_array()) target = json::array();
  auto add = [&](const std::string& pointer) {
    merged.graft(pointer_child(std::string("/") + list_key, target.size()), fragment, pointer);
  };
  if (fragment.value.contains(single_key)) add(std::string("/") + single_key);
  if (fragment.value.contains(list_key) && fragment.value[list_key].is_array()) {
    for (size_t i = 0; i < fragment.value[list_key].size(); ++i)
      add(pointer_child(std::string("/") + list_key, i));
  }
  if (!fragment.value.contains(single_key) && !fragment.value.contains(list_key)) {
    return Error{fmt::format("{}: expected a `{}:` or `{}:` section", file.string(), single_key, list_key)};
  }
  return ok_status();
}

void set_path(json& object, const std::vector<std::string>& path, size_t from, const json& value) {
  json* current = &object;
  for (size_t i = from; i < path.size(); ++i) {
    if (!current->is_object()) *current = json::object();
    current = &(*current)[path[i]];
  }
  *current = value;
}

class OverrideApplier {
 public:
  explicit OverrideApplier(Document& document) : document_(document) {}

  Status apply(const std::string& text, size_t position) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Error{fmt::format("-s {}: expected KEY=VALUE, e.g. -s model.host_port=8081", text)};
    }
    const std::vector<std::string> path = split(text.substr(0, equals), '.');
    if (path.size() < 2 ||
        std::any_of(path.begin(), path.end(), [](const auto& part) { return part.empty(); })) {
      return Error{fmt::format("-s {}: KEY must be model.KEY, judge.KEY, dataset.KEY or NODE.KEY", text)};
    }
    const json value = parse_value(text.substr(equals + 1));
    location_ = {fmt::format("command line (-s {}, argument {})", text, position), 0, 0};
    json& root = document_.value;
    if (path[0] == "model") return for_each_model(path, 1, value, /*judge=*/false);
    if (path[0] == "judge") return for_each_model(path, 1, value, /*judge=*/true);
    if (path[0] == "dataset") return for_each_dataset(path, value);
    // <dataset>.<node>.KEY, <node>.KEY (every dataset) or <model abbr>.KEY
    bool matched = false;
    for (size_t d = 0; root.contains("datasets") && d < root["datasets"].size(); ++d) {
      json& dataset = root["datasets"][d];
      const bool names_dataset = path.size() >= 3 && dataset.value("abbr", "") == path[0];
      const std::string& node_name = names_dataset ? path[1] : path[0];
      const size_t key_from = names_dataset ? 2 : 1;
      if (!names_dataset && path[0] == dataset.value("abbr", "")) continue;
      for (size_t n = 0; n < dataset.value("nodes", json::array()).size(); ++n) {
        json& node = dataset["nodes"][n];
        if (node.value("name", node.value("type", "")) != node_name) continue;
        set_node_key(node, pointer_child(pointer_child(pointer_child("/datasets", d), "nodes"), n), path,
                     key_from, value);
        matched = true;
      }
    }
    if (!matched && root.contains("models")) {
      for (size_t m = 0; m < root["models"].size(); ++m) {
        if (root["models"][m].value("abbr", "") != path[0]) continue;
        set_model_key(m, path, 1, value);
        matched = true;
      }
    }
    if (!matched) {
      // The misspelt word: the node of `DATASET.NODE.KEY` when the dataset exists, else the first part.
      std::string word = path[0];
      std::vector<std::string> names = {"model", "judge", "dataset"};
      for (const auto& dataset : root.value("datasets", json::array())) {
        if (path.size() >= 3 && dataset.value("abbr", "") == path[0]) word = path[1];
        names.push_back(dataset.value("abbr", ""));
        for (const auto& node : dataset.value("nodes", json::array())) {
          names.push_back(node.value("name", node.value("type", "")));
        }
      }
      for (const auto& model : root.value("models", json::array())) names.push_back(model.value("abbr", ""));
      return Error{
          fmt::format("-s {}: no model, dataset node or node named '{}'{}; node names are the `name:` "
                      "(or `type:`) of entries under a dataset's nodes",
                      text, path[0], did_you_mean(word, names))};
    }
    return ok_status();
  }

 private:
  static json parse_value(const std::string& text) {
    auto parsed = read_yaml_text(text, "command line");
    return parsed ? parsed->value : json(text);
  }

  void mark(const std::string& pointer) { document_.mark(pointer, location_); }

  void set_node_key(json& node, const std::string& pointer, const std::vector<std::string>& path, size_t from,
                    const json& value) {
    if (path.size() == from + 1 && (path[from] == "type" || path[from] == "input" || path[from] == "use")) {
      node[path[from]] = value;
      mark(pointer_child(pointer, path[from]));
      return;
    }
    set_path(node["options"], path, from, value);
    std::string target = pointer_child(pointer, "options");
    for (size_t i = from; i < path.size(); ++i) target = pointer_child(target, path[i]);
    mark(target);
  }

  void set_model_key(size_t index, const std::vector<std::string>& path, size_t from, const json& value) {
    json& model = document_.value["models"][index];
    const std::string pointer = pointer_child("/models", index);
    if (path.size() == from + 1 && (path[from] == "abbr" || path[from] == "type")) {
      model[path[from]] = value;
      mark(pointer_child(pointer, path[from]));
      return;
    }
    set_node_key(model, pointer, path, from, value);
  }

  // `model.KEY` sets every evaluated model's, `judge.KEY` the judge's: pointing the models at a server never
  // moves the judge with them.
  Status for_each_model(const std::vector<std::string>& path, size_t from, const json& value, bool judge) {
    bool found = false;
    for (size_t m = 0; document_.value.contains("models") && m < document_.value["models"].size(); ++m) {
      if ((document_.value["models"][m].value("role", "evaluated") == "judge") != judge) continue;
      set_model_key(m, path, from, value);
      found = true;
    }
    if (!found) {
      return Error{judge ? "-s judge.*: the pipeline has no judge (a `models:` entry with `role: judge`)"
                         : "-s model.*: the pipeline has no model"};
    }
    return ok_status();
  }

  Status for_each_dataset(const std::vector<std::string>& path, const json& value) {
    static const std::vector<std::string> kDatasetKeys = {"abbr", "samples", "num_prompts", "expected"};
    if (!document_.value.contains("datasets")) return Error{"-s dataset.*: the pipeline has no dataset"};
    for (size_t d = 0; d < document_.value["datasets"].size(); ++d) {
      json& dataset = document_.value["datasets"][d];
      const std::string pointer = pointer_child("/datasets", d);
      if (std::find(kDatasetKeys.begin(), kDatasetKeys.end(), path[1]) != kDatasetKeys.end()) {
        set_path(dataset, path, 1, value);
        std::string target = pointer;
        for (size_t i = 1; i < path.size(); ++i) target = pointer_child(target, path[i]);
        mark(target);
      } else if (dataset.contains("nodes") && !dataset["nodes"].empty()) {
        // Any other key belongs to the dataset's loader, its first node (AISBench's dataset `path` etc.).
        set_node_key(dataset["nodes"][0], pointer_child(pointer_child(pointer, "nodes"), 0), path, 1, value);
      }
    }
    return ok_status();
  }

  Document& document_;
  SourceLocation location_;
};

Status check_schema(const Document& document) {
  static const auto schema = JsonSchema::parse(kPipelineSchema);
  if (!schema) return Error{"internal: pipeline.schema.json: " + schema.error()};
  const auto violations = (*schema)->validate(document.value);
  if (violations.empty()) return ok_status();
  std::string message;
  for (const auto& violation : violations) {
    if (!message.empty()) message += "\n";
    message += fmt::format("{}: {} (at {}; see schemas/pipeline.schema.json)",
                           document.locate(violation.pointer).str(), violation.message,
                           violation.pointer.empty() ? "/" : violation.pointer);
  }
  return Error{message};
}

}  // namespace

Result<Document> compose_document(const PipelineSources& sources) {
  Document merged;
  if (sources.pipeline) {
    auto main = read_yaml_file(*sources.pipeline);
    if (!main) return Error{main.error()};
    merged = std::move(*main);
    if (!merged.value.is_object()) {
      return Error{fmt::format("{}:1:1: a pipeline must be a YAML mapping", sources.pipeline->string())};
    }
    // `model:` is shorthand for a one-entry `models:` list.
    if (merged.value.contains("model") && !merged.value.contains("models")) {
      Document single = merged;
      merged.value.erase("model");
      merged.value["models"] = json::array();
      if (auto added = append_items(merged, single, "models", "model", *sources.pipeline); !added) {
        return Error{added.error()};
      }
    }
  } else if (sources.models.empty() || sources.datasets.empty()) {
    return Error{
        "nothing to run: give a PIPELINE.yaml, or at least one --models NAME and one --datasets NAME"};
  }
  auto merge_fragments = [&](const std::vector<fs::path>& files, const char* list_key,
                             const char* single_key) -> Status {
    if (files.empty()) return ok_status();
    merged.value[list_key] = json::array();
    for (const auto& file : files) {
      auto fragment = read_yaml_file(file);
      if (!fragment) return Error{fragment.error()};
      if (auto added = append_items(merged, *fragment, list_key, single_key, file); !added) return added;
    }
    return ok_status();
  };
  if (auto status = merge_fragments(sources.models, "models", "model"); !status) return Error{status.error()};
  if (auto status = merge_fragments(sources.datasets, "datasets", "dataset"); !status) {
    return Error{status.error()};
  }
  OverrideApplier applier(merged);
  for (size_t i = 0; i < sources.overrides.size(); ++i) {
    try {
      if (auto applied = applier.apply(sources.overrides[i], i + 1); !applied) return Error{applied.error()};
    } catch (const nlohmann::json::exception&) {
      // The document's shape is not the schema's (a `datasets:` that is a map, say): say that, located.
      if (auto valid = check_schema(merged); !valid) return Error{valid.error()};
      return Error{
          fmt::format("-s {}: cannot be applied to this pipeline's structure", sources.overrides[i])};
    }
  }
  if (merged.value.contains("datasets") && merged.value["datasets"].is_array()) {
    for (auto& dataset : merged.value["datasets"]) {
      if (!dataset.is_object()) continue;
      if (sources.num_prompts) dataset["num_prompts"] = *sources.num_prompts;
      if (sources.samples) dataset["samples"] = *sources.samples;
    }
  }
  // An empty or comment-only file would otherwise run nothing and exit 0.
  if (!merged.value.contains("datasets")) {
    return Error{
        fmt::format("{}: the pipeline has no datasets, so there is nothing to run: add `datasets:` "
                    "(see pipelines/demo.yaml), or compose with --models NAME --datasets NAME",
                    sources.pipeline ? sources.pipeline->string() : std::string("the command line"))};
  }
  if (auto valid = check_schema(merged); !valid) return Error{valid.error()};
  return merged;
}

}  // namespace evalflow
