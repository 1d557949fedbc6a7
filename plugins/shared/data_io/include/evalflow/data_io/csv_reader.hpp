// CSV files (RFC 4180) through libcsv: the first row names the columns; quoted fields may contain the
// delimiter, doubled quotes ("") and line breaks. Every value is a string; spaces are kept as they are.
#ifndef EVALFLOW_DATA_IO_CSV_READER_HPP
#define EVALFLOW_DATA_IO_CSV_READER_HPP

#include <evalflow/data_io/row_visitor.hpp>

#include <filesystem>
#include <string_view>

namespace evalflow::data_io {

// Feeds every data row to `visitor`, keyed by the header's column names. A row with another number of
// fields than the header, malformed quoting, or a row the visitor rejects with RowError fails the whole
// file with sdk::Error(EF_INVALID_ARGUMENT, "file:line: what: what to do"). Blank lines are not rows.
void read_csv_file(const std::filesystem::path& path, std::string_view option_name, RowVisitor& visitor,
                   char delimiter = ',');

// The same for text in memory; `source_name` stands for the file name in errors.
void read_csv_text(std::string_view text, std::string_view source_name, RowVisitor& visitor,
                   char delimiter = ',');

}  // namespace evalflow::data_io

#endif  // EVALFLOW_DATA_IO_CSV_READER_HPP
