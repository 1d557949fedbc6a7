#include "validate/validated_pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/suggest.hpp"
#include "validate/json_schema.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

namespace {

bool types_compatible(ef_type written, ef_type read) {
  return written == read || written == EF_TYPE_ANY || read == EF_TYPE_ANY;
}

class Validator {
 public:
  Validator(const PipelineSpec& spec, PluginRegistry& registry) : spec_(spec), registry_(registry) {}

  void fail(const std::string& pointer, const std::string& node, const std::string& message) {
    errors_.push_back(fmt::format("{}: {}{}", spec_.document.locate(pointer).str(),
                                  node.empty() ? "" : fmt::format("node '{}': ", node), message));
  }

  // Resolves the type, checks and declares the options; false when the node is unusable.
  bool resolve(ResolvedNode& node) {
    auto type = registry_.find_node_type(node.spec.type);
    if (!type) {
      fail(pointer_child(node.spec.pointer, "type"), node.display_name, type.error());
      return false;
    }
    node.type = *type;
    const ef_node_type& declared = *node.type.type;
    if (!check_options(node) || !check_paths(node)) {
      node.usable = false;
      return false;
    }
    node.options_json = node.spec.options.dump();
    for (size_t i = 0; i < declared.num_reads; ++i)
      node.reads.push_back({declared.reads[i].name, declared.reads[i].type});
    for (size_t i = 0; i < declared.num_writes; ++i) {
      node.writes.push_back({declared.writes[i].name, declared.writes[i].type});
    }
    if (declared.resolve_fields != nullptr) {
      ef_field_list reads;
      ef_field_list writes;
      // Paths made absolute, so that a plugin can look into its files here (a loader checks its columns).
      const std::string resolve_options = with_absolute_paths(node).dump();
      StatusPtr status(declared.resolve_fields(&host_api(), resolve_options.c_str(), &reads, &writes));
      if (status) {
        fail(pointer_child(node.spec.pointer, "options"), node.display_name, status->message);
        node.usable = false;
        return false;
      }
      node.reads.insert(node.reads.end(), reads.fields.begin(), reads.fields.end());
      node.writes.insert(node.writes.end(), writes.fields.begin(), writes.fields.end());
    }
    return true;
  }

  // The options with every path option ("x-path": true) absolute, taken from the node's base directory.
  static json with_absolute_paths(const ResolvedNode& node) {
    json options = node.spec.options;
    const json schema = json::parse(
        node.type.type->options_schema != nullptr ? node.type.type->options_schema : "{}", nullptr, false);
    if (!schema.is_object() || !schema.contains("properties") || !options.is_object()) return options;
    const auto absolute = [&](json& value) {
      if (!value.is_string()) return;
      const fs::path path = value.get<std::string>();
      if (path.is_relative()) value = fs::absolute(node.spec.base_dir / path).lexically_normal().string();
    };
    for (const auto& [name, property] : schema["properties"].items()) {
      if (!property.is_object() || !property.value("x-path", false) || !options.contains(name)) continue;
      json& value = options[name];
      if (value.is_array()) {
        for (json& item : value) absolute(item);
      } else {
        absolute(value);
      }
    }
    return options;
  }

  // Options the schema marks as paths ("x-path": true) must name files or folders that exist: a missing data
  // file is found now, not when the run has started.
  bool check_paths(const ResolvedNode& node) {
    const json schema = json::parse(
        node.type.type->options_schema != nullptr ? node.type.type->options_schema : "{}", nullptr, false);
    if (!schema.is_object() || !schema.contains("properties") || !node.spec.options.is_object()) return true;
    bool found = true;
    for (const auto& [name, property] : schema["properties"].items()) {
      if (!property.is_object() || !property.value("x-path", false) || !node.spec.options.contains(name))
        continue;
      const json& value = node.spec.options[name];
      const json paths = value.is_array() ? value : json::array({value});
      for (size_t i = 0; i < paths.size(); ++i) {
        if (!paths[i].is_string()) continue;
        fs::path path = paths[i].get<std::string>();
        if (path.is_relative()) path = node.spec.base_dir / path;
        if (fs::exists(path)) continue;
        const std::string option_pointer = pointer_child(pointer_child(node.spec.pointer, "options"), name);
        fail(value.is_array() ? pointer_child(option_pointer, i) : option_pointer, node.display_name,
             fmt::format("option {}: {} does not exist{}", name, path.lexically_normal().string(),
                         fs::path(paths[i].get<std::string>()).is_relative()
                             ? fmt::format(" (relative paths are taken from {})", node.spec.base_dir.string())
                             : ""));
        found = false;
      }
    }
    return found;
  }

