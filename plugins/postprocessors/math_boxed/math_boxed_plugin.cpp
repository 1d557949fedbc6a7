// The math_boxed node type: a thin adapter from records to math_postprocess_v2.
#include <embedded/kMathBoxedOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <evalflow/text_fields/input_output_fields.hpp>

#include "math_postprocess.hpp"

namespace evalflow::math_boxed {
namespace {

using sdk::json;
using text_fields::InputOutputFields;

InputOutputFields fields_from(const json& options) {
  return {options, "prediction", "extracted"};
}

class MathBoxed {
 public:
  MathBoxed(const json& options, const sdk::NodeInfo& /*info*/) : fields_(fields_from(options)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    fields_from(options).declare(reads, writes);
  }

  void process(sdk::Record& record) const {
    record.set(fields_.output.c_str(), math_postprocess_v2(record.require_string(fields_.input.c_str())));
  }

 private:
  InputOutputFields fields_;
};

const ef_node_type kMathBoxed = sdk::function_node_type<MathBoxed>({
    .name = "math_boxed",
    .description = "Extracts a math answer like AISBench's math_postprocess_v2: the last \\boxed{}, else the "
                   "'final answer'/'answer is' sentence, normalised",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema = kMathBoxedOptionsSchema,
});

}  // namespace
}  // namespace evalflow::math_boxed

EVALFLOW_PLUGIN("math_boxed", "1.0.0", "MIT", "AISBench-compatible extraction of boxed math answers",
                &evalflow::math_boxed::kMathBoxed)
