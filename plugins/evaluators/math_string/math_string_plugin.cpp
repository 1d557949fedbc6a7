// The math_string_v1 and math_string_v2 node types: thin adapters from records to is_equiv.
#include <embedded/kMathStringOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <optional>
#include <string>

#include "is_equiv.hpp"

namespace evalflow::math_string {
namespace {

using sdk::json;

struct Fields {
  std::string prediction;
  std::string gold;

  explicit Fields(const json& options)
      : prediction(options.value("prediction_field", "extracted")), gold(options.value("gold_field", "gold")) {}
};

// A null field is Python's None (is_equiv treats it specially); any other non-string fails the record.
std::optional<std::string_view> answer_field(const sdk::Record& record, const std::string& field) {
  if (record.type(field.c_str()) == EF_TYPE_NULL) return std::nullopt;
  return record.require_string(field.c_str());
}

template <Version kVersion>
class MathString {
 public:
  MathString(const json& options, const sdk::NodeInfo& /*info*/) : fields_(options) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    const Fields fields(options);
    reads.add(fields.prediction, EF_TYPE_STRING);
    reads.add(fields.gold, EF_TYPE_STRING);
  }

  void process(sdk::Record& record) const {
    const bool correct =
        is_equiv(answer_field(record, fields_.prediction), answer_field(record, fields_.gold), kVersion);
    record.set("correct", correct);
  }

 private:
  Fields fields_;
};

const ef_field kWrites[] = {{"correct", EF_TYPE_BOOL}};

const ef_node_type kMathStringV1 = sdk::function_node_type<MathString<Version::v1>>({
    .name = "math_string_v1",
    .description = "AISBench MATHEvaluator(version='v1'): string-normalised equality of answer and gold",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kMathStringOptionsSchema,
});

const ef_node_type kMathStringV2 = sdk::function_node_type<MathString<Version::v2>>({
    .name = "math_string_v2",
    .description = "AISBench MATHEvaluator(version='v2'): string-normalised equality of answer and gold",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kMathStringOptionsSchema,
});

}  // namespace
}  // namespace evalflow::math_string

EVALFLOW_PLUGIN("math_string", "1.0.0", "MIT", "AISBench's string MATHEvaluator (v1 and v2)",
                &evalflow::math_string::kMathStringV1, &evalflow::math_string::kMathStringV2)
