// accuracy: the share of scored records whose `correct` is true, in percent. Failed records never reach
// aggregators (the host counts them separately), so every record seen here was scored.
#include <embedded/kAccuracyOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <string>

#include <record_groups/record_groups.hpp>

#include "accuracy.hpp"

namespace {

namespace sdk = evalflow::sdk;

class AccuracyNode {
 public:
  AccuracyNode(const sdk::json& options, const sdk::NodeInfo& /*info*/)
      : field_(options.value("field", "correct")),
        naive_average_(options.value("naive_average", false)),
        groups_(evalflow::record_groups::group_columns(options)) {}

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    reads.add(options.value("field", "correct"), EF_TYPE_BOOL);
  }

  void process(const sdk::Record& record) {
    const auto correct = record.boolean(field_.c_str());
    if (!correct)
      throw sdk::invalid_argument("field '" + field_ +
                                  "' is missing or not a boolean: put an evaluator before accuracy");
    counter_.add(*correct);
    groups_.add(record, [&](evalflow::accuracy::AccuracyCounter& group) { group.add(*correct); });
  }

  // The dataset's figures, then per column "accuracy_by_<column>": {value: percent} and the group sizes,
  // and with naive_average the groups' unweighted mean.
  [[nodiscard]] sdk::json report() const {
    sdk::json report = counter_.report();
    for (const auto& [column, groups] : groups_.groups()) {
      sdk::json& accuracy = report["accuracy_by_" + column];
      sdk::json& sizes = report["num_by_" + column];
      double sum = 0;
      for (const auto& [value, counter] : groups) {
        const sdk::json figures = counter.report();
        accuracy[value] = figures["accuracy"];
        sizes[value] = figures["total"];
        sum += figures["accuracy"].is_number() ? figures["accuracy"].get<double>() : 0.0;
      }
      if (naive_average_ && !groups.empty()) {
        report["naive_average_by_" + column] = sum / static_cast<double>(groups.size());
      }
    }
    return report;
  }

 private:
  std::string field_;
  bool naive_average_;
  evalflow::accuracy::AccuracyCounter counter_;  // aggregates are called serially
  evalflow::record_groups::Grouped<evalflow::accuracy::AccuracyCounter> groups_;
};

const ef_node_type kAccuracy = sdk::aggregate_node_type<AccuracyNode>({
    .name = "accuracy",
    .description = "Percent of records whose `correct` is true: {accuracy, correct, total}",
    .options_schema = kAccuracyOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("accuracy", "1.0.0", "MIT", "Accuracy aggregator", &kAccuracy)
