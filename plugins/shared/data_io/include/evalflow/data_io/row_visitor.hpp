// The rows of a data file (JSONL objects, CSV rows) as a stream of typed values, so that one reader can
// feed several consumers (a dataset table, a replay index) without building a DOM per row.
#ifndef EVALFLOW_DATA_IO_ROW_VISITOR_HPP
#define EVALFLOW_DATA_IO_ROW_VISITOR_HPP

#include <evalflow/plugin.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace evalflow::data_io {

// Thrown by a RowVisitor for a row it cannot accept. The message says what is wrong and what to do; the
// reader prefixes the location ("file:line: ") and turns it into an EF_INVALID_ARGUMENT error.
class RowError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Receives the rows of a file. Views passed to the value functions are valid only during the call.
class RowVisitor {
 public:
  virtual ~RowVisitor() = default;
  // `line` is the 1-based line where the row starts.
  virtual void begin_row(size_t line) = 0;
  virtual void string_value(std::string_view key, std::string_view value) = 0;
  virtual void int_value(std::string_view key, int64_t value) = 0;
  virtual void double_value(std::string_view key, double value) = 0;
  virtual void bool_value(std::string_view key, bool value) = 0;
  virtual void null_value(std::string_view key) = 0;
  // A list or map, as valid JSON text; `type` is EF_TYPE_LIST or EF_TYPE_MAP.
  virtual void nested_value(std::string_view key, std::string_view json_text, ef_type type) = 0;
  virtual void end_row() = 0;
};

}  // namespace evalflow::data_io

#endif  // EVALFLOW_DATA_IO_ROW_VISITOR_HPP
