// Reads the real model outputs of tests/data/predictions and AISBench's reference verdicts for them,
// for the parity test and the benchmark.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace evalflow::math_string {

struct RealOutput {
  std::string file;  // the predictions file's name
  std::string id;
  std::string text;  // what AISBench judged: `response`, or `prediction` in the *_boxed-answers files
  std::string gold;  // `gold_answer`
};

// AISBench's math_postprocess_v2 + MATHEvaluator(version='v2') on one output (verdicts/README in
// tests/data/predictions). nullopt where math_postprocess_v2 raised.
struct StrV2Verdict {
  RealOutput output;
  std::optional<std::string> extracted;
  std::optional<bool> correct;
};

// Every row of every predictions file in `directory`, in file order. Throws std::runtime_error naming
// the file and line of a malformed row.
std::vector<RealOutput> load_real_outputs(const std::filesystem::path& directory);

// Every row of `directory`/verdicts/*.verdicts.jsonl joined with its output on `id`.
std::vector<StrV2Verdict> load_str_v2_verdicts(const std::filesystem::path& directory);

}  // namespace evalflow::math_string
