// csv_loader: a dataset from a CSV file (RFC 4180), loaded whole at create (datasets are small) so that a
// bad row fails the dataset before any record is sent. Every column is a string.
#include <embedded/kCsvLoaderOptionsSchema.hpp>
#include <evalflow/data_io/csv_reader.hpp>
#include <evalflow/dataset_table/table_source.hpp>
#include <evalflow/plugin.hpp>

namespace {

namespace sdk = evalflow::sdk;

char delimiter_option(const sdk::json& options) {
  const std::string delimiter = options.value("delimiter", ",");
  if (delimiter.size() != 1 || static_cast<unsigned char>(delimiter[0]) >= 0x80) {
    throw sdk::invalid_argument("delimiter '" + delimiter +
                                "' must be one ASCII character, e.g. \",\" or \"\\t\"");
  }
  return delimiter[0];
}

class CsvLoader : public evalflow::dataset_table::TableSource {
 public:
  CsvLoader(const sdk::json& options, const sdk::NodeInfo& info)
      : TableSource(load_table(options, info, reader(options))) {}

  static void resolve_fields(const sdk::json& options, sdk::FieldList& /*reads*/, sdk::FieldList& writes) {
    declare_writes(options, EF_TYPE_STRING, writes);
    check_first_row(options, reader(options));
  }

 private:
  static FileReader reader(const sdk::json& options) {
    return [delimiter = delimiter_option(options)](const auto& path, auto& visitor) {
      evalflow::data_io::read_csv_file(path, "path", visitor, delimiter);
    };
  }
};

const ef_node_type kCsvLoader = sdk::source_node_type<CsvLoader>({
    .name = "csv_loader",
    .description = "Dataset from a CSV file (RFC 4180): columns as string fields, output_column as `gold`",
    .options_schema = kCsvLoaderOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("csv_loader", "1.0.0", "MIT", "Loads datasets from CSV files", &kCsvLoader)
