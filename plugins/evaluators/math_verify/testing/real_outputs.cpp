#include "real_outputs.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace evalflow::math_verify::testing {
namespace {

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + " (run the test from a full checkout)");
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

constexpr const char* kFiles[] = {
    "gpt5_math500_boxed-answers.jsonl",
    "llama31-8b-instruct_aime2024_qwen25math-harness.jsonl",
    "llama31-8b-instruct_math500_qwen25math-harness.jsonl",
    "qwen3-0.6b-reasoning_math500_boxed-answers.jsonl",
    "qwen3-32b_aime2024_lighteval.jsonl",
};

}  // namespace

std::vector<RealOutput> load_real_outputs(const std::string& source_dir) {
  std::map<std::string, std::string> solutions;
  for (const auto& row : read_jsonl(source_dir + "/data/math500/test.jsonl")) {
    solutions[row.at("unique_id").get<std::string>()] = row.at("solution").get<std::string>();
  }
  std::vector<RealOutput> outputs;
  const std::string folder = source_dir + "/tests/data/predictions/";
  for (const char* file : kFiles) {
    std::map<std::string, nlohmann::json> rows;
    for (auto& row : read_jsonl(folder + file)) {
      std::string id = row.at("id").get<std::string>();
      rows.emplace(std::move(id), std::move(row));
    }
    for (const auto& verdict : read_jsonl(folder + "verdicts/" + file + ".verdicts.jsonl")) {
      const nlohmann::json& row = rows.at(verdict.at("id").get<std::string>());
      RealOutput output;
      output.file = file;
      output.id = verdict.at("id").get<std::string>();
      output.benchmark = row.at("benchmark").get<std::string>();
      output.response = row.contains("response") ? row.at("response").get<std::string>()
                                                 : row.at("prediction").get<std::string>();
      output.gold_answer = row.at("gold_answer").get<std::string>();
      output.reference = output.benchmark == "math500" ? solutions.at(row.at("unique_id").get<std::string>())
                                                       : output.gold_answer;
      output.mv_aisbench = verdict.at("mv_aisbench").get<bool>();
      outputs.push_back(std::move(output));
    }
  }
  return outputs;
}

}  // namespace evalflow::math_verify::testing
