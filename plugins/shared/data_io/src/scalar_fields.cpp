#include <evalflow/data_io/scalar_fields.hpp>

namespace evalflow::data_io {

void ScalarFields::begin_row(size_t /*line*/) {
  fields_.clear();
}

void ScalarFields::string_value(std::string_view key, std::string_view value) {
  fields_.insert_or_assign(std::string(key), std::string(value));
}

void ScalarFields::bool_value(std::string_view key, bool value) {
  fields_.insert_or_assign(std::string(key), value);
}

const std::string& ScalarFields::required_string(const std::string& key) const {
  const auto found = fields_.find(key);
  const std::string* value = found == fields_.end() ? nullptr : std::get_if<std::string>(&found->second);
  if (value == nullptr) throw RowError("no string field `" + key + "`: every row needs one");
  return *value;
}

}  // namespace evalflow::data_io
