// JSONL files: one JSON object per line, read with simdjson's On-Demand API (no DOM per line).
#ifndef EVALFLOW_DATA_IO_JSONL_READER_HPP
#define EVALFLOW_DATA_IO_JSONL_READER_HPP

#include <filesystem>
#include <string_view>

#include <evalflow/data_io/row_visitor.hpp>

namespace evalflow::data_io {

// Feeds every line of the file to `visitor` as one row. Blank lines (a trailing newline, spacing) are not
// rows; every other line must be exactly one JSON object. A line that is not, or that the visitor rejects
// with RowError, fails the whole file with sdk::Error(EF_INVALID_ARGUMENT, "file:line: what: what to do").
// `option_name` is the option that named the file, quoted when the file cannot be read.
void read_jsonl_file(const std::filesystem::path& path, std::string_view option_name, RowVisitor& visitor);

// The same for text in memory; `source_name` stands for the file name in errors.
void read_jsonl_text(std::string_view text, std::string_view source_name, RowVisitor& visitor);

}  // namespace evalflow::data_io

#endif  // EVALFLOW_DATA_IO_JSONL_READER_HPP
