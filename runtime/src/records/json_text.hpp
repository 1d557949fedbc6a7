// JSON text crossing the ABI (set_json: lists and maps a plugin writes) parsed into the record's value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace evalflow {

// The value nlohmann::json::parse would give, or nullopt where it would fail. simdjson reads the text
// (nlohmann's lexer was the largest cost of a record through a chat template); what simdjson refuses
// (an integer beyond 64 bits) goes to nlohmann, so both give one answer.
std::optional<nlohmann::json> parse_json_text(std::string_view text);

}  // namespace evalflow
