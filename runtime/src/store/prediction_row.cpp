#include "store/prediction_row.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

using nlohmann::json;

namespace evalflow {

namespace {

// Row keys the runtime writes itself; a record field of the same name is written as `<name>_field`.
constexpr std::array<std::string_view, 8> kRowKeys = {
    "data_abbr", "id", "replica", "success", "sample_hash", "origin_prompt", "error_info", "eval_error"};
// Written first, in AISBench's order, when present.
constexpr std::array<std::string_view, 2> kLeadingFields = {"prediction", "gold"};

// Serializes straight into `line`: no temporary string per value (rows are the runtime's hottest path).
void append_value(std::string& line, const json& value) {
  nlohmann::detail::serializer<json> serializer(nlohmann::detail::output_adapter<char>(line), ' ',
                                                json::error_handler_t::replace);
  serializer.dump(value, false, false, 0);
}

bool needs_escaping(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; });
}

void append_name(std::string& line, std::string_view name) {
  if (needs_escaping(name)) {
    append_value(line, json(std::string(name)));
    return;
  }
  line += '"';
  line += name;
  line += '"';
}

void append_key(std::string& line, std::string_view key) {
  line += ',';
  append_name(line, key);
  line += ':';
}

// The field holding the prompt the model saw: chat messages, else completion text.
const char* prompt_field(const Record& record) {
  if (record.find("messages") != nullptr) return "messages";
  if (record.find("prompt") != nullptr) return "prompt";
  return nullptr;
}

}  // namespace

std::string sample_content_hash(const Record& record) {
  std::vector<const std::pair<std::string, json>*> fields;
  fields.reserve(record.fields.size());
  for (const auto& field : record.fields) fields.push_back(&field);
  std::sort(fields.begin(), fields.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  // One buffer per thread: the fields are serialized into it, then hashed.
  thread_local std::string text;
  text.clear();
  for (const auto* field : fields) {
    append_name(text, field->first);
    text += ':';
    append_value(text, field->second);
    text += ',';
  }
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a, 64 bits
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

std::string prediction_line(std::string_view dataset_abbr, const Record& record,
                            std::string_view content_hash) {
  const bool success = !record.failure.has_value() || !record.failure->during_inference;
  std::string line = "{\"data_abbr\":";
  line.reserve(1024);
  append_name(line, dataset_abbr);
  line += fmt::format(R"(,"id":{},"replica":{},"success":{})", record.index, record.replica,
                      success ? "true" : "false");
  if (!content_hash.empty()) {
    append_key(line, "sample_hash");
    append_name(line, content_hash);
  }
  const char* prompt = prompt_field(record);
  if (prompt != nullptr) {
    append_key(line, "origin_prompt");
    append_value(line, *record.find(prompt));
  }
  for (const std::string_view name : kLeadingFields) {
    if (const json* value = record.find(name)) {
      append_key(line, name);
      append_value(line, *value);
    }
  }
  for (const auto& [name, value] : record.fields) {
    if ((prompt != nullptr && name == prompt) ||
        std::find(kLeadingFields.begin(), kLeadingFields.end(), name) != kLeadingFields.end()) {
      continue;
    }
    const bool reserved = std::find(kRowKeys.begin(), kRowKeys.end(), name) != kRowKeys.end();
    append_key(line, reserved ? name + "_field" : name);
    append_value(line, value);
  }
  if (record.failure) {
    append_key(line, record.failure->during_inference ? "error_info" : "eval_error");
    append_value(line, json(fmt::format("{}: {}", record.failure->node, record.failure->message)));
  }
  line += '}';
  return line;
}

}  // namespace evalflow
