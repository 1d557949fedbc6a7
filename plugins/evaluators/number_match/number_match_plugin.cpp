// number_match: `correct` = the extracted answer is the reference number (GSM8K-style scoring).
#include <embedded/kNumberMatchOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <string>

#include "number_match.hpp"

namespace evalflow::number_match {
namespace {

using sdk::json;

class NumberMatch {
 public:
  NumberMatch(const json& options, const sdk::NodeInfo& /*info*/)
      : prediction_field_(options.value("prediction_field", "extracted")),
        gold_field_(options.value("gold_field", "gold")),
        rule_(options.value("rule", "lenient") == "aisbench_gsm8k" ? Rule::kAisbenchGsm8k : Rule::kLenient),
        tolerance_(options.value("tolerance", 1e-6)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    reads.add(options.value("prediction_field", "extracted"), EF_TYPE_STRING);
    reads.add(options.value("gold_field", "gold"), EF_TYPE_STRING);
  }

  void process(sdk::Record& record) const {
    const std::string_view gold = record.require_string(gold_field_.c_str());
    const Verdict verdict =
        compare(record.require_string(prediction_field_.c_str()), gold, rule_, tolerance_);
    // AISBench scores a gold that int() rejects as a wrong answer; the lenient rule calls it a data error.
    if (!verdict.gold_is_number && rule_ == Rule::kLenient) {
      throw sdk::invalid_argument("field '" + gold_field_ + "' is not a number: '" + std::string(gold) +
                                  "': extract the number first (regex_extract, preset gsm8k_gold)");
    }
    record.set("correct", verdict.correct);
  }

 private:
  std::string prediction_field_;
  std::string gold_field_;
  Rule rule_;
  double tolerance_;
};

const ef_field kWrites[] = {{"correct", EF_TYPE_BOOL}};

const ef_node_type kNumberMatch = sdk::function_node_type<NumberMatch>({
    .name = "number_match",
    .description = "`correct` = the answer is the reference number (commas, $, %, trailing .0 ignored; "
                   "or AISBench's Gsm8kEvaluator rule)",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kNumberMatchOptionsSchema,
});

}  // namespace
}  // namespace evalflow::number_match

EVALFLOW_PLUGIN("number_match", "1.0.0", "MIT", "Numeric answer evaluator",
                &evalflow::number_match::kNumberMatch)
