// The real model outputs that have Math-Verify verdicts (tests/data/predictions), each with the reference
// AISBench's configs hand Math-Verify: the MATH-500 solution text for math500 rows, the gold answer
// otherwise. For the parity test and the benchmark.
#ifndef EVALFLOW_MATH_VERIFY_AISBENCH_REFERENCES_HPP
#define EVALFLOW_MATH_VERIFY_AISBENCH_REFERENCES_HPP

#include <evalflow/real_outputs/real_outputs.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace evalflow::math_verify::testing {

struct ReferencedOutput {
  real_outputs::RealOutput output;
  std::string reference;
  bool mv_aisbench = false;  // Math-Verify's verdict with AISBench's settings
};

// Reads tests/data/predictions and data/math500/test.jsonl under `source_dir`. Throws sdk::Error naming
// file:line for a malformed row, or the output whose verdict or MATH-500 problem is missing.
std::vector<ReferencedOutput> load_referenced_outputs(const std::filesystem::path& source_dir);

}  // namespace evalflow::math_verify::testing

#endif  // EVALFLOW_MATH_VERIFY_AISBENCH_REFERENCES_HPP
