#include "loader/plugin_registry.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "records/host_api.hpp"

namespace fs = std::filesystem;

namespace evalflow {

namespace {

constexpr std::string_view kPrefix = "libevalflow_";
constexpr std::string_view kSuffix = ".so";

fs::path executable_dir() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path() : self.parent_path();
}

std::string join_paths(const std::vector<fs::path>& paths) {
  std::string joined;
  for (const auto& path : paths) {
    if (!joined.empty()) joined += ", ";
    joined += path.string();
  }
  return joined.empty() ? "(empty search path)" : joined;
}

bool is_plugin_file(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.starts_with(kPrefix) && name.ends_with(kSuffix);
}

}  // namespace

std::string plugin_file_name(std::string_view name) {
  return fmt::format("{}{}{}", kPrefix, name, kSuffix);
}

std::vector<fs::path> PluginRegistry::default_search_path(const fs::path& pipeline_dir) {
  std::vector<fs::path> path;
  if (!pipeline_dir.empty()) path.push_back(pipeline_dir);
  if (const char* env = std::getenv("EVALFLOW_PLUGIN_PATH")) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const size_t colon = rest.find(':');
      const std::string_view entry = rest.substr(0, colon);
      if (!entry.empty()) path.emplace_back(entry);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  // The install directory, relative to the executable so that an installed tree can move; and the
  // build tree's plugins/ folder next to bin/.
  const fs::path bin = executable_dir();
  if (!bin.empty()) {
    path.push_back(bin.parent_path() / "lib" / "evalflow" / "plugins");
    path.push_back(bin.parent_path() / "plugins");
  }
  return path;
}

PluginRegistry::PluginRegistry(std::vector<fs::path> search_path) : search_path_(std::move(search_path)) {}

PluginRegistry::~PluginRegistry() {
  // Plugins stay mapped until the registry goes: node instances and their static data live in them.
  for (auto& plugin : plugins_) dlclose(plugin->handle);
}

const LoadedPlugin* PluginRegistry::already_loaded(const fs::path& file) const {
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(file, error);
  for (const auto& plugin : plugins_) {
    if (plugin->path == canonical) return plugin.get();
  }
  return nullptr;
}

Result<const LoadedPlugin*> PluginRegistry::load_file(const fs::path& file) {
  if (const LoadedPlugin* loaded = already_loaded(file)) return loaded;
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(file, error);
  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Error{fmt::format("{}: cannot load plugin: {}", file.string(), dlerror())};
  }
  auto close_on_error = [&](std::string message) {
    dlclose(handle);
    return Error{fmt::format("{}: {}", file.string(), message)};
  };
  void* symbol = dlsym(handle, EF_PLUGIN_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    return close_on_error(
        fmt::format("not an evalflow plugin: it does not export '{}'", EF_PLUGIN_ENTRY_SYMBOL));
  }
  auto entry = reinterpret_cast<ef_plugin_entry_fn>(symbol);
  const ef_plugin* descriptor = entry(&host_api());
  if (descriptor == nullptr) {
    return close_on_error(
        fmt::format("the plugin refused this host (host ABI {}.{}); rebuild it against this SDK",
                    EF_ABI_MAJOR, EF_ABI_MINOR));
  }
  if (descriptor->abi_major != EF_ABI_MAJOR) {
    return close_on_error(
        fmt::format("plugin ABI {}.{} is incompatible with host ABI {}.{} (major versions differ); "
                    "rebuild the plugin against this SDK",
                    descriptor->abi_major, descriptor->abi_minor, EF_ABI_MAJOR, EF_ABI_MINOR));
  }
  if (descriptor->abi_minor > EF_ABI_MINOR) {
    return close_on_error(fmt::format("plugin ABI {}.{} is newer than host ABI {}.{}; upgrade evalflow",
                                      descriptor->abi_major, descriptor->abi_minor, EF_ABI_MAJOR,
                                      EF_ABI_MINOR));
  }
  if (descriptor->struct_size < offsetof(ef_plugin, num_node_types) + sizeof(size_t)) {
    return close_on_error(fmt::format("plugin descriptor too small ({} bytes)", descriptor->struct_size));
  }
  for (size_t i = 0; i < descriptor->num_node_types; ++i) {
    const ef_node_type* type = descriptor->node_types[i];
    if (type == nullptr || type->name == nullptr || type->create == nullptr) {
      return close_on_error(fmt::format("node type #{} is incomplete (no name or no create function)", i));
    }
  }
  auto plugin = std::make_unique<LoadedPlugin>(LoadedPlugin{canonical, handle, descriptor});
  plugins_.push_back(std::move(plugin));
  return plugins_.back().get();
}

std::vector<std::string> PluginRegistry::load_all() {
  std::vector<std::string> errors;
  if (scanned_all_) return errors;
  scanned_all_ = true;
  for (const auto& directory : search_path_) {
    std::error_code error;
    if (!fs::is_directory(directory, error)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory, error)) {
      if (entry.is_regular_file() && is_plugin_file(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      if (auto loaded = load_file(file); !loaded) errors.push_back(loaded.error());
    }
  }
  return errors;
}

std::vector<NodeTypeRef> PluginRegistry::node_types_named(std::string_view name) const {
  std::vector<NodeTypeRef> found;
  for (const auto& plugin : plugins_) {
    for (size_t i = 0; i < plugin->descriptor->num_node_types; ++i) {
      const ef_node_type* type = plugin->descriptor->node_types[i];
      if (name == type->name) found.push_back({type, plugin.get()});
    }
  }
  return found;
}

Result<NodeTypeRef> PluginRegistry::find_node_type(std::string_view name) {
  auto unique = [&]() -> Result<NodeTypeRef> {
    const auto found = node_types_named(name);
    if (found.size() > 1) {
      return Error{
          fmt::format("node type '{}' is provided by both {} and {}; remove one from the search path", name,
                      found[0].plugin->path.string(), found[1].plugin->path.string())};
    }
    if (found.empty()) return Error{};
    return found.front();
  };
  if (auto found = unique(); found) return found;
  // Most plugins are named after their node type: try that file before loading everything.
  std::vector<std::string> load_errors;
  for (const auto& directory : search_path_) {
    const fs::path candidate = directory / plugin_file_name(name);
    std::error_code error;
    if (!fs::exists(candidate, error)) continue;
    if (auto loaded = load_file(candidate); !loaded) {
      return Error{loaded.error()};
    }
    break;
  }
  if (auto found = unique(); found) return found;
  for (auto& error : load_all()) load_errors.push_back(std::move(error));
  if (auto found = unique(); found || !found.error().empty()) return found;
  std::string message = fmt::format("unknown node type '{}': no plugin provides it; searched {}", name,
                                    join_paths(search_path_));
  for (const auto& error : load_errors) message += fmt::format("; (also: {})", error);
  message += "; run `evalflow plugins` to list the node types found, or set EVALFLOW_PLUGIN_PATH";
  return Error{message};
}

}  // namespace evalflow
