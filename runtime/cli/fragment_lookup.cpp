#include "fragment_lookup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "common/suggest.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  return names;
}

}  // namespace

std::vector<fs::path> fragment_search_path() {
  std::vector<fs::path> path;
  if (const char* listed = std::getenv("EVALFLOW_PIPELINE_PATH")) {
    std::stringstream entries(listed);
    for (std::string entry; std::getline(entries, entry, ':');) {
      if (!entry.empty()) path.emplace_back(entry);
    }
  }
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) path.push_back(self.parent_path().parent_path() / "share" / "evalflow" / "pipelines");
  path.emplace_back(EVALFLOW_SOURCE_PIPELINES_DIR);
  return path;
}

Result<fs::path> resolve_fragment(std::string_view kind, const std::string& name_or_path,
                                  const std::vector<fs::path>& search_path) {
  std::error_code error;
  if (fs::is_regular_file(name_or_path, error)) return fs::path(name_or_path);
  const bool looks_like_path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".yaml");
  if (looks_like_path) return Error{fmt::format("{} fragment '{}': no such file", kind, name_or_path)};

  std::vector<std::string> known;
  std::string searched;
  for (const fs::path& dir : search_path) {
    const fs::path candidate = dir / kind / (name_or_path + ".yaml");
    if (fs::is_regular_file(candidate, error)) return candidate;
    searched += (searched.empty() ? "" : ", ") + (dir / kind).string();
    for (auto& name : names_in(dir / kind)) {
      if (std::find(known.begin(), known.end(), name) == known.end()) known.push_back(std::move(name));
    }
  }
  std::sort(known.begin(), known.end());
  std::string listing;
  for (const auto& name : known) listing += "\n  " + name;
  return Error{
      fmt::format("no {} fragment named '{}'{} (searched {}; set EVALFLOW_PIPELINE_PATH to add "
                  "folders holding {}/NAME.yaml){}",
                  kind, name_or_path, did_you_mean(name_or_path, known), searched, kind,
                  listing.empty() ? "" : "\nknown names:" + listing)};
}

}  // namespace evalflow::cli
