// From pipeline sources (files, fragments, overrides) to a validated pipeline with its plugins loaded: the
// steps `evalflow run` and `evalflow validate` take, and tests that run whole pipelines.
#pragma once

#include <memory>

#include "config/pipeline_spec.hpp"
#include "loader/plugin_registry.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

struct LoadedPipeline {
  std::unique_ptr<PluginRegistry> registry;  // keeps the plugins loaded while the pipeline lives
  ValidatedPipeline pipeline;
};

// Composes, checks the schema, resolves plugins and validates; the error lists every problem found.
Result<std::unique_ptr<LoadedPipeline>> load_pipeline(const PipelineSources& sources);

}  // namespace evalflow
