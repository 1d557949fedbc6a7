// `evalflow plugins`: every node type found, with its fields and options, without running anything
// (gst-inspect for evalflow).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "loader/plugin_registry.hpp"
#include "pipeline_arguments.hpp"
#include "records/record.hpp"

namespace evalflow::cli {

namespace {

std::string concurrency_label(int32_t concurrency) {
  if (concurrency == EF_CONCURRENCY_UNLIMITED) return "unlimited";
  if (concurrency == EF_CONCURRENCY_SERIAL) return "serial";
  return std::to_string(concurrency);
}

std::string fields_label(const ef_field* fields, size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    text += fmt::format("{}{} ({})", i ? ", " : "", fields[i].name, type_name(fields[i].type));
  }
  return text.empty() ? "-" : text;
}

void print_options(const char* schema_text) {
  const auto schema = nlohmann::json::parse(schema_text != nullptr ? schema_text : "{}", nullptr, false);
  if (schema.is_discarded() || !schema.contains("properties")) {
    fmt::print("    options: none\n");
    return;
  }
  const auto required = schema.value("required", nlohmann::json::array());
  fmt::print("    options:\n");
  for (const auto& [name, property] : schema["properties"].items()) {
    std::string type = property.contains("type") ? property["type"].dump() : "any";
    if (property.contains("enum")) type = property["enum"].dump();
    std::erase(type, '"');
    std::string line = fmt::format("      {} ({}", name, type);
    if (std::find(required.begin(), required.end(), name) != required.end()) line += ", required";
    if (property.contains("default")) line += ", default " + property["default"].dump();
    line += ")";
    if (property.contains("description")) line += ": " + property["description"].get<std::string>();
    fmt::print("{}\n", line);
  }
}

}  // namespace

void add_plugins_command(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  auto show_schema = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("plugins", "List every plugin node type, its fields and options");
  command->add_option("node_type", *name, "Show only this node type");
  command->add_flag("--schema", *show_schema, "Print the full options JSON Schema");
  command->callback([name, show_schema] {
    PluginRegistry registry(PluginRegistry::default_search_path());
    const auto errors = registry.load_all();
    for (const auto& error : errors) fmt::print(stderr, "warning: {}\n", error);
    bool found = false;
    for (const auto& plugin : registry.plugins()) {
      const ef_plugin& descriptor = *plugin->descriptor;
      bool header_printed = false;
      for (size_t i = 0; i < descriptor.num_node_types; ++i) {
        const ef_node_type& type = *descriptor.node_types[i];
        if (!name->empty() && *name != type.name) continue;
        found = true;
        if (!header_printed) {
          fmt::print("{} {} ({}, ABI {}.{}) - {}\n  {}\n", descriptor.name, descriptor.version,
                     descriptor.license, descriptor.abi_major, descriptor.abi_minor, descriptor.description,
                     plugin->path.string());
          header_printed = true;
        }
        fmt::print("  {} [{}, concurrency {}]: {}\n", type.name, kind_name(type.kind),
                   concurrency_label(type.concurrency), type.description);
        fmt::print("    reads: {}\n    writes: {}{}\n", fields_label(type.reads, type.num_reads),
                   fields_label(type.writes, type.num_writes),
                   type.resolve_fields != nullptr ? " (more, depending on options)" : "");
        print_options(type.options_schema);
        if (*show_schema) fmt::print("    schema: {}\n", type.options_schema);
      }
    }
    if (!found) {
      std::string searched;
      for (const auto& path : registry.search_path())
        searched += (searched.empty() ? "" : ", ") + path.string();
      fail(name->empty() ? "no plugins found; searched " + searched
                         : fmt::format("no node type '{}'; searched {}", *name, searched));
    }
  });
}

}  // namespace evalflow::cli
