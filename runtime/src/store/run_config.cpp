#include "store/run_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include <evalflow/url_credentials.hpp>
#include "report/results.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

OptionRoles option_roles(const ResolvedNode& node) {
  OptionRoles roles;
  if (node.type.type == nullptr || node.type.type->options_schema == nullptr) return roles;
  const json schema = json::parse(node.type.type->options_schema, nullptr, false);
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object())
    return roles;
  for (const auto& [name, property] : schema["properties"].items()) {
    if (!property.is_object()) continue;
    if (property.value("x-path", false)) roles.paths.push_back(name);
    if (property.value("x-secret", false)) roles.secrets.push_back(name);
    if (property.value("x-connection", false)) roles.connection.push_back(name);
  }
  return roles;
}

namespace {

// Every node of the pipeline with its place in the document.
template <typename Visit>
void for_each_node(const ValidatedPipeline& pipeline, Visit visit) {
  for (const auto& model : pipeline.models) visit(model.node, true);
  if (pipeline.judge) visit(pipeline.judge->node, true);
  for (const auto& dataset : pipeline.datasets) {
    for (const auto& node : dataset.chain) {
      if (!node.spec.uses_model && !node.spec.uses_judge) visit(node, false);
    }
    for (const auto& metric : dataset.metrics) visit(metric, false);
  }
}

json absolute_path(const json& value, const fs::path& base) {
  if (value.is_string()) {
    const fs::path path = value.get<std::string>();
    return (path.is_absolute() ? path : fs::absolute(base / path)).lexically_normal().string();
  }
  if (value.is_array()) {
    json paths = json::array();
    for (const auto& item : value) paths.push_back(absolute_path(item, base));
    return paths;
  }
  return value;
}

json* options_at(json& document, const ResolvedNode& node) {
  const json::json_pointer pointer(node.spec.pointer + "/options");
  return document.contains(pointer) && document[pointer].is_object() ? &document[pointer] : nullptr;
}

// Every string of the document with URL credentials redacted; true when one was.
bool redact_url_credentials(json& value) {
  bool redacted = false;
  if (value.is_string()) {
    std::string clean = strip_url_credentials(value.get_ref<const std::string&>());
    redacted = clean != value.get_ref<const std::string&>();
    if (redacted) value = std::move(clean);
  } else if (value.is_structured()) {
    for (auto& item : value) redacted = redact_url_credentials(item) || redacted;
  }
  return redacted;
}

bool holds_redacted_credentials(const json& value) {
  if (value.is_string()) {
    return value.get_ref<const std::string&>().find("://" + std::string(kRedactedCredentials) + "@") !=
           std::string::npos;
  }
  return value.is_structured() && std::any_of(value.begin(), value.end(), [](const json& item) {
           return holds_redacted_credentials(item);
         });
}

}  // namespace

json stored_document(const ValidatedPipeline& pipeline) {
  json document = pipeline.spec.document.value;
  redact_url_credentials(document);
  for_each_node(pipeline, [&](const ResolvedNode& node, bool /*model*/) {
    json* options = options_at(document, node);
    if (options == nullptr) return;
    const OptionRoles roles = option_roles(node);
    for (const auto& name : roles.paths) {
      if (options->contains(name)) (*options)[name] = absolute_path((*options)[name], node.spec.base_dir);
    }
    for (const auto& name : roles.secrets) {
      if (options->contains(name) && !(*options)[name].is_null()) (*options)[name] = kRedacted;
    }
  });
  if (document.contains("plugin_paths"))
    document["plugin_paths"] = absolute_path(document["plugin_paths"], pipeline.spec.pipeline_dir);
  return document;
}

void erase_connection_options(const ResolvedNode& node, json& options) {
  for (const auto& name : option_roles(node).connection) options.erase(name);
}

