#include <evalflow/data_io/data_file.hpp>
#include <evalflow/dataset_table/table_source.hpp>

namespace evalflow::dataset_table {

bool TableSource::next(sdk::Record& record) {
  if (next_row_ == table_.rows()) return false;
  const size_t row = next_row_++;
  const ef_host_api& host = sdk::host();
  ef_record* raw = record.raw();
  record.set_index(table_.index(row));
  for (size_t column = 0; column < table_.fields().size(); ++column) {
    const char* field = table_.fields()[column].c_str();
    const Cell& cell = table_.cell(row, column);
    switch (cell.type) {
      case EF_TYPE_STRING: {
        const std::string_view text = table_.text(cell.text);
        host.set_string(raw, field, text.data(), text.size());
        break;
      }
      case EF_TYPE_INT:
        host.set_int(raw, field, cell.integer);
        break;
      case EF_TYPE_DOUBLE:
        host.set_double(raw, field, cell.number);
        break;
      case EF_TYPE_BOOL:
        host.set_bool(raw, field, cell.flag ? 1 : 0);
        break;
      case EF_TYPE_LIST:
      case EF_TYPE_MAP: {
        const std::string_view text = table_.text(cell.text);
        if (ef_status* status = host.set_json(raw, field, text.data(), text.size())) {
          const std::string message = host.status_message(status);
          host.status_free(status);
          throw sdk::Error(EF_INTERNAL, "field '" + table_.fields()[column] + "': " + message);
        }
        break;
      }
      default:
        host.set_null(raw, field);
    }
  }
  if (const auto gold = table_.gold(row)) host.set_string(raw, kGoldField, gold->data(), gold->size());
  return true;
}

void TableSource::declare_writes(const nlohmann::json& options, ef_type column_type, sdk::FieldList& writes) {
  const FieldMapping mapping = FieldMapping::from_options(options);
  for (const auto& [name, type] : mapping.declared_writes(column_type)) writes.add(name, type);
  // Without input_columns the columns are only known once the file is read.
  if (mapping.input_columns.empty()) writes.add(EF_ANY_FIELDS, EF_TYPE_ANY);
}

Table TableSource::load_table(const nlohmann::json& options, const sdk::NodeInfo& info,
                              const FileReader& read) {
  TableBuilder builder(FieldMapping::from_options(options));
  read(data_io::resolve_data_path(options.at("path").get<std::string>(), info.pipeline_dir), builder);
  return std::move(builder).finish();
}

namespace {

// Forwards the first row to a TableBuilder, then stops the reader.
class FirstRowOnly : public data_io::RowVisitor {
 public:
  struct Done {};
  explicit FirstRowOnly(TableBuilder& builder) : builder_(builder) {}
  void begin_row(size_t line) override { builder_.begin_row(line); }
  void string_value(std::string_view key, std::string_view value) override {
    builder_.string_value(key, value);
  }
  void int_value(std::string_view key, int64_t value) override { builder_.int_value(key, value); }
  void double_value(std::string_view key, double value) override { builder_.double_value(key, value); }
  void bool_value(std::string_view key, bool value) override { builder_.bool_value(key, value); }
  void null_value(std::string_view key) override { builder_.null_value(key); }
  void nested_value(std::string_view key, std::string_view json_text, ef_type type) override {
    builder_.nested_value(key, json_text, type);
  }
  void end_row() override {
    builder_.end_row();
    throw Done{};
  }

 private:
  TableBuilder& builder_;
};

}  // namespace

void TableSource::check_first_row(const nlohmann::json& options, const FileReader& read) {
  if (!options.contains("path") || !options["path"].is_string()) return;
  const std::filesystem::path path = options["path"].get<std::string>();
  std::error_code error;
  if (!path.is_absolute() || !std::filesystem::is_regular_file(path, error)) return;
  TableBuilder builder(FieldMapping::from_options(options));
  FirstRowOnly first_row(builder);
  try {
    read(path, first_row);
  } catch (const FirstRowOnly::Done&) {
  }
}

}  // namespace evalflow::dataset_table
