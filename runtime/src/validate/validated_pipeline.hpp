// Validation before anything is built (MediaPipe's ValidatedGraphConfig): node types resolved,
// options checked against each node's schema, the chain ordered and acyclic, and every field a node
// reads written upstream with the same type.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/pipeline_spec.hpp"
#include "loader/plugin_registry.hpp"
#include "records/host_api.hpp"

namespace evalflow {

struct ResolvedNode {
  NodeSpec spec;
  NodeTypeRef type;
  std::string display_name;  // "aime2024.prompt", or "model vllm-api" for a model
  std::string options_json;
  std::vector<FieldDecl> reads;
  std::vector<FieldDecl> writes;
  bool usable = true;  // false when its options were refused: what it reads and writes is unknown
};

struct ResolvedDataset {
  DatasetSpec spec;
  std::vector<ResolvedNode> chain;  // in flow order; chain[0] is the source
  int model_position = -1;          // index in chain of `use: model`, -1 when the dataset needs no model
  int judge_position = -1;          // index in chain of `use: judge` (after the model), -1 when none
  std::vector<ResolvedNode> metrics;
};

struct ResolvedModel {
  std::string abbr;
  ResolvedNode node;
};

// The judge reads its inputs from the record's fields of the same names prefixed `judge_` (judge_messages)
// and writes its outputs back prefixed too (judge_prediction), so that they never overwrite the evaluated
// model's prompt and answer.
std::string judge_field(const std::string& name);

struct ValidatedPipeline {
  PipelineSpec spec;
  std::vector<ResolvedModel> models;  // the evaluated models
  std::optional<ResolvedModel> judge;
  std::vector<ResolvedDataset> datasets;
};

// All problems found, one per line, each with file:line:column and the node; or the validated pipeline.
Result<ValidatedPipeline> validate_pipeline(PipelineSpec spec, PluginRegistry& registry);

// The search path a pipeline's plugins are looked for in (its plugin_paths, then the defaults).
std::vector<std::filesystem::path> plugin_search_path(const PipelineSpec& spec);

}  // namespace evalflow
