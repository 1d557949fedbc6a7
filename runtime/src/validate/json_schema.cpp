#include "validate/json_schema.hpp"

#include <fmt/format.h>

#include <simdjson.h>

#include <algorithm>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "config/document.hpp"

namespace evalflow {

struct JsonSchema::Impl {
  nlohmann::json document;
  valijson::Schema schema;
};

JsonSchema::JsonSchema() : impl_(std::make_unique<Impl>()) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::parse(const std::string& schema_text) {
  std::shared_ptr<JsonSchema> schema(new JsonSchema());
  schema->impl_->document = nlohmann::json::parse(schema_text, nullptr, false);
  if (schema->impl_->document.is_discarded()) return Error{"the options schema is not valid JSON"};
  try {
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema->impl_->document);
    parser.populateSchema(adapter, schema->impl_->schema);
  } catch (const std::exception& error) {
    return Error{fmt::format("invalid JSON Schema: {}", error.what())};
  }
  return std::shared_ptr<const JsonSchema>(std::move(schema));
}

namespace {

// valijson's context is ["<root>", "[key]", "[0]", ...]; JSON pointers are "/key/0".
std::string context_to_pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string key = part;
    if (key.size() >= 2 && key.front() == '[' && key.back() == ']') key = key.substr(1, key.size() - 2);
    pointer = pointer_child(pointer, key);
  }
  return pointer;
}

bool is_ancestor(const std::string& ancestor, const std::string& pointer) {
  return pointer.size() > ancestor.size() && pointer.starts_with(ancestor) && pointer[ancestor.size()] == '/';
}

bool is_utf8(const std::string& text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

// valijson counts characters (minLength, maxLength) by reading past its own tables on malformed UTF-8 (found
// by pipeline_yaml_fuzzer), so text that is not UTF-8 is refused first, naming where it is.
void find_malformed_text(const nlohmann::json& value, const std::string& pointer,
                         std::vector<SchemaViolation>& found) {
  if (value.is_string()) {
    if (!is_utf8(value.get_ref<const std::string&>())) found.push_back({pointer, "text is not valid UTF-8"});
  } else if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (!is_utf8(key)) {
        found.push_back({pointer, "a key is not valid UTF-8"});
        continue;
      }
      find_malformed_text(child, pointer_child(pointer, key), found);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) find_malformed_text(value[i], pointer_child(pointer, i), found);
  }
}

}  // namespace

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json& value) const {
  std::vector<SchemaViolation> malformed;
  find_malformed_text(value, "", malformed);
  if (!malformed.empty()) return malformed;
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  if (validator.validate(impl_->schema, target, &results)) return {};
  std::vector<SchemaViolation> all;
  for (const auto& error : results) all.push_back({context_to_pointer(error.context), error.description});
  std::vector<SchemaViolation> specific;
  for (const auto& violation : all) {
    const bool has_deeper = std::any_of(all.begin(), all.end(), [&](const SchemaViolation& other) {
      return is_ancestor(violation.pointer, other.pointer);
    });
    const bool generic = violation.message.starts_with("Failed to validate against schema associated with");
    if (!has_deeper && !(generic && all.size() > 1)) specific.push_back(violation);
  }
  if (specific.empty()) specific.push_back(all.front());
  // valijson repeats some messages (once per failing sub-schema); keep each once.
  std::vector<SchemaViolation> unique;
  for (auto& violation : specific) {
    const bool seen = std::any_of(unique.begin(), unique.end(), [&](const SchemaViolation& other) {
      return other.pointer == violation.pointer && other.message == violation.message;
    });
    if (!seen) unique.push_back(std::move(violation));
  }
  return unique;
}

}  // namespace evalflow
