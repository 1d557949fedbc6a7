#include "validate/loaded_pipeline.hpp"

namespace evalflow {

Result<std::unique_ptr<LoadedPipeline>> load_pipeline(const PipelineSources& sources) {
  auto document = compose_document(sources);
  if (!document) return Error{document.error()};
  auto spec = build_spec(std::move(*document));
  if (!spec) return Error{spec.error()};
  spec->extra_metrics = sources.extra_metrics;
  auto loaded = std::make_unique<LoadedPipeline>();
  loaded->registry = std::make_unique<PluginRegistry>(plugin_search_path(*spec));
  auto validated = validate_pipeline(std::move(*spec), *loaded->registry);
  if (!validated) return Error{validated.error()};
  loaded->pipeline = std::move(*validated);
  return loaded;
}

}  // namespace evalflow
