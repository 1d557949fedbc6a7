#include "records/record.hpp"

#include <algorithm>
#include <array>

const nlohmann::json* ef_record::find(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

nlohmann::json& ef_record::at(std::string_view name) {
  for (auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return fields.emplace_back(std::string(name), nullptr).second;
}

void ef_record::erase(std::string_view name) {
  std::erase_if(fields, [&](const auto& field) { return field.first == name; });
}

nlohmann::json ef_record::to_json() const {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : fields) object[key] = value;
  return object;
}

namespace evalflow {

namespace {
constexpr std::array<std::pair<ef_type, const char*>, 9> kTypeNames = {{
    {EF_TYPE_MISSING, "missing"},
    {EF_TYPE_NULL, "null"},
    {EF_TYPE_BOOL, "bool"},
    {EF_TYPE_INT, "int"},
    {EF_TYPE_DOUBLE, "double"},
    {EF_TYPE_STRING, "string"},
    {EF_TYPE_LIST, "list"},
    {EF_TYPE_MAP, "map"},
    {EF_TYPE_ANY, "any"},
}};
}  // namespace

ef_type type_of(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return EF_TYPE_NULL;
    case nlohmann::json::value_t::boolean:
      return EF_TYPE_BOOL;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return EF_TYPE_INT;
    case nlohmann::json::value_t::number_float:
      return EF_TYPE_DOUBLE;
    case nlohmann::json::value_t::string:
      return EF_TYPE_STRING;
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::binary:
      return EF_TYPE_LIST;
    case nlohmann::json::value_t::object:
      return EF_TYPE_MAP;
  }
  return EF_TYPE_NULL;
}

const char* type_name(ef_type type) {
  for (const auto& [known, name] : kTypeNames) {
    if (known == type) return name;
  }
  return "unknown";
}

const char* kind_name(ef_node_kind kind) {
  switch (kind) {
    case EF_NODE_SOURCE:
      return "source";
    case EF_NODE_FUNCTION:
      return "function";
    case EF_NODE_ASYNC:
      return "async";
    case EF_NODE_AGGREGATE:
      return "aggregate";
  }
  return "unknown";
}

ef_type type_from_name(std::string_view name) {
  for (const auto& [known, known_name] : kTypeNames) {
    if (known_name == name && known != EF_TYPE_MISSING) return known;
  }
  return EF_TYPE_MISSING;
}

}  // namespace evalflow
