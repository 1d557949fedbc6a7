// jsonl_loader: a dataset from a JSONL file, loaded whole at create (datasets are small) so that a bad
// line fails the dataset before any record is sent.
#include <embedded/kJsonlLoaderOptionsSchema.hpp>
#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/dataset_table/table_source.hpp>
#include <evalflow/plugin.hpp>

namespace {

namespace sdk = evalflow::sdk;

class JsonlLoader : public evalflow::dataset_table::TableSource {
 public:
  JsonlLoader(const sdk::json& options, const sdk::NodeInfo& info)
      : TableSource(load_table(options, info, &read_file)) {}

  // JSON values keep their type, so columns are declared EF_TYPE_ANY.
  static void resolve_fields(const sdk::json& options, sdk::FieldList& /*reads*/, sdk::FieldList& writes) {
    declare_writes(options, EF_TYPE_ANY, writes);
    check_first_row(options, &read_file);
  }

 private:
  static void read_file(const std::filesystem::path& path, evalflow::data_io::RowVisitor& visitor) {
    evalflow::data_io::read_jsonl_file(path, "path", visitor);
  }
};

const ef_node_type kJsonlLoader = sdk::source_node_type<JsonlLoader>({
    .name = "jsonl_loader",
    .description = "Dataset from a JSONL file: columns as fields, output_column as `gold`",
    .options_schema = kJsonlLoaderOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("jsonl_loader", "1.0.0", "MIT", "Loads datasets from JSONL files", &kJsonlLoader)
