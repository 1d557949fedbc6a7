#include "problem_store.hpp"

#include <fstream>
#include <stdexcept>

namespace evalflow::code_exec {

using nlohmann::json;

std::string problem_key(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

ProblemStore::ProblemStore(const std::filesystem::path& file, const std::string& id_column) : file_(file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open the tests file (see `tests_path`)");
  size_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = file.string() + ":" + std::to_string(line_number);
    json row = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object()) throw std::runtime_error(where + ": not a JSON object");
    if (!row.contains(id_column)) throw std::runtime_error(where + ": no `" + id_column + "` column");
    json tests = json::object();
    for (const char* column : {"public_test_cases", "private_test_cases", "metadata"}) {
      if (row.contains(column)) tests[column] = std::move(row[column]);
    }
    if (!rows_.emplace(problem_key(row[id_column]), std::move(tests)).second) {
      throw std::runtime_error(where + ": `" + id_column + "` " + problem_key(row[id_column]) +
                               " appears twice");
    }
  }
}

std::shared_ptr<const Problem> ProblemStore::find(const std::string& id) {
  {
    const std::lock_guard lock(mutex_);
    if (auto found = decoded_.find(id); found != decoded_.end()) return found->second;
  }
  const auto row = rows_.find(id);
  if (row == rows_.end()) throw std::out_of_range("problem " + id + " is not in " + file_.string());
  std::shared_ptr<const Problem> problem;
  try {
    problem = std::make_shared<const Problem>(livecodebench_problem(row->second));
  } catch (const std::exception& error) {
    throw std::runtime_error(file_.string() + ", problem " + id + ": " + error.what());
  }
  const std::lock_guard lock(mutex_);
  return decoded_.emplace(id, std::move(problem)).first->second;
}

}  // namespace evalflow::code_exec