  bool check_options(ResolvedNode& node) {
    const ef_node_type& declared = *node.type.type;
    const std::string options_pointer = pointer_child(node.spec.pointer, "options");
    if (declared.options_schema == nullptr) return true;
    std::shared_ptr<const JsonSchema> schema;
    {
      auto& cached = schemas_[&declared];
      if (!cached) {
        auto parsed = JsonSchema::parse(declared.options_schema);
        if (!parsed) {
          fail(node.spec.pointer, node.display_name,
               fmt::format("plugin {} declares a broken options schema for '{}': {}",
                           node.type.plugin->path.string(), declared.name, parsed.error()));
          return false;
        }
        cached = *parsed;
      }
      schema = cached;
    }
    if (const bool known = check_option_names(node, json::parse(declared.options_schema), node.spec.options,
                                              options_pointer, "");
        !known) {
      return false;
    }
    const auto violations = schema->validate(node.spec.options);
    for (const auto& violation : violations) {
      fail(options_pointer + violation.pointer, node.display_name,
           fmt::format("option {}: {} (`evalflow plugins {}` lists its options)",
                       violation.pointer.empty() ? "object" : violation.pointer.substr(1), violation.message,
                       declared.name));
    }
    return violations.empty();
  }

  // Option names the schema does not know, each with the closest known name. A closed object
  // (additionalProperties: false) refuses any other name; an open one with listed properties (generation
  // kwargs passed verbatim to a server) refuses only a near miss of a listed name, which would otherwise be
  // ignored silently (`max_token` for `max_tokens`).
  bool check_option_names(const ResolvedNode& node, const json& schema, const json& options,
                          const std::string& pointer, const std::string& prefix) {
    if (!schema.is_object() || !options.is_object() || !schema.contains("properties")) return true;
    const json& properties = schema["properties"];
    std::vector<std::string> names;
    for (const auto& [name, property] : properties.items()) names.push_back(name);
    const bool closed = schema.contains("additionalProperties") && schema["additionalProperties"] == false;
    bool known = true;
    for (const auto& [key, value] : options.items()) {
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      if (properties.contains(key)) {
        known = check_option_names(node, properties[key], value, pointer_child(pointer, key), path) && known;
        continue;
      }
      const std::string suggestion = closest_name(key, names);
      if (!closed && suggestion.empty()) continue;
      fail(pointer_child(pointer, key), node.display_name,
           fmt::format("unknown option '{}'{}{} (`evalflow plugins {}` lists its options)", path,
                       closed ? "" : " (it would be passed on as written and ignored)",
                       suggestion.empty()
                           ? ""
                           : fmt::format("; did you mean '{}'?",
                                         prefix.empty() ? suggestion : prefix + "." + suggestion),
                       node.type.type->name));
      known = false;
    }
    return known;
  }

  ResolvedNode make_node(const NodeSpec& spec, const std::string& display_name) {
    ResolvedNode node;
    node.spec = spec;
    node.display_name = display_name;
    return node;
  }

