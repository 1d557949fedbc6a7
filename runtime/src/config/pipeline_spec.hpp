// PipelineSpec: the plain structs a pipeline YAML becomes, before anything is loaded or built.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/document.hpp"

namespace evalflow {

struct NodeSpec {
  std::string name;
  std::string type;         // node type name; empty when the node is the shared model
  bool uses_model = false;  // `use: model`: the model's inferencer sits here
  std::string input;        // explicit upstream node name; empty = the node listed before
  nlohmann::json options = nlohmann::json::object();
  std::string pointer;             // where it sits in the document, for error locations
  std::filesystem::path base_dir;  // relative paths in options resolve against it
  bool uses_judge =
      false;  // `use: judge`: the judge model's inferencer sits here (last: aggregates list the rest)
};

// A model's role: `evaluated` (the default) gets a lane per dataset; the one `judge` grades answers where a
// chain says `use: judge`.
struct ModelSpec {
  std::string abbr;
  NodeSpec node;
  bool judge = false;
};

struct Expected {
  std::string metric = "accuracy";
  double value = 0;
  double tolerance = 0;
};

struct DatasetSpec {
  std::string abbr;
  int64_t samples = 1;
  std::optional<int64_t> num_prompts;
  std::optional<Expected> expected;
  std::vector<NodeSpec> nodes;
  std::vector<NodeSpec> metrics;  // aggregate nodes
  std::string pointer;
};

struct PipelineSpec {
  std::string name;
  Document document;
  std::vector<ModelSpec> models;  // the evaluated models
  std::optional<ModelSpec> judge;
  std::vector<DatasetSpec> datasets;
  int64_t records_in_flight = 256;
  std::vector<std::filesystem::path> plugin_paths;
  std::filesystem::path pipeline_dir;  // the directory of the main file (or the first fragment)
  std::vector<std::string> extra_metrics;
};

// What the command line names: a whole pipeline, or AISBench-style fragments; plus -s overrides and
// the run-wide settings that override every dataset.
struct PipelineSources {
  std::optional<std::filesystem::path> pipeline;
  std::vector<std::filesystem::path> models;
  std::vector<std::filesystem::path> datasets;
  std::vector<std::string> overrides;  // "model.KEY=VALUE", "dataset.KEY=VALUE", "NODE.KEY=VALUE"
  std::optional<int64_t> num_prompts;
  std::optional<int64_t> samples;
  std::vector<std::string> extra_metrics;  // aggregate node types added to every dataset (--mode perf)
};

// Reads and merges the files, applies overrides and checks the document against
// schemas/pipeline.schema.json. Errors are one per line, each with file:line:column.
Result<Document> compose_document(const PipelineSources& sources);

// Turns a schema-valid document into the spec.
Result<PipelineSpec> build_spec(Document document);

}  // namespace evalflow
