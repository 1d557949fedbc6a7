// Named option sets that reproduce a reference's answer extraction. Each is plain data: the options it
// stands for, and where the rule comes from (README.md cites the code).
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

namespace evalflow::regex_extract {

struct Preset {
  std::string_view name;
  std::string_view reference;  // whose rule this is, for `evalflow plugins` and error messages
  std::string_view options;    // JSON: the options it stands for
};

std::span<const Preset> presets();

// `options` with its `preset` expanded: the preset's options, then every other option given, which
// replaces the preset's value of the same key. Throws sdk::Error naming the known presets when unknown.
nlohmann::json with_preset(const nlohmann::json& options);

}  // namespace evalflow::regex_extract
