#include <algorithm>
#include <charconv>
#include <evalflow/dataset_table/table.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace evalflow::dataset_table {

using data_io::RowError;

namespace {

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

TableBuilder::TableBuilder(FieldMapping mapping)
    : mapping_(std::move(mapping)), all_columns_(mapping_.input_columns.empty()) {
  for (const std::string& column : mapping_.input_columns) {
    // A column that is also the output column and is named `gold` is exactly what `gold` receives.
    if (mapping_.field_name(column) == kGoldField && column == mapping_.output_column) continue;
    add_use(column).column = static_cast<int>(table_.fields_.size());
    table_.fields_.emplace_back(mapping_.field_name(column));
  }
  if (!mapping_.output_column.empty()) add_use(mapping_.output_column).output = true;
  if (!mapping_.id_field.empty()) add_use(mapping_.id_field).id = true;
}

TableBuilder::KeyUse* TableBuilder::use_of(std::string_view key) {
  // Files usually list keys in the same order on every line: try the same position first.
  if (value_ordinal_ < uses_.size() && uses_[value_ordinal_].file_key == key) return &uses_[value_ordinal_];
  for (KeyUse& use : uses_) {
    if (use.file_key == key) return &use;
  }
  return nullptr;
}

TableBuilder::KeyUse& TableBuilder::add_use(std::string_view key) {
  if (KeyUse* use = use_of(key)) return *use;
  seen_.push_back(0);
  return uses_.emplace_back(KeyUse{.file_key = std::string(key)});
}

void TableBuilder::begin_row(size_t line) {
  line_ = line;
  value_ordinal_ = 0;
  seen_.assign(uses_.size(), 0);
  row_cells_.assign(table_.fields_.size(), Cell{});
  row_gold_ = {};
  row_index_.reset();
}

TextRef TableBuilder::store(std::string_view text) {
  const TextRef ref{table_.arena_.size(), text.size()};
  table_.arena_.append(text);
  return ref;
}

void TableBuilder::take(std::string_view key, Cell cell, std::string_view gold_text,
                        std::optional<int64_t> index, const char* value_kind) {
  KeyUse* use = use_of(key);
  if (all_columns_ && first_row_) {
    const std::string_view field = mapping_.field_name(key);
    if (use == nullptr) use = &add_use(key);
    const bool is_gold_itself = field == kGoldField && key == mapping_.output_column;
    if (use->column < 0 && !is_gold_itself) {
      if (field == kGoldField && !mapping_.output_column.empty()) {
        throw RowError("column '" + std::string(key) + "' would overwrite `gold`, which output_column '" +
                       mapping_.output_column + "' fills: rename it, e.g. rename: {" + std::string(key) +
                       ": " + std::string(key) + "_column}");
      }
      if (std::find(table_.fields_.begin(), table_.fields_.end(), field) != table_.fields_.end()) {
        throw RowError("key '" + std::string(key) + "' would be written to field '" + std::string(field) +
                       "', which another key already fills: give each its own name in `rename`");
      }
      use->column = static_cast<int>(table_.fields_.size());
      table_.fields_.emplace_back(field);
      row_cells_.emplace_back();
    }
  }
  ++value_ordinal_;
  if (use == nullptr) {
    if (!all_columns_) return;  // a key the mapping does not use
    throw RowError(
        "key '" + std::string(key) +
        "' is not on the first line: give every line the same keys, or list the columns to load in "
        "input_columns");
  }
  char& seen = seen_[use - uses_.data()];
  if (seen != 0) throw RowError("key '" + std::string(key) + "' appears twice on this line: keep one");
  seen = 1;

  const bool has_text = cell.type == EF_TYPE_STRING || cell.type == EF_TYPE_LIST || cell.type == EF_TYPE_MAP;
  if (use->column >= 0) {
    if (has_text) cell.text = store(gold_text);
    row_cells_[use->column] = cell;
  }
  if (use->output) {
    if (cell.type == EF_TYPE_NULL) {
      throw RowError("output_column '" + std::string(key) +
                     "' is null: every row needs a reference answer; fill it in or remove the line");
    }
    row_gold_ = use->column >= 0 && has_text ? cell.text : store(gold_text);
  }
  if (use->id) {
    if (!index) {
      throw RowError("id_field '" + std::string(key) + "' holds " + value_kind + " '" +
                     std::string(gold_text) +
                     "': it must hold an integer (or a string of digits); fix it or choose another id_field");
    }
    row_index_ = index;
  }
}

void TableBuilder::string_value(std::string_view key, std::string_view value) {
  take(key, Cell{.type = EF_TYPE_STRING}, value, parse_integer(value), "the string");
}

void TableBuilder::int_value(std::string_view key, int64_t value) {
  Cell cell{.type = EF_TYPE_INT};
  cell.integer = value;
  take(key, cell, std::to_string(value), value, "the integer");
}

void TableBuilder::double_value(std::string_view key, double value) {
  Cell cell{.type = EF_TYPE_DOUBLE};
  cell.number = value;
  take(key, cell, nlohmann::json(value).dump(), std::nullopt, "the number");
}

void TableBuilder::bool_value(std::string_view key, bool value) {
  Cell cell{.type = EF_TYPE_BOOL};
  cell.flag = value;
  take(key, cell, value ? "true" : "false", std::nullopt, "the boolean");
}

void TableBuilder::null_value(std::string_view key) {
  take(key, Cell{.type = EF_TYPE_NULL}, "null", std::nullopt, "null");
}

void TableBuilder::nested_value(std::string_view key, std::string_view json_text, ef_type type) {
  take(key, Cell{.type = type}, json_text, std::nullopt, type == EF_TYPE_LIST ? "the list" : "the map");
}

void TableBuilder::fail_missing(const KeyUse& use) const {
  const std::string key = "'" + use.file_key + "'";
  if (use.id) throw RowError("id_field " + key + " is missing: add it to this line, or change id_field");
  if (use.output && use.column < 0) {
    throw RowError("output_column " + key + " is missing: add it to this line, or change output_column");
  }
  if (all_columns_) {
    throw RowError(
        "key " + key +
        " is missing (the first line has it): give every line the same keys, or list the columns to "
        "load in input_columns");
  }
  for (const auto& [file_key, field] : mapping_.rename) {
    // input_columns names the file's keys; rename maps them to fields afterwards.
    if (field == use.file_key) {
      throw RowError("column " + key + " is missing: input_columns names the file's keys, before rename; " +
                     "rename maps '" + file_key + "' to '" + field + "', so list '" + file_key + "'");
    }
  }
  throw RowError("column " + key + " is missing: add it to this line, or remove it from input_columns");
}

void TableBuilder::end_row() {
  for (size_t i = 0; i < uses_.size(); ++i) {
    if (seen_[i] == 0) fail_missing(uses_[i]);
  }
  const auto index = row_index_.value_or(static_cast<int64_t>(table_.indexes_.size()));
  if (!mapping_.id_field.empty()) {
    if (auto [it, inserted] = line_of_id_.emplace(index, line_); !inserted) {
      throw RowError("id " + std::to_string(index) + " in '" + mapping_.id_field +
                     "' is already used on line " + std::to_string(it->second) + ": ids must be unique");
    }
  }
  table_.cells_.insert(table_.cells_.end(), row_cells_.begin(), row_cells_.end());
  if (!mapping_.output_column.empty()) table_.golds_.push_back(row_gold_);
  table_.indexes_.push_back(index);
  first_row_ = false;
}

Table TableBuilder::finish() && {
  return std::move(table_);
}

}  // namespace evalflow::dataset_table
