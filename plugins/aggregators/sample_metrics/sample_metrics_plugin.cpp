// sample_metrics: the SampleMetrics library as an aggregate node. It declares only the verdict it always
// reads; the answer, finish_reason, truncated and completion_tokens are read when a record carries them,
// so a pipeline without an extractor, think_strip or token counts still validates.
#include <embedded/kSampleMetricsOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <string>

#include <record_groups/record_groups.hpp>

#include "sample_metrics.hpp"

namespace {

namespace sdk = evalflow::sdk;
using evalflow::sample_metrics::Sample;

class SampleMetricsNode {
 public:
  SampleMetricsNode(const sdk::json& options, const sdk::NodeInfo& /*info*/)
      : correct_field_(options.value("correct_field", "correct")),
        answer_field_(options.value("answer_field", "extracted")),
        groups_(evalflow::record_groups::group_columns(options)) {}

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    reads.add(options.value("correct_field", "correct"), EF_TYPE_BOOL);
  }

  void process(const sdk::Record& record) {
    const auto correct = record.boolean(correct_field_.c_str());
    if (!correct) {
      throw sdk::invalid_argument("field '" + correct_field_ +
                                  "' is missing or not a boolean: put an evaluator before sample_metrics");
    }
    Sample sample;
    sample.question = record.index();
    sample.replica = record.replica();
    sample.correct = *correct;
    if (auto answer = record.string(answer_field_.c_str())) sample.answer = std::string(*answer);
    if (auto reason = record.string("finish_reason")) sample.finish_reason = std::string(*reason);
    sample.unclosed_think = record.boolean("truncated");
    sample.completion_tokens = record.integer("completion_tokens");
    try {
      groups_.add(record, [&](evalflow::sample_metrics::SampleMetrics& group) { group.add(sample); });
      metrics_.add(std::move(sample));
    } catch (const std::invalid_argument& error) {
      throw sdk::invalid_argument(error.what());
    }
  }

  // The dataset's figures, then per column "<figure>_by_<column>": {value: figure} for the headline figures
  // (avg@n, pass@n, cons@n) and the number of questions of each group.
  [[nodiscard]] sdk::json report() const {
    sdk::json report = metrics_.report();
    for (const auto& [column, groups] : groups_.groups()) {
      for (const auto& [value, metrics] : groups) {
        const sdk::json figures = metrics.report();
        for (const auto& [name, figure] : figures.items()) {
          if (name.starts_with("avg@") && name.find("stderr") == std::string::npos) {
            report[name + "_by_" + column][value] = figure;
            const std::string n = name.substr(4);
            for (const std::string headline : {"pass@" + n, "cons@" + n}) {
              if (figures.contains(headline)) report[headline + "_by_" + column][value] = figures[headline];
            }
          }
        }
        report["num_questions_by_" + column][value] = figures.value("num_questions", sdk::json(nullptr));
      }
    }
    return report;
  }

 private:
  std::string correct_field_;
  std::string answer_field_;
  evalflow::sample_metrics::SampleMetrics metrics_;  // aggregates are called serially
  evalflow::record_groups::Grouped<evalflow::sample_metrics::SampleMetrics> groups_;
};

const ef_node_type kSampleMetrics = sdk::aggregate_node_type<SampleMetricsNode>({
    .name = "sample_metrics",
    .description = "n samples per question: avg@n (+stderr), pass@k, cons@n, majority_correct@n, truncation, "
                   "output length",
    .options_schema = kSampleMetricsOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("sample_metrics", "1.0.0", "MIT", "Multi-sample and reasoning-aware metrics", &kSampleMetrics)
