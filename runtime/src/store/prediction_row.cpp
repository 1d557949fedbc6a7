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

bool needs_escaping(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; });
}

// Serializes straight into one string: no temporary string per value, and one nlohmann serializer per line
// (constructing one allocates its output adapter and reads the locale; rows are the runtime's hottest path).
class JsonAppender {
 public:
  explicit JsonAppender(std::string& out)
      : out_(out),
        serializer_(nlohmann::detail::output_adapter<char>(out), ' ', json::error_handler_t::replace) {}

  void value(const json& value) { serializer_.dump(value, false, false, 0); }

  void name(std::string_view name) {
    if (needs_escaping(name)) {
      value(json(std::string(name)));
      return;
    }
    out_ += '"';
    out_ += name;
    out_ += '"';
  }

  void key(std::string_view key) {
    out_ += ',';
    name(key);
    out_ += ':';
  }

 private:
  std::string& out_;
  nlohmann::detail::serializer<json> serializer_;
};

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
  thread_local JsonAppender appender(text);
  text.clear();
  for (const auto* field : fields) {
    appender.name(field->first);
    text += ':';
    appender.value(field->second);
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
  JsonAppender row(line);
  row.name(dataset_abbr);
  line += fmt::format(R"(,"id":{},"replica":{},"success":{})", record.index, record.replica,
                      success ? "true" : "false");
  if (!content_hash.empty()) {
    row.key("sample_hash");
    row.name(content_hash);
  }
  const char* prompt = prompt_field(record);
  if (prompt != nullptr) {
    row.key("origin_prompt");
    row.value(*record.find(prompt));
  }
  for (const std::string_view name : kLeadingFields) {
    if (const json* value = record.find(name)) {
      row.key(name);
      row.value(*value);
    }
  }
  for (const auto& [name, value] : record.fields) {
    if ((prompt != nullptr && name == prompt) ||
        std::find(kLeadingFields.begin(), kLeadingFields.end(), name) != kLeadingFields.end()) {
      continue;
    }
    const bool reserved = std::find(kRowKeys.begin(), kRowKeys.end(), name) != kRowKeys.end();
    row.key(reserved ? name + "_field" : name);
    row.value(value);
  }
  if (record.failure) {
    row.key(record.failure->during_inference ? "error_info" : "eval_error");
    row.value(json(fmt::format("{}: {}", record.failure->node, record.failure->message)));
  }
  line += '}';
  return line;
}

}  // namespace evalflow
