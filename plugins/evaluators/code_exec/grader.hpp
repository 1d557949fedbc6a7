// Grades one model-written Python program: runs it in the sandbox under harness.py and turns the replies
// into LiveCodeBench's per-test codes and a verdict. The expected outputs stay here, outside the sandbox.
#ifndef EVALFLOW_CODE_EXEC_GRADER_HPP
#define EVALFLOW_CODE_EXEC_GRADER_HPP

#include <chrono>
#include <evalflow/sandbox/sandbox.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "livecodebench_tests.hpp"

namespace evalflow::code_exec {

struct GradeOptions {
  std::string python = "/usr/bin/python3";
  double test_timeout_s = 6;  // per test (LiveCodeBench: 6 s, by signal.alarm)
  // The whole run; absent: LiveCodeBench's (timeout + 1) x tests + 5 s.
  std::optional<double> global_timeout_s;
  sandbox::Limits limits;  // wall is set from the timeouts
  size_t error_lines = 5;  // lines of standard error kept with a runtime error
};

// What the row gets. test_results holds LiveCodeBench's codes, stopping at the first failing test as its
// grader does: true (passed), false (wrong, call-based and HumanEval), -1 (the whole run timed out or
// died), -2 (wrong answer, standard output), -3 (time limit), -4 (runtime or compile error).
struct Verdict {
  std::string verdict;  // passed, wrong_answer, time_limit, memory_limit, runtime_error, compile_error
  nlohmann::json test_results = nlohmann::json::array();
  int64_t tests_passed = 0;
  int64_t tests_total = 0;
  std::string error;  // what failed: the test and outputs, or the last lines of standard error
  double seconds = 0;
  [[nodiscard]] bool passed() const { return verdict == "passed"; }
};

// LiveCodeBench: standard input/output tests, or call-based when problem.fn_name is set.
Verdict grade_livecodebench(const std::string& code, const Problem& problem, const GradeOptions& options,
                            const sandbox::Config& sandbox);

// HumanEval: `program` (prompt + completion + test + check(entry_point)) passes when it runs to its end.
Verdict grade_humaneval(const std::string& program, const GradeOptions& options,
                        const sandbox::Config& sandbox);

}  // namespace evalflow::code_exec

#endif  // EVALFLOW_CODE_EXEC_GRADER_HPP
