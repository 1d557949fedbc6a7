// Metrics broken down by dataset columns (`group_by: [level, subject]`): one aggregate per (column, value),
// fed beside the dataset's own. A record without the column counts under "(none)".
#pragma once

#include <evalflow/plugin.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace evalflow::record_groups {

// The group a column's value names: strings as they are, other values as their JSON text (3 -> "3").
inline std::string group_label(const std::optional<sdk::json>& value) {
  if (!value || value->is_null()) return "(none)";
  return value->is_string() ? value->get<std::string>() : value->dump();
}

template <class Aggregate>
class Grouped {
 public:
  explicit Grouped(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  // Calls add(aggregate) for the record's group under each column.
  template <class Add>
  void add(const sdk::Record& record, Add add) {
    for (const auto& column : columns_) add(groups_[column][group_label(record.value(column.c_str()))]);
  }

  // column -> value -> aggregate, in the order of the columns' values.
  [[nodiscard]] const std::map<std::string, std::map<std::string, Aggregate>>& groups() const {
    return groups_;
  }

 private:
  std::vector<std::string> columns_;
  std::map<std::string, std::map<std::string, Aggregate>> groups_;
};

// Reads the `group_by` option: a list of column names (absent: none).
inline std::vector<std::string> group_columns(const sdk::json& options) {
  return options.value("group_by", std::vector<std::string>{});
}

}  // namespace evalflow::record_groups
