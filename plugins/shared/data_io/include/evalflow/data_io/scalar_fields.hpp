// A RowVisitor base for consumers that read a few string and bool fields of each row by name: it keeps
// them for end_row() and ignores numbers, nulls (a null field counts as absent), lists and maps.
#ifndef EVALFLOW_DATA_IO_SCALAR_FIELDS_HPP
#define EVALFLOW_DATA_IO_SCALAR_FIELDS_HPP

#include <evalflow/data_io/row_visitor.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace evalflow::data_io {

class ScalarFields : public RowVisitor {
 public:
  void begin_row(size_t line) override;
  void string_value(std::string_view key, std::string_view value) override;
  void int_value(std::string_view /*key*/, int64_t /*value*/) override {}
  void double_value(std::string_view /*key*/, double /*value*/) override {}
  void bool_value(std::string_view key, bool value) override;
  void null_value(std::string_view /*key*/) override {}
  void nested_value(std::string_view /*key*/, std::string_view /*json_text*/, ef_type /*type*/) override {}

 protected:
  // The row's string field `key`; throws RowError where it has none.
  [[nodiscard]] const std::string& required_string(const std::string& key) const;
  // The row's field `key` where it holds a T (std::string or bool), else nullopt.
  template <class T>
  [[nodiscard]] std::optional<T> optional(const std::string& key) const {
    const auto found = fields_.find(key);
    if (found == fields_.end()) return std::nullopt;
    const T* value = std::get_if<T>(&found->second);
    return value == nullptr ? std::nullopt : std::optional<T>(*value);
  }

 private:
  std::map<std::string, std::variant<std::string, bool>, std::less<>> fields_;
};

}  // namespace evalflow::data_io

#endif  // EVALFLOW_DATA_IO_SCALAR_FIELDS_HPP
