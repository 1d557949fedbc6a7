// The test cases of a LiveCodeBench JSONL file (its code_generation_lite rows), by problem id. Rows are
// read once; a problem's private tests are unpacked the first time it is graded, then kept.
#ifndef EVALFLOW_CODE_EXEC_PROBLEM_STORE_HPP
#define EVALFLOW_CODE_EXEC_PROBLEM_STORE_HPP

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "livecodebench_tests.hpp"

namespace evalflow::code_exec {

class ProblemStore {
 public:
  // Throws std::runtime_error naming the file and line when it cannot be read.
  ProblemStore(const std::filesystem::path& file, const std::string& id_column);

  // Throws std::out_of_range for an unknown id, std::runtime_error for a malformed row.
  std::shared_ptr<const Problem> find(const std::string& id);
  [[nodiscard]] size_t size() const { return rows_.size(); }

 private:
  std::filesystem::path file_;
  std::map<std::string, nlohmann::json> rows_;  // only the test columns
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Problem>> decoded_;
};

// A record's id value as the key: strings as they are, numbers as their JSON text.
std::string problem_key(const nlohmann::json& value);

}  // namespace evalflow::code_exec

#endif  // EVALFLOW_CODE_EXEC_PROBLEM_STORE_HPP
