#include "pipeline_arguments.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>

#include <evalflow/url_credentials.hpp>
#include "exit_codes.hpp"
#include "fragment_lookup.hpp"

namespace evalflow::cli {

namespace {

// CLI11's own range check prints "Value 0 not in range 0.000000 to 1797...(300 digits)".
CLI::Validator at_least_one(const std::string& option, const std::string& advice) {
  return CLI::Validator(
      [option, advice](const std::string& text) {
        int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size() || value < 1) {
          return fmt::format("{} {}: give a whole number of at least 1 ({})", option, text, advice);
        }
        return std::string();
      },
      "");
}

}  // namespace

void PipelineArguments::add_to(CLI::App& command) {
  command.add_option("pipeline", pipeline, "Pipeline YAML (the whole benchmark)")->check(CLI::ExistingFile);
  command
      .add_option("--models,--model", models,
                  "Model fragments: names in pipelines/models (as AISBench's --models) or YAML paths")
      ->option_text("NAME|PATH ...");
  command
      .add_option("--datasets,--dataset", datasets,
                  "Dataset fragments: names in pipelines/datasets (as AISBench's --datasets) or YAML paths")
      ->option_text("NAME|PATH ...");
  command.add_option("-s,--set", overrides, "Override: model.KEY=VALUE, dataset.KEY=VALUE or NODE.KEY=VALUE");
  command.add_option("--num-prompts", num_prompts, "Only the first N questions of each dataset")
      ->check(at_least_one("--num-prompts", "leave it out to run every question"))
      ->option_text("N");
  command.add_option("--samples", samples, "Ask each question N times (avg@N, pass@k, cons@k)")
      ->check(at_least_one("--samples", "1 asks each question once"))
      ->option_text("N");
}

PipelineSources PipelineArguments::sources() const {
  PipelineSources sources;
  if (!pipeline.empty()) sources.pipeline = pipeline;
  const auto search_path = fragment_search_path();
  const auto resolve_all = [&](std::string_view kind, const std::vector<std::string>& names,
                               std::vector<std::filesystem::path>& into) {
    for (const auto& name : names) {
      auto path = resolve_fragment(kind, name, search_path);
      if (!path) fail(path.error(), kExitUsage);
      into.push_back(std::move(*path));
    }
  };
  resolve_all("models", models, sources.models);
  resolve_all("datasets", datasets, sources.datasets);
  sources.overrides = overrides;
  if (num_prompts >= 0) sources.num_prompts = num_prompts;
  if (samples > 0) sources.samples = samples;
  return sources;
}

int fail(const std::string& message, int exit_code) {
  std::fprintf(stderr, "evalflow: error: %s\n", strip_url_credentials(message).c_str());
  throw CLI::RuntimeError(exit_code);
}

}  // namespace evalflow::cli
