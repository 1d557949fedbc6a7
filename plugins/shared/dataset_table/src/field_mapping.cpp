#include <evalflow/dataset_table/field_mapping.hpp>
#include <evalflow/plugin.hpp>

namespace evalflow::dataset_table {

FieldMapping FieldMapping::from_options(const nlohmann::json& options) {
  FieldMapping mapping;
  mapping.input_columns = options.value("input_columns", std::vector<std::string>{});
  mapping.output_column = options.value("output_column", std::string());
  mapping.id_field = options.value("id_field", std::string());
  if (auto rename = options.find("rename"); rename != options.end()) {
    for (const auto& [file_key, field] : rename->items())
      mapping.rename.emplace(file_key, field.get<std::string>());
  }
  std::map<std::string_view, std::string_view> column_of_field;
  for (const std::string& column : mapping.input_columns) {
    const std::string_view field = mapping.field_name(column);
    if (auto [it, inserted] = column_of_field.emplace(field, column); !inserted) {
      throw sdk::invalid_argument("input_columns: '" + column + "' and '" + std::string(it->second) +
                                  "' would both be written to field '" + std::string(field) +
                                  "': list each column once and give each its own name in `rename`");
    }
    if (field == kGoldField && !mapping.output_column.empty() && column != mapping.output_column) {
      throw sdk::invalid_argument("input_columns: column '" + column +
                                  "' would overwrite `gold`, which output_column fills: rename it, e.g. "
                                  "rename: {" +
                                  column + ": " + column + "_column}");
    }
  }
  return mapping;
}

std::string_view FieldMapping::field_name(std::string_view file_key) const {
  if (auto it = rename.find(file_key); it != rename.end()) return it->second;
  return file_key;
}

std::vector<std::pair<std::string, ef_type>> FieldMapping::declared_writes(ef_type column_type) const {
  std::vector<std::pair<std::string, ef_type>> writes;
  for (const std::string& column : input_columns) {
    if (field_name(column) == kGoldField && column == output_column) continue;  // `gold` covers it
    writes.emplace_back(field_name(column), column_type);
  }
  if (!output_column.empty()) writes.emplace_back(kGoldField, EF_TYPE_STRING);
  return writes;
}

}  // namespace evalflow::dataset_table
