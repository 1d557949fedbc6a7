// Which columns of a data file become which record fields: AISBench's reader_cfg (input_columns,
// output_column) plus a rename map and the column that holds the sample id.
#ifndef EVALFLOW_DATASET_TABLE_FIELD_MAPPING_HPP
#define EVALFLOW_DATASET_TABLE_FIELD_MAPPING_HPP

#include <evalflow/plugin.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evalflow::dataset_table {

// The record field that receives the output column, as a string (AISBench's reference answer).
inline constexpr const char* kGoldField = "gold";

struct FieldMapping {
  std::vector<std::string> input_columns;  // file keys to load; empty: every key of the first row
  std::string output_column;               // copied to `gold` as a string; empty: no gold
  std::map<std::string, std::string, std::less<>> rename;  // file key -> record field
  std::string id_field;  // file key holding the sample index; empty: the row number (0, 1, ...)

  // Reads the options input_columns, output_column, rename and id_field (other keys are ignored).
  // Throws sdk::Error(EF_INVALID_ARGUMENT) when two columns would land in the same field.
  static FieldMapping from_options(const nlohmann::json& options);

  // The record field a file key is written to.
  [[nodiscard]] std::string_view field_name(std::string_view file_key) const;

  // The fields a loader declares whatever the file holds: the listed input columns (renamed) with
  // `column_type`, and `gold` when there is an output column. With every column loaded, the columns are
  // only known once the file is read, so they cannot be declared.
  [[nodiscard]] std::vector<std::pair<std::string, ef_type>> declared_writes(ef_type column_type) const;
};

}  // namespace evalflow::dataset_table

#endif  // EVALFLOW_DATASET_TABLE_FIELD_MAPPING_HPP
