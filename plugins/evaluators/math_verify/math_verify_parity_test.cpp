// Parity with Math-Verify (AISBench's settings) on real model outputs: every verdict in
// tests/data/predictions/verdicts, and every disagreement listed in testdata/known_disagreements.jsonl.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "math_verify.hpp"
#include "testing/aisbench_references.hpp"

namespace evalflow::math_verify {
namespace {

std::set<std::string> known_disagreements() {
  std::set<std::string> keys;
  std::ifstream in(std::string(EVALFLOW_SOURCE_DIR) +
                   "/plugins/evaluators/math_verify/testdata/known_disagreements.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto row = nlohmann::json::parse(line);
    EXPECT_TRUE(row.contains("reason")) << "every known disagreement needs a reason: " << line;
    keys.insert(row.at("file").get<std::string>() + "/" + row.at("id").get<std::string>());
  }
  return keys;
}

TEST(MathVerifyParity, AgreesWithMathVerifyOnRealOutputs) {
  const auto outputs = testing::load_referenced_outputs(EVALFLOW_SOURCE_DIR);
  ASSERT_GT(outputs.size(), 700u);
  const Verifier verifier(Mode::kAisbench);
  std::set<std::string> disagreements;
  for (const auto& [output, reference, mv_aisbench] : outputs) {
    const Verdict verdict = verifier.grade(output.text, reference);
    if (verdict.correct != mv_aisbench) {
      disagreements.insert(output.file + "/" + output.id);
      ADD_FAILURE() << output.file << " " << output.id << ": Math-Verify says " << mv_aisbench
                    << ", we extracted '" << verdict.extracted << "' against '" << verdict.extracted_gold
                    << "'";
    }
  }
  const double agreement =
      1.0 - static_cast<double>(disagreements.size()) / static_cast<double>(outputs.size());
  EXPECT_GE(agreement, 0.995);
  EXPECT_EQ(disagreements, known_disagreements());
}

TEST(MathVerifyParity, FixedModeNeverLosesACorrectVerdictOnRealOutputs) {
  const auto outputs = testing::load_referenced_outputs(EVALFLOW_SOURCE_DIR);
  const Verifier fixed(Mode::kFixed);
  for (const auto& [output, reference, mv_aisbench] : outputs) {
    if (!mv_aisbench) continue;
    EXPECT_TRUE(fixed.grade(output.text, reference).correct) << output.file << " " << output.id;
  }
}

// With the short gold answer as reference, Math-Verify's expression extraction reads "6-5i" as 5;
// the fixed mode reads the whole answer, so it scores at least as many rows right.
TEST(MathVerifyParity, FixedModeScoresShortGoldAnswersAtLeastAsWell) {
  const auto outputs = testing::load_referenced_outputs(EVALFLOW_SOURCE_DIR);
  const Verifier parity(Mode::kAisbench);
  const Verifier fixed(Mode::kFixed);
  int parity_correct = 0;
  int fixed_correct = 0;
  for (const auto& referenced : outputs) {
    const real_outputs::RealOutput& output = referenced.output;
    parity_correct += parity.grade(output.text, output.gold_answer).correct ? 1 : 0;
    fixed_correct += fixed.grade(output.text, output.gold_answer).correct ? 1 : 0;
  }
  EXPECT_GT(fixed_correct, parity_correct);
}

}  // namespace
}  // namespace evalflow::math_verify
