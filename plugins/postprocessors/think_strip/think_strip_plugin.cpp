// The think_strip node type: a thin adapter from records to visible_answer.
#include <embedded/kThinkStripOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <evalflow/text_fields/input_output_fields.hpp>
#include <string>

#include "think_strip.hpp"

namespace evalflow::think_strip {
namespace {

using sdk::json;
using text_fields::InputOutputFields;

InputOutputFields fields_from(const json& options) { return {options, "prediction", "answer_text"}; }

class ThinkStrip {
 public:
  ThinkStrip(const json& options, const sdk::NodeInfo& /*info*/) : fields_(fields_from(options)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    fields_from(options).declare(reads, writes);
  }

  void process(sdk::Record& record) const {
    const VisibleAnswer answer = visible_answer(record.require_string(fields_.input.c_str()));
    // Copied before writing: output may name the input field, which the view points into.
    const std::string text(answer.text);
    record.set(fields_.output.c_str(), text);
    record.set("truncated", answer.truncated);
  }

 private:
  InputOutputFields fields_;
};

const ef_field kWrites[] = {{"truncated", EF_TYPE_BOOL}};

const ef_node_type kThinkStrip = sdk::function_node_type<ThinkStrip>({
    .name = "think_strip",
    .description = "Keeps the text after the last </think>; marks an unclosed <think> as truncated",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kThinkStripOptionsSchema,
});

}  // namespace
}  // namespace evalflow::think_strip

EVALFLOW_PLUGIN("think_strip", "1.0.0", "MIT", "Separates a reasoning model's answer from its thinking",
                &evalflow::think_strip::kThinkStrip)
