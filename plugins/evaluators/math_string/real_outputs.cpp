#include "real_outputs.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace evalflow::math_string {
namespace {

using json = nlohmann::json;

std::vector<std::filesystem::path> jsonl_files(const std::filesystem::path& directory) {
  if (!std::filesystem::is_directory(directory)) {
    throw std::runtime_error("test data directory " + directory.string() + " does not exist");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

template <class OnRow>
void for_each_row(const std::filesystem::path& file, OnRow&& on_row) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    try {
      on_row(json::parse(line));
    } catch (const json::exception& error) {
      throw std::runtime_error(file.string() + ":" + std::to_string(number) + ": " + error.what());
    }
  }
}

RealOutput to_output(const std::string& file, const json& row) {
  const char* text_field = row.contains("response") ? "response" : "prediction";
  return {file, row.at("id").get<std::string>(), row.at(text_field).get<std::string>(),
          row.at("gold_answer").get<std::string>()};
}

}  // namespace

std::vector<RealOutput> load_real_outputs(const std::filesystem::path& directory) {
  std::vector<RealOutput> outputs;
  for (const auto& file : jsonl_files(directory)) {
    const std::string name = file.filename().string();
    for_each_row(file, [&](const json& row) { outputs.push_back(to_output(name, row)); });
  }
  return outputs;
}

std::vector<StrV2Verdict> load_str_v2_verdicts(const std::filesystem::path& directory) {
  std::map<std::pair<std::string, std::string>, RealOutput> outputs;
  for (RealOutput& output : load_real_outputs(directory)) {
    auto key = std::make_pair(output.file, output.id);
    outputs.emplace(std::move(key), std::move(output));
  }
  std::vector<StrV2Verdict> verdicts;
  for (const auto& file : jsonl_files(directory / "verdicts")) {
    for_each_row(file, [&](const json& row) {
      const auto key = std::make_pair(row.at("file").get<std::string>(), row.at("id").get<std::string>());
      const auto found = outputs.find(key);
      if (found == outputs.end()) {
        throw std::runtime_error(file.string() + ": no output " + key.first + " / " + key.second);
      }
      StrV2Verdict verdict{found->second, std::nullopt, std::nullopt};
      if (row.at("str_v2_extracted").is_string())
        verdict.extracted = row["str_v2_extracted"].get<std::string>();
      if (row.at("str_v2").is_boolean()) verdict.correct = row["str_v2"].get<bool>();
      verdicts.push_back(std::move(verdict));
    });
  }
  return verdicts;
}

}  // namespace evalflow::math_string
