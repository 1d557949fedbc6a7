// math_boxed + math_string_v2 against AISBench's own verdicts on real model outputs
// (tests/data/predictions/verdicts, field str_v2: math_postprocess_v2 then MATHEvaluator v2).
#include <gtest/gtest.h>

#include <evalflow/real_outputs/real_outputs.hpp>

#include "is_equiv.hpp"
#include "math_postprocess.hpp"

namespace evalflow::math_string {
namespace {

using real_outputs::RealOutput;

const std::filesystem::path kPredictions =
    std::filesystem::path(EVALFLOW_SOURCE_DIR) / "tests/data/predictions";

TEST(StrV2Parity, ExtractionAndVerdictMatchAisbenchOnEveryRow) {
  const std::vector<RealOutput> outputs = real_outputs::load_judged_outputs(kPredictions);
  // 779 rows over five files (see tests/data/predictions/README.md).
  ASSERT_EQ(outputs.size(), 779U);
  size_t correct = 0;
  for (const RealOutput& output : outputs) {
    SCOPED_TRACE(output.file + " id=" + output.id);
    // AISBench raised on no row of this data (no last \fbox), so every row has both references.
    ASSERT_TRUE(output.verdicts->str_v2_extracted.has_value());
    ASSERT_TRUE(output.verdicts->str_v2.has_value());
    const std::string extracted = math_boxed::math_postprocess_v2(output.text);
    EXPECT_EQ(extracted, *output.verdicts->str_v2_extracted);
    const bool is_correct = is_equiv(extracted, output.gold_answer, Version::v2);
    EXPECT_EQ(is_correct, *output.verdicts->str_v2)
        << "extracted: " << extracted << "\ngold: " << output.gold_answer;
    correct += is_correct ? 1 : 0;
  }
  // Both outcomes occur, so the comparison above is not vacuous.
  EXPECT_GT(correct, 0U);
  EXPECT_LT(correct, outputs.size());
}

}  // namespace
}  // namespace evalflow::math_string
