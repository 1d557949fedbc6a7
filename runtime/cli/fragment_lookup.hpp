// AISBench-style names for pipeline fragments: `--models vllm_api_general_chat` finds
// pipelines/models/vllm_api_general_chat.yaml, as `ais_bench --models` finds its configs; a path still works.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace evalflow::cli {

// Where fragments are looked for, in order: $EVALFLOW_PIPELINE_PATH (colon-separated), the installed
// share/evalflow/pipelines beside the executable, then this source tree's pipelines/.
std::vector<std::filesystem::path> fragment_search_path();

// `kind` is "models" or "datasets". An existing file is taken as it is; otherwise the name is looked up as
// <dir>/<kind>/<name>.yaml in the search path, and the error lists the names there with the closest one.
Result<std::filesystem::path> resolve_fragment(std::string_view kind, const std::string& name_or_path,
                                               const std::vector<std::filesystem::path>& search_path);

}  // namespace evalflow::cli
