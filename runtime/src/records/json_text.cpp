#include "records/json_text.hpp"

#include <simdjson.h>

#include <cstdint>
#include <string>

namespace evalflow {

namespace {

nlohmann::json to_json(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array items = element.get_array().value_unsafe();
      nlohmann::json list = nlohmann::json::array();
      for (const simdjson::dom::element item : items) list.push_back(to_json(item));
      return list;
    }
    case simdjson::dom::element_type::OBJECT: {
      const simdjson::dom::object fields = element.get_object().value_unsafe();
      nlohmann::json map = nlohmann::json::object();
      // A repeated key keeps its last value, as nlohmann's parser does.
      for (const auto field : fields) map[std::string(field.key)] = to_json(field.value);
      return map;
    }
    case simdjson::dom::element_type::INT64: {
      // nlohmann keeps an integer written without a sign as unsigned.
      const int64_t number = element.get_int64().value_unsafe();
      if (number >= 0) return static_cast<uint64_t>(number);
      return number;
    }
    case simdjson::dom::element_type::UINT64:
      return element.get_uint64().value_unsafe();
    case simdjson::dom::element_type::DOUBLE:
      return element.get_double().value_unsafe();
    case simdjson::dom::element_type::STRING:
      return std::string(element.get_string().value_unsafe());
    case simdjson::dom::element_type::BOOL:
      return element.get_bool().value_unsafe();
    case simdjson::dom::element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

std::optional<nlohmann::json> parse_json_text(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(text.data(), text.size()).get(element) == simdjson::SUCCESS) return to_json(element);
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

}  // namespace evalflow
