// The real model outputs with Math-Verify's verdicts (tests/data/predictions/verdicts), joined with
// the references AISBench's math500 config reads (the MATH-500 solution text) — for the parity test
// and the benchmark.
#ifndef EVALFLOW_MATH_VERIFY_REAL_OUTPUTS_HPP
#define EVALFLOW_MATH_VERIFY_REAL_OUTPUTS_HPP

#include <string>
#include <vector>

namespace evalflow::math_verify::testing {

struct RealOutput {
  std::string file;
  std::string id;
  std::string benchmark;  // math500 or aime2024
  std::string response;   // what the model wrote (the boxed string in the *_boxed-answers files)
  std::string reference;  // the MATH-500 solution text, or the AIME gold answer
  std::string gold_answer;
  bool mv_aisbench = false;  // Math-Verify's verdict with AISBench's settings
};

// Reads every verdict row under source_dir. Throws std::runtime_error naming the missing file.
std::vector<RealOutput> load_real_outputs(const std::string& source_dir);

}  // namespace evalflow::math_verify::testing

#endif  // EVALFLOW_MATH_VERIFY_REAL_OUTPUTS_HPP
