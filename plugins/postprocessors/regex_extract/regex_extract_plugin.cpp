// The regex_extract node type: a thin adapter from records to Extractor.
#include <embedded/kRegexExtractOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <evalflow/text_fields/input_output_fields.hpp>
#include <string>

#include "extractor.hpp"
#include "presets.hpp"

namespace evalflow::regex_extract {
namespace {

using sdk::json;
using text_fields::InputOutputFields;

InputOutputFields fields_from(const json& expanded) {
  return {expanded, "prediction", "extracted"};
}

class RegexExtract {
 public:
  RegexExtract(const json& options, const sdk::NodeInfo& /*info*/) : RegexExtract(with_preset(options)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    const InputOutputFields fields = fields_from(with_preset(options));
    fields.declare(reads, writes);
    writes.add(fields.output + "_pattern", EF_TYPE_STRING);
  }

  void process(sdk::Record& record) const {
    const Extraction extraction = extractor_.extract(record.require_string(fields_.input.c_str()));
    if (extraction.rule < 0 && extractor_.required()) {
      throw sdk::invalid_argument(
          "field '" + fields_.input +
          "': no pattern matched and `required` is set: " + "check the data file or the patterns");
    }
    record.set(fields_.output.c_str(), extraction.text);
    record.set(pattern_field_.c_str(), extraction.rule_name);
  }

 private:
  explicit RegexExtract(const json& expanded)
      : fields_(fields_from(expanded)),
        pattern_field_(fields_.output + "_pattern"),
        extractor_(Extractor::from_options(expanded)) {}

  InputOutputFields fields_;
  std::string pattern_field_;
  Extractor extractor_;
};

const ef_node_type kRegexExtract = sdk::function_node_type<RegexExtract>({
    .name = "regex_extract",
    .description = "Extracts an answer with ordered regexes (first or last match, a capture group); presets "
                   "reproduce simple-evals, AISBench and lm-eval",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema = kRegexExtractOptionsSchema,
});

}  // namespace
}  // namespace evalflow::regex_extract

EVALFLOW_PLUGIN("regex_extract", "1.0.0", "MIT", "Answer extraction by regular expressions",
                &evalflow::regex_extract::kRegexExtract)
