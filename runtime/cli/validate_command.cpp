// `evalflow validate`: everything `run` checks before it builds anything, and nothing more.
#include <fmt/format.h>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "pipeline_arguments.hpp"

namespace evalflow::cli {

void add_validate_command(CLI::App& app) {
  auto arguments = std::make_shared<PipelineArguments>();
  CLI::App* command = app.add_subcommand("validate", "Check a pipeline without running it");
  arguments->add_to(*command);
  command->callback([arguments] {
    auto loaded = load_pipeline(arguments->sources());
    if (!loaded) fail(loaded.error(), kExitUsage);
    const ValidatedPipeline& pipeline = (*loaded)->pipeline;
    size_t nodes = pipeline.models.size();
    for (const auto& dataset : pipeline.datasets) nodes += dataset.chain.size() + dataset.metrics.size();
    fmt::print("ok: {} model(s), {} dataset(s), {} node(s)\n", pipeline.models.size(),
               pipeline.datasets.size(), nodes);
  });
}

}  // namespace evalflow::cli
