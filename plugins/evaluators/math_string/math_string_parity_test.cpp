// math_boxed + math_string_v2 against AISBench's own verdicts on real model outputs
// (tests/data/predictions/verdicts, field str_v2: math_postprocess_v2 then MATHEvaluator v2).
#include <gtest/gtest.h>

#include "is_equiv.hpp"
#include "math_postprocess.hpp"
#include "real_outputs.hpp"

namespace evalflow::math_string {
namespace {

const std::filesystem::path kPredictions =
    std::filesystem::path(EVALFLOW_SOURCE_DIR) / "tests/data/predictions";

TEST(StrV2Parity, ExtractionAndVerdictMatchAisbenchOnEveryRow) {
  const std::vector<StrV2Verdict> verdicts = load_str_v2_verdicts(kPredictions);
  // 779 rows over five files (see tests/data/predictions/README.md).
  ASSERT_EQ(verdicts.size(), 779U);
  size_t correct = 0;
  for (const StrV2Verdict& verdict : verdicts) {
    SCOPED_TRACE(verdict.output.file + " id=" + verdict.output.id);
    // AISBench raised on no row of this data (no last \fbox), so every row has both references.
    ASSERT_TRUE(verdict.extracted.has_value());
    ASSERT_TRUE(verdict.correct.has_value());
    const std::string extracted = math_boxed::math_postprocess_v2(verdict.output.text);
    EXPECT_EQ(extracted, *verdict.extracted);
    const bool is_correct = is_equiv(extracted, verdict.output.gold, Version::v2);
    EXPECT_EQ(is_correct, *verdict.correct)
        << "extracted: " << extracted << "\ngold: " << verdict.output.gold;
    correct += is_correct ? 1 : 0;
  }
  // Both outcomes occur, so the comparison above is not vacuous.
  EXPECT_GT(correct, 0U);
  EXPECT_LT(correct, verdicts.size());
}

}  // namespace
}  // namespace evalflow::math_string
