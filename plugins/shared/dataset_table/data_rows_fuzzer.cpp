// libFuzzer target for the dataset readers: JSONL (simdjson On-Demand) and CSV (libcsv) rows of arbitrary
// bytes mapped into a Table, with every column loaded and with AISBench's input_columns/output_column.
// Each input ends in a table or a located error (file:line), never a crash or a leak.
#include <evalflow/data_io/csv_reader.hpp>
#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/dataset_table/table.hpp>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace {

using evalflow::dataset_table::FieldMapping;
using evalflow::dataset_table::TableBuilder;

template <typename Read>
void read_into_table(const FieldMapping& mapping, Read read) {
  TableBuilder builder(mapping);
  try {
    read(builder);
    const auto table = std::move(builder).finish();
    // A table with an output column has a gold per row (an index per row otherwise).
    if (!mapping.output_column.empty() && table.rows() > 0 && !table.gold(table.rows() - 1)) std::abort();
  } catch (const std::exception& error) {
    if (std::string_view(error.what()).empty()) std::abort();  // every failure says what is wrong
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FieldMapping every_column;
  FieldMapping reader_config;
  reader_config.input_columns = {"question", "level"};
  reader_config.output_column = "answer";
  for (const FieldMapping* mapping : {&every_column, &reader_config}) {
    read_into_table(
        *mapping, [&](TableBuilder& builder) { evalflow::data_io::read_jsonl_text(text, "fuzz", builder); });
    read_into_table(*mapping,
                    [&](TableBuilder& builder) { evalflow::data_io::read_csv_text(text, "fuzz", builder); });
  }
  return 0;
}
