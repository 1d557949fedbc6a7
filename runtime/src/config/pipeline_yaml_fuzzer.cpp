// libFuzzer target for what a user's pipeline file and -s overrides reach: the YAML reader (aliases, tags,
// scalars typed as YAML 1.2 core), composition and override application, and the schema check. The input
// is a YAML document, then NUL-separated `-s KEY=VALUE` overrides. Every input must end in a document or
// an error message, never a crash, a leak or unbounded memory (nested aliases are bounded).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "config/pipeline_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t yaml_end = std::min(input.find('\0'), input.size());
  static const std::string path = "/tmp/evalflow_pipeline_fuzz_" + std::to_string(getpid()) + ".yaml";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << input.substr(0, yaml_end);

  evalflow::PipelineSources sources;
  sources.pipeline = path;
  for (size_t start = yaml_end + 1; start < input.size();) {
    const size_t end = std::min(input.find('\0', start), input.size());
    sources.overrides.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  const auto document = evalflow::compose_document(sources);
  if (!document && document.error().empty()) std::abort();  // every failure says what is wrong
  return 0;
}