json protocol_of(const ValidatedPipeline& pipeline) {
  json document = stored_document(pipeline);
  for (const char* key : {"name", "description", "records_in_flight", "plugin_paths"}) document.erase(key);
  // Samples and prompts as the run uses them, whether written or defaulted.
  for (const auto& resolved : pipeline.datasets) {
    const DatasetSpec& spec = resolved.spec;
    const json::json_pointer pointer(spec.pointer);
    if (!document.contains(pointer)) continue;
    json& dataset = document[pointer];
    dataset.erase("expected");
    dataset["samples"] = spec.samples;
    dataset["num_prompts"] = spec.num_prompts ? json(*spec.num_prompts) : json(nullptr);
  }
  // Connection settings (the judge's too) may change on resume.
  for_each_node(pipeline, [&](const ResolvedNode& node, bool model) {
    json* options = model ? options_at(document, node) : nullptr;
    if (options != nullptr) erase_connection_options(node, *options);
  });
  return document;
}

std::vector<std::string> redacted_options(const ValidatedPipeline& pipeline) {
  std::vector<std::string> found;
  for_each_node(pipeline, [&](const ResolvedNode& node, bool /*model*/) {
    const json& document = pipeline.spec.document.value;
    const json::json_pointer pointer(node.spec.pointer + "/options");
    if (!document.contains(pointer)) return;
    const json& options = document[pointer];
    for (const auto& name : option_roles(node).secrets) {
      if (options.contains(name) && options[name] == kRedacted)
        found.push_back(node.display_name + "." + name);
    }
    for (const auto& [name, value] : options.items()) {
      if (holds_redacted_credentials(value))
        found.push_back(node.display_name + "." + name + " (its URL's user:password)");
    }
  });
  return found;
}

Status write_run_config(const RunDirectory& run_dir, const ValidatedPipeline& pipeline,
                        const json& command_line) {
  // Each file is replaced whole: a resume killed while writing them must leave them readable.
  const fs::path yaml_file = run_dir.configs() / "pipeline.yaml";
  const std::string yaml = fmt::format(
      "# The resolved pipeline of this run: paths absolute, secrets redacted. `evalflow run --resume {}` "
      "continues the run from it;\n# `evalflow run {}` runs it again.\n{}\n",
      run_dir.root().string(), yaml_file.string(), pipeline_yaml(stored_document(pipeline)));
  if (auto written = replace_file(yaml_file, yaml); !written) return written;
  const fs::path protocol_file = run_dir.configs() / "protocol.json";
  if (!fs::exists(protocol_file)) {
    if (auto written = replace_file(protocol_file, protocol_of(pipeline).dump(2) + "\n"); !written)
      return written;
  }
  const fs::path run_file = run_dir.configs() / "run.json";
  json runs = json::array();
  if (std::ifstream in(run_file); in) {
    runs = json::parse(in, nullptr, false);
    if (!runs.is_array()) runs = json::array();
  }
  runs.push_back(command_line);
  return replace_file(run_file, runs.dump(2) + "\n");
}

Result<json> read_protocol(const RunDirectory& run_dir) {
  const fs::path file = run_dir.configs() / "protocol.json";
  std::ifstream in(file);
  if (!in) return json::object();
  json protocol = json::parse(in, nullptr, false);
  if (protocol.is_discarded())
    return Error{fmt::format("{}: not valid JSON; restore or delete it", file.string())};
  return protocol;
}

std::vector<std::string> protocol_differences(const json& stored, const json& current) {
  std::vector<std::string> differences;
  if (stored.empty()) return differences;
  for (const auto& change : json::diff(stored, current)) {
    const std::string path = change.value("path", "");
    const json::json_pointer pointer(path);
    const std::string before = stored.contains(pointer) ? stored[pointer].dump() : "(absent)";
    const std::string after = current.contains(pointer) ? current[pointer].dump() : "(absent)";
    differences.push_back(fmt::format("{}: {} -> {}", path, before, after));
  }
  return differences;
}

}  // namespace evalflow