  // Orders the nodes along their `input:` links; reports unknown inputs, fan-out and cycles.
  bool order_chain(const DatasetSpec& dataset, std::vector<size_t>& order) {
    const auto& nodes = dataset.nodes;
    std::map<std::string, size_t> index_of;
    for (size_t i = 0; i < nodes.size(); ++i) index_of[nodes[i].name] = i;
    std::vector<int> upstream(nodes.size(), -1);
    bool ok = true;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const std::string name = dataset.abbr + "." + nodes[i].name;
      if (!nodes[i].input.empty()) {
        auto it = index_of.find(nodes[i].input);
        if (it == index_of.end()) {
          std::vector<std::string> names;
          for (const auto& other : nodes) names.push_back(other.name);
          fail(pointer_child(nodes[i].pointer, "input"), name,
               fmt::format("input '{}' is not a node of dataset '{}'{}", nodes[i].input, dataset.abbr,
                           did_you_mean(nodes[i].input, names)));
          ok = false;
          continue;
        }
        upstream[i] = static_cast<int>(it->second);
      } else if (i > 0) {
        upstream[i] = static_cast<int>(i - 1);
      }
    }
    if (!ok) return false;
    for (size_t i = 0; i < nodes.size(); ++i) {
      std::vector<size_t> path{i};
      for (int at = upstream[i]; at >= 0; at = upstream[at]) {
        if (static_cast<size_t>(at) == i) {
          // In flow order: each node feeds the next.
          std::string cycle = nodes[i].name;
          for (auto it = path.rbegin(); it + 1 != path.rend(); ++it) cycle += " -> " + nodes[*it].name;
          fail(nodes[i].pointer, dataset.abbr + "." + nodes[i].name,
               fmt::format("cycle: {} -> {}; a pipeline must be acyclic: fix the `input:` links", cycle,
                           nodes[i].name));
          return false;
        }
        if (path.size() > nodes.size()) break;
        path.push_back(at);
      }
    }
    std::vector<std::vector<size_t>> downstream(nodes.size());
    size_t roots = 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (upstream[i] < 0) {
        ++roots;
      } else {
        downstream[upstream[i]].push_back(i);
      }
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (downstream[i].size() > 1) {
        fail(nodes[downstream[i][1]].pointer, dataset.abbr + "." + nodes[downstream[i][1]].name,
             fmt::format("node '{}' already feeds '{}'; a dataset is one chain, so each node has at most one "
                         "consumer",
                         nodes[i].name, nodes[downstream[i][0]].name));
        return false;
      }
    }
    if (roots != 1) {
      fail(dataset.pointer, "",
           fmt::format("dataset '{}' must be one chain starting at its loader", dataset.abbr));
      return false;
    }
    for (int at = static_cast<int>(std::find(upstream.begin(), upstream.end(), -1) - upstream.begin());;) {
      order.push_back(static_cast<size_t>(at));
      if (downstream[at].empty()) break;
      at = static_cast<int>(downstream[at][0]);
    }
    return true;
  }

  static bool writes_prediction(const ResolvedNode& node) {
    return std::any_of(node.writes.begin(), node.writes.end(),
                       [](const FieldDecl& write) { return write.name == "prediction"; });
  }

  void check_kinds(const ResolvedDataset& dataset) {
    for (size_t i = 0; i < dataset.chain.size(); ++i) {
      const ResolvedNode& node = dataset.chain[i];
      if (node.type.type == nullptr) continue;
      const ef_node_kind kind = node.type.type->kind;
      const bool is_model = static_cast<int>(i) == dataset.model_position;
      std::string problem;
      if (i == 0 && kind != EF_NODE_SOURCE) {
        problem = "the first node of a dataset must be a source (a dataset loader)";
      } else if (i > 0 && kind == EF_NODE_SOURCE) {
        problem = "a source can only be the first node of a dataset";
      } else if (kind == EF_NODE_AGGREGATE) {
        problem = "an aggregate node belongs under the dataset's `metrics:`";
      } else if (is_model && kind != EF_NODE_ASYNC && kind != EF_NODE_FUNCTION) {
        problem = "a model must be an inferencer (an async or function node)";
      } else if (!is_model && kind == EF_NODE_ASYNC &&
                 (dataset.model_position < 0 || static_cast<int>(i) < dataset.model_position)) {
        problem =
            "an inferencer cannot stand in a dataset's chain; declare it as the pipeline's `model:` and put "
            "`- use: model` here (one model per pipeline for now); async scoring nodes (code_exec) go after "
            "it";
      } else if (!is_model && kind == EF_NODE_ASYNC && writes_prediction(node)) {
        // It would run, and silently replace the model's answer (and its timing) with its own.
        problem =
            "a second inferencer after the model would overwrite the model's `prediction`; declare it under "
            "`models:` with `role: judge` and put `- use: judge` here (its answer comes back as "
            "judge_prediction)";
      }
      if (!problem.empty()) {
        fail(pointer_child(node.spec.pointer, "type"), node.display_name,
             fmt::format("'{}' is a {} node: {}", node.type.type->name, kind_name(kind), problem));
      }
    }
    for (const auto& metric : dataset.metrics) {
      if (metric.type.type != nullptr && metric.type.type->kind != EF_NODE_AGGREGATE) {
        fail(pointer_child(metric.spec.pointer, "type"), metric.display_name,
             fmt::format("'{}' is a {} node; `metrics:` takes aggregate nodes (e.g. accuracy)",
                         metric.type.type->name, kind_name(metric.type.type->kind)));
      }
    }
  }

  // The judge as it stands at a chain's `use: judge`: it reads the judge_* fields there.
  static ResolvedNode as_judge_step(const ResolvedNode& judge, const ResolvedNode& step) {
    ResolvedNode node = judge;
    node.spec.pointer = step.spec.pointer;
    node.display_name = step.display_name;
    for (auto& read : node.reads) read.name = judge_field(read.name);
    return node;
  }

  // Walks the chain with the fields written so far; every read must find its field and type.
  void check_fields(const ResolvedDataset& dataset, const ResolvedModel* model, const ResolvedModel* judge) {
    std::map<std::string, std::pair<ef_type, std::string>> available;
    auto check_reads = [&](const ResolvedNode& node) {
      for (const auto& read : node.reads) {
        auto it = available.find(read.name);
        if (it == available.end() && available.count(EF_ANY_FIELDS) != 0) continue;
        if (it == available.end()) {
          fail(
              node.spec.pointer, node.display_name,
              fmt::format("reads field '{}' ({}), but no node upstream writes it{}", read.name,
                          type_name(read.type), model ? fmt::format(" (with model '{}')", model->abbr) : ""));
        } else if (!types_compatible(it->second.first, read.type)) {
          fail(node.spec.pointer, node.display_name,
               fmt::format("reads field '{}' as {}, but '{}' writes it as {}", read.name,
                           type_name(read.type), it->second.second, type_name(it->second.first)));
        }
      }
    };
    for (size_t i = 0; i < dataset.chain.size(); ++i) {
      const bool is_model = static_cast<int>(i) == dataset.model_position;
      const bool is_judge = static_cast<int>(i) == dataset.judge_position;
      if (is_judge && judge != nullptr) {
        if (judge->node.type.type == nullptr || !judge->node.usable) return;
        check_reads(as_judge_step(judge->node, dataset.chain[i]));
        for (const auto& write : judge->node.writes)
          available[judge_field(write.name)] = {write.type, judge->node.display_name};
        continue;
      }
      const ResolvedNode& node = is_model && model != nullptr ? model->node : dataset.chain[i];
      // A node with an unknown type or bad options is reported already; what it would write is unknown.
      if (node.type.type == nullptr || !node.usable) return;
      check_reads(node);
      for (const auto& write : node.writes) available[write.name] = {write.type, node.display_name};
    }
    for (const auto& metric : dataset.metrics) {
      if (metric.type.type != nullptr) check_reads(metric);
    }
  }

  // `use: judge` needs the pipeline's judge, once per chain, after the evaluated model.
  void check_judge_step(const ResolvedDataset& dataset, const NodeSpec& step) {
    const std::string name = dataset.spec.abbr + "." + step.name;
    if (dataset.judge_position >= 0) {
      fail(step.pointer, name, "a dataset uses the judge only once");
    } else if (!spec_.judge) {
      fail(step.pointer, name,
           "`use: judge`, but the pipeline has no judge: add a `models:` entry with `role: judge` (e.g. "
           "--models MODEL pipelines/models/judge_vllm_api_general_chat.yaml)");
    } else if (dataset.model_position < 0) {
      fail(step.pointer, name,
           "`use: judge` before `use: model`: the judge grades the model's answer, so it comes after the "
           "model and the node that renders the judge's prompt (judge_prompt)");
    }
  }

  static bool writes_field(const ResolvedDataset& dataset, const std::string& field) {
    return std::any_of(dataset.chain.begin(), dataset.chain.end(), [&](const ResolvedNode& node) {
      return std::any_of(node.writes.begin(), node.writes.end(),
                         [&](const FieldDecl& write) { return write.name == field; });
    });
  }

  ResolvedModel resolve_model(const ModelSpec& model, const std::string& role) {
    ResolvedModel resolved{model.abbr, make_node(model.node, role + model.abbr)};
    resolve(resolved.node);
    if (resolved.node.type.type != nullptr && resolved.node.type.type->kind != EF_NODE_ASYNC &&
        resolved.node.type.type->kind != EF_NODE_FUNCTION) {
      fail(pointer_child(model.node.pointer, "type"), resolved.node.display_name,
           fmt::format("'{}' is a {} node; a model must be an inferencer (async or function node)",
                       model.node.type, kind_name(resolved.node.type.type->kind)));
    }
    return resolved;
  }

  Result<ValidatedPipeline> run() {
    ValidatedPipeline validated;
    for (const auto& model : spec_.models) validated.models.push_back(resolve_model(model, "model "));
    if (spec_.judge) {
      validated.judge = resolve_model(*spec_.judge, "judge ");
      const ef_node_type* type = validated.judge->node.type.type;
      if (type != nullptr && type->kind == EF_NODE_FUNCTION) {
        fail(pointer_child(spec_.judge->node.pointer, "type"), validated.judge->node.display_name,
             fmt::format("'{}' is a function node; a judge must be an async inferencer (openai_http, replay, "
                         "torch_local)",
                         spec_.judge->node.type));
      }
    }
    for (const auto& dataset : spec_.datasets) {
      ResolvedDataset resolved;
      resolved.spec = dataset;
      std::vector<size_t> order;
      if (!order_chain(dataset, order)) continue;
      for (size_t index : order) {
        const NodeSpec& node_spec = dataset.nodes[index];
        if (node_spec.uses_judge) {
          check_judge_step(resolved, node_spec);
          resolved.judge_position = static_cast<int>(resolved.chain.size());
          resolved.chain.push_back(make_node(node_spec, dataset.abbr + "." + node_spec.name));
          continue;
        }
        if (node_spec.uses_model) {
          if (resolved.model_position >= 0) {
            fail(node_spec.pointer, dataset.abbr + "." + node_spec.name,
                 "a dataset uses the model only once");
          }
          resolved.model_position = static_cast<int>(resolved.chain.size());
          resolved.chain.push_back(make_node(node_spec, dataset.abbr + "." + node_spec.name));
          continue;
        }
        ResolvedNode node = make_node(node_spec, dataset.abbr + "." + node_spec.name);
        resolve(node);
        resolved.chain.push_back(std::move(node));
      }
      if (resolved.model_position >= 0 && spec_.models.empty()) {
        fail(resolved.chain[resolved.model_position].spec.pointer, dataset.abbr + ".model",
             "`use: model`, but the pipeline has no model: add `model:` or pass --model");
      }
      std::vector<NodeSpec> metrics = dataset.metrics;
      if (metrics.empty() && writes_field(resolved, "correct")) {
        // A dataset that scores samples gets AISBench's accuracy, and the multi-sample and reasoning-aware
        // figures of sample_metrics, unless it lists its own metrics.
        for (const char* type : {"accuracy", "sample_metrics"}) {
          metrics.push_back(NodeSpec{type, type, false, "", json::object(), dataset.pointer,
                                     resolved.chain[0].spec.base_dir});
        }
      }
      for (const auto& extra : spec_.extra_metrics) {
        metrics.push_back(NodeSpec{extra, extra, false, "", json::object(), dataset.pointer,
                                   resolved.chain[0].spec.base_dir});
      }
      for (const auto& metric : metrics) {
        ResolvedNode node = make_node(metric, dataset.abbr + "." + metric.name);
        resolve(node);
        resolved.metrics.push_back(std::move(node));
      }
      check_kinds(resolved);
      const ResolvedModel* judge = validated.judge ? &*validated.judge : nullptr;
      if (resolved.model_position >= 0) {
        for (const auto& model : validated.models) check_fields(resolved, &model, judge);
      } else {
        check_fields(resolved, nullptr, judge);
      }
      validated.datasets.push_back(std::move(resolved));
    }
    if (!errors_.empty()) {
      std::string message;
      for (const auto& error : errors_) message += (message.empty() ? "" : "\n") + error;
      return Error{message};
    }
    validated.spec = spec_;
    return validated;
  }

 private:
  const PipelineSpec& spec_;
  PluginRegistry& registry_;
  std::vector<std::string> errors_;
  std::map<const ef_node_type*, std::shared_ptr<const JsonSchema>> schemas_;
};

}  // namespace

std::string judge_field(const std::string& name) {
  return "judge_" + name;
}

std::vector<fs::path> plugin_search_path(const PipelineSpec& spec) {
  std::vector<fs::path> path = spec.plugin_paths;
  for (auto& entry : PluginRegistry::default_search_path(spec.pipeline_dir)) path.push_back(std::move(entry));
  return path;
}

Result<ValidatedPipeline> validate_pipeline(PipelineSpec spec, PluginRegistry& registry) {
  Validator validator(spec, registry);
  return validator.run();
}

}  // namespace evalflow
