// The command-line arguments that name a pipeline (shared by `run` and `validate`); load_pipeline
// (validate/loaded_pipeline.hpp) takes their sources to a validated pipeline.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "config/pipeline_spec.hpp"
#include "validate/loaded_pipeline.hpp"

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

// Thrown from a command's callback to end the program with that exit code.
int fail(const std::string& message, int exit_code = 1);

}  // namespace evalflow::cli
