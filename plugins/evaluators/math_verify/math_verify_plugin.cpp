// The math_verify and math_verify_fixed node types: thin adapters from records to math_verify::Verifier.
#include <embedded/kMathVerifyOptionsSchema.hpp>
#include <evalflow/plugin.hpp>
#include <string>
#include <utility>

#include "math_verify.hpp"

namespace evalflow::math_verify {
namespace {

using sdk::json;

struct Options {
  std::string prediction;
  std::string gold;
  std::chrono::milliseconds timeout;

  explicit Options(const json& options)
      : prediction(options.value("prediction_field", "prediction")),
        gold(options.value("gold_field", "gold")),
        timeout(options.value("timeout_ms", 5000)) {}
};

template <Mode kMode>
class MathVerifyNode {
 public:
  MathVerifyNode(const json& options, const sdk::NodeInfo& /*info*/)
      : options_(options), verifier_(kMode, options_.timeout) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    const Options resolved(options);
    reads.add(resolved.prediction, EF_TYPE_STRING);
    reads.add(resolved.gold, EF_TYPE_STRING);
  }

  // Runs concurrently on the graph's workers: the Verifier is immutable and grade() keeps its state
  // on the stack.
  void process(sdk::Record& record) const {
    const Verdict verdict = verifier_.grade(record.require_string(options_.prediction.c_str()),
                                            record.require_string(options_.gold.c_str()));
    if (verdict.timed_out) {
      // Math-Verify scores a comparison that times out as wrong; here it is a scoring failure, counted and
      // reported (eval_error), never a verdict: a slow comparison says nothing about the answer.
      throw sdk::Error(
          EF_DEADLINE_EXCEEDED,
          "grading exceeded timeout_ms=" + std::to_string(options_.timeout.count()) + " (prediction of " +
              std::to_string(record.require_string(options_.prediction.c_str()).size()) +
              " bytes): not scored; raise timeout_ms, or check the output for runaway repetition");
    }
    record.set("correct", verdict.correct);
    record.set("extracted", verdict.extracted);
    record.set("extracted_gold", verdict.extracted_gold);
  }

 private:
  Options options_;
  Verifier verifier_;
};

const ef_field kWrites[] = {
    {"correct", EF_TYPE_BOOL}, {"extracted", EF_TYPE_STRING}, {"extracted_gold", EF_TYPE_STRING}};

const ef_node_type kMathVerify = sdk::function_node_type<MathVerifyNode<Mode::kAisbench>>({
    .name = "math_verify",
    .description =
        "AISBench's Math-Verify MATHEvaluator: extracts the answer (boxed first), parses LaTeX and "
        "checks equivalence with the reference (parity with math-verify)",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kMathVerifyOptionsSchema,
});

const ef_node_type kMathVerifyFixed = sdk::function_node_type<MathVerifyNode<Mode::kFixed>>({
    .name = "math_verify_fixed",
    .description =
        "math_verify with Math-Verify's known false negatives fixed: a bare reference answer such as "
        "6-5i is read whole instead of as a number found inside it",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kMathVerifyOptionsSchema,
});

}  // namespace
}  // namespace evalflow::math_verify

EVALFLOW_PLUGIN("math_verify", "1.0.0", "MIT",
                "Math-Verify answer checking (LaTeX parsing and equivalence) in C++",
                &evalflow::math_verify::kMathVerify, &evalflow::math_verify::kMathVerifyFixed)
