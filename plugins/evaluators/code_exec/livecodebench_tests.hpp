// LiveCodeBench's test cases as its code_generation_lite rows carry them: `public_test_cases` (JSON text),
// `private_test_cases` (JSON text, or base64 of zlib of a pickled JSON string, as LiveCodeBench publishes
// them), `metadata` (JSON text; `func_name` makes the tests call-based). Decoded the way
// lcb_runner/benchmarks/code_generation.py does: JSON first, the packed form when that fails.
#ifndef EVALFLOW_CODE_EXEC_LIVECODEBENCH_TESTS_HPP
#define EVALFLOW_CODE_EXEC_LIVECODEBENCH_TESTS_HPP

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::code_exec {

struct TestCase {
  std::string input;
  std::string output;
};

struct Problem {
  std::string fn_name;  // empty: standard input/output tests; else call-based (Solution().fn_name(*args))
  std::vector<TestCase> tests;  // public then private, the order the reference runs them
};

// The pickled string inside LiveCodeBench's packed private tests; throws std::runtime_error on anything
// else (the error says which opcode).
std::string unpickle_string(std::string_view pickle);

// base64 -> zlib -> pickle -> the JSON text; throws std::runtime_error saying which step failed.
std::string unpack_private_tests(std::string_view packed);

// One row of LiveCodeBench's JSONL; throws std::runtime_error (naming the column) when malformed.
Problem livecodebench_problem(const nlohmann::json& row);

}  // namespace evalflow::code_exec

#endif  // EVALFLOW_CODE_EXEC_LIVECODEBENCH_TESTS_HPP
