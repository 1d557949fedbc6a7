// The real model outputs of tests/data/predictions with the upstream Python verdicts of
// tests/data/predictions/verdicts, read once for every evaluator's parity tests and benchmarks.
#ifndef EVALFLOW_REAL_OUTPUTS_REAL_OUTPUTS_HPP
#define EVALFLOW_REAL_OUTPUTS_REAL_OUTPUTS_HPP

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace evalflow::real_outputs {

// One row of verdicts/<file>.verdicts.jsonl (field meanings: tests/data/predictions/README.md). A field
// that is null, absent or not of its type (str_v2 is "error" where AISBench's postprocessor raised) is
// nullopt.
struct Verdicts {
  std::optional<std::string> str_v2_extracted;
  std::optional<bool> str_v2;
  std::optional<bool> mv_aisbench;
};

struct RealOutput {
  std::string file;  // the predictions file's name
  std::string id;
  std::string benchmark;  // math500 or aime2024
  std::string text;       // what the model wrote and the references judged: `response`, else `prediction`
  std::string gold_answer;
  std::optional<std::string> unique_id;  // the MATH-500 problem (test/<subject>/<n>.json); null for AIME
  std::optional<Verdicts> verdicts;      // about half of the rows have a verdict row
};

// Every row of every *.jsonl file in `directory`, files in name order and rows in file order, each with
// its row of `directory`/verdicts/<file>.verdicts.jsonl (joined on file and id) where there is one.
// Throws sdk::Error naming file:line for a row that lacks a field, a duplicate id, or a verdict row
// without its output.
std::vector<RealOutput> load_real_outputs(const std::filesystem::path& directory);

// The rows of load_real_outputs(directory) that have verdicts, in the same order.
std::vector<RealOutput> load_judged_outputs(const std::filesystem::path& directory);

}  // namespace evalflow::real_outputs

#endif  // EVALFLOW_REAL_OUTPUTS_REAL_OUTPUTS_HPP
