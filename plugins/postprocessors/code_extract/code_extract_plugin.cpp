// The code_extract node type: a thin adapter from records to the extracted program.
#include <embedded/kCodeExtractOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <evalflow/text_fields/input_output_fields.hpp>

#include <algorithm>
#include <cctype>
#include <string>

#include "code_extract.hpp"

namespace evalflow::code_extract {
namespace {

using sdk::json;
using text_fields::InputOutputFields;

InputOutputFields fields_from(const json& options) {
  return {options, "prediction", "extracted_code"};
}

ExtractOptions extract_options_from(const json& options) {
  ExtractOptions extract;
  extract.block = options.value("block", "last") == "first" ? Block::first : Block::last;
  extract.after_think = options.value("after_think", true);
  for (std::string language : options.value("languages", std::vector<std::string>{})) {
    std::transform(language.begin(), language.end(), language.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    extract.languages.push_back(std::move(language));
  }
  return extract;
}

class CodeExtract {
 public:
  CodeExtract(const json& options, const sdk::NodeInfo& /*info*/)
      : fields_(fields_from(options)), options_(extract_options_from(options)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    fields_from(options).declare(reads, writes);
  }

  void process(sdk::Record& record) const {
    record.set(fields_.output.c_str(), extract_code(record.require_string(fields_.input.c_str()), options_));
  }

 private:
  InputOutputFields fields_;
  ExtractOptions options_;
};

const ef_node_type kCodeExtract = sdk::function_node_type<CodeExtract>({
    .name = "code_extract",
    .description =
        "Extracts the program from fenced code blocks (LiveCodeBench's last-block rule, or the first)",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema = kCodeExtractOptionsSchema,
});

}  // namespace
}  // namespace evalflow::code_extract

EVALFLOW_PLUGIN("code_extract", "1.0.0", "MIT", "Extracts model-written programs from fenced code blocks",
                &evalflow::code_extract::kCodeExtract)
