// Writing JSON text directly into a reused buffer, for per-record output without a DOM.
#ifndef EVALFLOW_DATA_IO_JSON_TEXT_HPP
#define EVALFLOW_DATA_IO_JSON_TEXT_HPP

#include <string>
#include <string_view>

namespace evalflow::data_io {

// Appends `text` escaped for the inside of a JSON string (RFC 8259; UTF-8 passes through unchanged).
void append_json_escaped(std::string& out, std::string_view text);

// Appends `text` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view text);

}  // namespace evalflow::data_io

#endif  // EVALFLOW_DATA_IO_JSON_TEXT_HPP
