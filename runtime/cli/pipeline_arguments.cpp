#include "pipeline_arguments.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace evalflow::cli {

void PipelineArguments::add_to(CLI::App& command) {
  command.add_option("pipeline", pipeline, "Pipeline YAML (the whole benchmark)")->check(CLI::ExistingFile);
  command.add_option("--model", models, "Model fragment YAML (repeatable), as AISBench's --models")
      ->check(CLI::ExistingFile);
  command.add_option("--dataset", datasets, "Dataset fragment YAML (repeatable), as AISBench's --datasets")
      ->check(CLI::ExistingFile);
  command.add_option("-s,--set", overrides, "Override: model.KEY=VALUE, dataset.KEY=VALUE or NODE.KEY=VALUE");
  command.add_option("--num-prompts", num_prompts, "Only the first N questions of each dataset")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--samples", samples, "Ask each question N times (avg@N, pass@k, cons@k)")
      ->check(CLI::PositiveNumber);
}

PipelineSources PipelineArguments::sources() const {
  PipelineSources sources;
  if (!pipeline.empty()) sources.pipeline = pipeline;
  for (const auto& model : models) sources.models.emplace_back(model);
  for (const auto& dataset : datasets) sources.datasets.emplace_back(dataset);
  sources.overrides = overrides;
  if (num_prompts >= 0) sources.num_prompts = num_prompts;
  if (samples > 0) sources.samples = samples;
  return sources;
}

int fail(const std::string& message, int exit_code) {
  std::fprintf(stderr, "evalflow: error: %s\n", message.c_str());
  throw CLI::RuntimeError(exit_code);
}

}  // namespace evalflow::cli
