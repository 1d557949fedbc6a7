// exact_match: `correct` = the prediction equals the reference (optionally trimmed, case-insensitive).
#include <embedded/kExactMatchOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <string>

#include "exact_match.hpp"

namespace {

namespace sdk = evalflow::sdk;
using evalflow::exact_match::MatchOptions;

class ExactMatchNode {
 public:
  ExactMatchNode(const sdk::json& options, const sdk::NodeInfo& /*info*/)
      : prediction_field_(options.value("prediction_field", "prediction")),
        gold_field_(options.value("gold_field", "gold")),
        options_{.trim = options.value("trim", false),
                 .case_insensitive = options.value("case_insensitive", false)} {}

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    reads.add(options.value("prediction_field", "prediction"), EF_TYPE_STRING);
    reads.add(options.value("gold_field", "gold"), EF_TYPE_STRING);
  }

  void process(sdk::Record& record) const {
    const std::string_view prediction = record.require_string(prediction_field_.c_str());
    const std::string_view gold = record.require_string(gold_field_.c_str());
    record.set("correct", evalflow::exact_match::matches(prediction, gold, options_));
  }

 private:
  std::string prediction_field_;
  std::string gold_field_;
  MatchOptions options_;
};

const ef_field kWrites[] = {{"correct", EF_TYPE_BOOL}};

const ef_node_type kExactMatch = sdk::function_node_type<ExactMatchNode>({
    .name = "exact_match",
    .description = "`correct` = prediction equals gold (options: trim, case_insensitive)",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kExactMatchOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("exact_match", "1.0.0", "MIT", "Exact-match evaluator", &kExactMatch)
