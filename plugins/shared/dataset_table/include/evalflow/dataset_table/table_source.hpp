// The source node shared by the dataset loaders: writes one Table row per record.
#ifndef EVALFLOW_DATASET_TABLE_TABLE_SOURCE_HPP
#define EVALFLOW_DATASET_TABLE_TABLE_SOURCE_HPP

#include <evalflow/dataset_table/table.hpp>
#include <evalflow/plugin.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>

namespace evalflow::dataset_table {

class TableSource {
 public:
  explicit TableSource(Table table) : table_(std::move(table)) {}

  // Writes the next row into `record` (index, columns, gold); false after the last row.
  bool next(sdk::Record& record);
  [[nodiscard]] int64_t count() const { return static_cast<int64_t>(table_.rows()); }

  // Declares the fields FieldMapping knows from the options (see FieldMapping::declared_writes), and
  // EF_ANY_FIELDS when every column is loaded (their names are known only once the file is read).
  static void declare_writes(const nlohmann::json& options, ef_type column_type, sdk::FieldList& writes);

  // Reads the file named by the `path` option (relative to the pipeline's directory) with `read`, which
  // feeds its rows to the visitor, into a Table mapped by the options.
  using FileReader = std::function<void(const std::filesystem::path& path, data_io::RowVisitor& visitor)>;
  static Table load_table(const nlohmann::json& options, const sdk::NodeInfo& info, const FileReader& read);

  // At validation (resolve_fields, where the runtime passes `path` made absolute): maps the file's first
  // row as the run would, so that a column listed in input_columns that the file lacks is an error before
  // anything runs. Reads nothing when `path` is relative or missing (the validator reports that).
  static void check_first_row(const nlohmann::json& options, const FileReader& read);

 private:
  Table table_;
  size_t next_row_ = 0;  // sources are called serially
};

}  // namespace evalflow::dataset_table

#endif  // EVALFLOW_DATASET_TABLE_TABLE_SOURCE_HPP
