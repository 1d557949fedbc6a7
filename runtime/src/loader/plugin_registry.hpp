// Finds, loads and checks plugins: search path, dlopen, ABI version checks, node types by name.
#pragma once

#include <evalflow/plugin.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace evalflow {

struct LoadedPlugin {
  std::filesystem::path path;
  void* handle = nullptr;
  const ef_plugin* descriptor = nullptr;
};

struct NodeTypeRef {
  const ef_node_type* type = nullptr;
  const LoadedPlugin* plugin = nullptr;
};

class PluginRegistry {
 public:
  // Where plugins are looked for, in order: the pipeline's directory (when given), every entry of
  // EVALFLOW_PLUGIN_PATH, then the install directory.
  static std::vector<std::filesystem::path> default_search_path(
      const std::filesystem::path& pipeline_dir = {});

  explicit PluginRegistry(std::vector<std::filesystem::path> search_path);
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads one plugin file; the error is one line naming the file and the reason.
  Result<const LoadedPlugin*> load_file(const std::filesystem::path& file);

  // The node type called `name`: first from libevalflow_<name>.so, else from any plugin in the search
  // path. The error lists every path searched.
  Result<NodeTypeRef> find_node_type(std::string_view name);

  // Loads every plugin in the search path; returns one error line per file that failed.
  std::vector<std::string> load_all();

  [[nodiscard]] const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  [[nodiscard]] const std::vector<std::filesystem::path>& search_path() const { return search_path_; }

 private:
  const LoadedPlugin* already_loaded(const std::filesystem::path& file) const;
  std::vector<NodeTypeRef> node_types_named(std::string_view name) const;

  std::vector<std::filesystem::path> search_path_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  bool scanned_all_ = false;
};

// The file name a plugin called `name` has: libevalflow_<name>.so.
std::string plugin_file_name(std::string_view name);

}  // namespace evalflow
