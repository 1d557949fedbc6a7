// A whole dataset in memory, in a layout that writes records without allocating: a dense grid of typed
// cells whose text lives in one arena.
#ifndef EVALFLOW_DATASET_TABLE_TABLE_HPP
#define EVALFLOW_DATASET_TABLE_TABLE_HPP

#include <evalflow/plugin.h>
#include <evalflow/data_io/row_visitor.hpp>
#include <evalflow/dataset_table/field_mapping.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace evalflow::dataset_table {

// A slice of the table's text arena.
struct TextRef {
  uint64_t offset = 0;
  uint64_t size = 0;
};

// One value: EF_TYPE_STRING, EF_TYPE_LIST and EF_TYPE_MAP keep their text (lists and maps as JSON).
struct Cell {
  ef_type type = EF_TYPE_NULL;
  union {
    int64_t integer = 0;
    double number;
    bool flag;
  };
  TextRef text;
};

class Table {
 public:
  [[nodiscard]] size_t rows() const { return indexes_.size(); }
  // The record field of each column, in the order of the file's first row (or of input_columns).
  [[nodiscard]] const std::vector<std::string>& fields() const { return fields_; }
  [[nodiscard]] const Cell& cell(size_t row, size_t column) const {
    return cells_[row * fields_.size() + column];
  }
  [[nodiscard]] std::string_view text(TextRef ref) const { return {arena_.data() + ref.offset, ref.size}; }
  // The output column as a string, when the mapping names one.
  [[nodiscard]] std::optional<std::string_view> gold(size_t row) const {
    if (golds_.empty()) return std::nullopt;
    return text(golds_[row]);
  }
  // The sample index: the id column's value, or the row number.
  [[nodiscard]] int64_t index(size_t row) const { return indexes_[row]; }

 private:
  friend class TableBuilder;
  std::vector<std::string> fields_;
  std::vector<Cell> cells_;  // rows x fields, row-major
  std::vector<TextRef> golds_;
  std::vector<int64_t> indexes_;
  std::string arena_;
};

// Builds a Table from a reader's rows, enforcing the mapping: every row has every mapped column (in
// all-columns mode: exactly the keys of the first row), ids are integers and unique. A row that breaks a
// rule raises data_io::RowError, which the reader turns into "file:line: ..." and a failed load.
class TableBuilder : public data_io::RowVisitor {
 public:
  explicit TableBuilder(FieldMapping mapping);

  void begin_row(size_t line) override;
  void string_value(std::string_view key, std::string_view value) override;
  void int_value(std::string_view key, int64_t value) override;
  void double_value(std::string_view key, double value) override;
  void bool_value(std::string_view key, bool value) override;
  void null_value(std::string_view key) override;
  void nested_value(std::string_view key, std::string_view json_text, ef_type type) override;
  void end_row() override;

  [[nodiscard]] Table finish() &&;

 private:
  // What one file key is used for; a key can be a column, the output column and the id at once.
  struct KeyUse {
    std::string file_key;
    int column = -1;  // index into fields_, or -1
    bool output = false;
    bool id = false;
  };
  KeyUse* use_of(std::string_view key);
  KeyUse& add_use(std::string_view key);
  // Stores a value for `key`: `cell` for the column, `gold_text` for the output column, `index` for the id.
  void take(std::string_view key, Cell cell, std::string_view gold_text, std::optional<int64_t> index,
            const char* value_kind);
  TextRef store(std::string_view text);
  [[noreturn]] void fail_missing(const KeyUse& use) const;

  FieldMapping mapping_;
  bool all_columns_;
  bool first_row_ = true;
  std::vector<KeyUse> uses_;
  std::vector<char> seen_;  // per use, in the current row
  size_t value_ordinal_ = 0;
  size_t line_ = 0;
  std::vector<Cell> row_cells_;
  TextRef row_gold_;
  std::optional<int64_t> row_index_;
  std::unordered_map<int64_t, size_t> line_of_id_;
  Table table_;
};

}  // namespace evalflow::dataset_table

#endif  // EVALFLOW_DATASET_TABLE_TABLE_HPP
