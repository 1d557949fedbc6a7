// The command-line arguments that name a pipeline (shared by `run` and `validate`), and the steps
// from them to a validated pipeline.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/pipeline_spec.hpp"
#include "loader/plugin_registry.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow::cli {

struct PipelineArguments {
  std::string pipeline;
  std::vector<std::string> models;
  std::vector<std::string> datasets;
  std::vector<std::string> overrides;
  int64_t num_prompts = -1;
  int64_t samples = -1;

  void add_to(CLI::App& command);
  [[nodiscard]] PipelineSources sources() const;
};

struct LoadedPipeline {
  std::unique_ptr<PluginRegistry> registry;  // keeps the plugins loaded while the pipeline lives
  ValidatedPipeline pipeline;
};

// Composes, checks the schema, resolves plugins and validates; the error lists every problem found.
Result<std::unique_ptr<LoadedPipeline>> load_pipeline(const PipelineSources& sources);

// Thrown from a command's callback to end the program with that exit code.
int fail(const std::string& message, int exit_code = 1);

}  // namespace evalflow::cli
