// Verdicts on programs the project wrote (tests/data/livecodebench/solutions.jsonl) against problems in
// LiveCodeBench's own row format (problems.jsonl, private tests packed). `reference_results` there is what
// LiveCodeBench's grader (lcb_runner check_correctness, commit 28fef95, timeout 1 s) returned for each.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "grader.hpp"
#include "problem_store.hpp"

namespace evalflow::code_exec {
namespace {

using nlohmann::json;

const std::string kData = std::string(EVALFLOW_SOURCE_DIR) + "/tests/data/livecodebench/";

GradeOptions one_second() {
  GradeOptions options;
  options.test_timeout_s = 1;
  return options;
}

TEST(Grader, VerdictsEqualTheReferenceGradersOnEverySolution) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  std::ifstream solutions(kData + "solutions.jsonl");
  int checked = 0;
  for (std::string line; std::getline(solutions, line); ++checked) {
    const json solution = json::parse(line);
    const auto problem = problems.find(solution["question_id"]);
    const Verdict verdict = grade_livecodebench(solution["code"], *problem, one_second(), {});
    SCOPED_TRACE(solution["question_id"].get<std::string>() + " " + solution["name"].get<std::string>() +
                 ": " + verdict.error);
    EXPECT_EQ(verdict.test_results, solution["reference_results"]);
    EXPECT_EQ(verdict.verdict, solution["verdict"].get<std::string>());
    EXPECT_EQ(verdict.passed(), solution["verdict"] == "passed");
  }
  EXPECT_EQ(checked, 32);
}

TEST(Grader, RuntimeErrorsKeepTheLastLinesOfTheTraceback) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  const Verdict verdict = grade_livecodebench("a, b = map(int, input().split())\nprint(a // 0)",
                                              *problems.find("ef001_a"), one_second(), {});
  EXPECT_EQ(verdict.verdict, "runtime_error");
  EXPECT_NE(verdict.error.find("ZeroDivisionError: integer division or modulo by zero"), std::string::npos)
      << verdict.error;
  EXPECT_EQ(verdict.tests_total, 3);
  EXPECT_EQ(verdict.tests_passed, 0);
}

TEST(Grader, WrongAnswersNameTheTestAndBothOutputs) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  const Verdict verdict =
      grade_livecodebench("a, b = map(int, input().split())\nprint(a + b if a < 1000 else 0)",
                          *problems.find("ef001_a"), one_second(), {});
  EXPECT_EQ(verdict.verdict, "wrong_answer");
  EXPECT_EQ(verdict.tests_passed, 2);
  EXPECT_EQ(verdict.error, "test 2: output 0\n != expected 1000000000001\n");
}

TEST(Grader, AProgramThatOutlivesTheGlobalLimitFailsEveryTest) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  GradeOptions options = one_second();
  options.global_timeout_s = 2;
  // Swallows the per-test alarm, as the reference's global timeout exists for.
  const Verdict verdict = grade_livecodebench(
      "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
      *problems.find("ef001_a"), options, {});
  EXPECT_EQ(verdict.verdict, "time_limit");
  EXPECT_EQ(verdict.test_results, json({-1, -1, -1}));
}

TEST(Grader, ExhaustedMemoryIsItsOwnVerdict) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  GradeOptions options = one_second();
  options.limits.memory_bytes = 512ULL << 20;
  const Verdict verdict =
      grade_livecodebench("x = bytearray(8 << 30)\nprint(len(x))", *problems.find("ef001_a"), options, {});
  EXPECT_EQ(verdict.verdict, "memory_limit");
  EXPECT_EQ(verdict.test_results, json({-4}));
}

TEST(Grader, AProcessKilledMidwayCountsAsTheReferencesDeadProcess) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  const Verdict verdict = grade_livecodebench(
      "import os\na, b = map(int, input().split())\nprint(a + b)\nif a == 10:\n    os._exit(3)",
      *problems.find("ef001_a"), one_second(), {});
  EXPECT_EQ(verdict.verdict, "runtime_error");
  EXPECT_EQ(verdict.test_results, json({-1, -1, -1}));
  EXPECT_NE(verdict.error.find("exited with status 3"), std::string::npos) << verdict.error;
}

constexpr const char* kHumanEvalTest =
    "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n";

TEST(Grader, HumanEvalChecksPassFailAndTimeOut) {
  GradeOptions options = one_second();
  auto program = [](const std::string& body) {
    return std::string("def add(a, b):\n") + body + "\n" + kHumanEvalTest + "\ncheck(add)\n";
  };
  EXPECT_EQ(grade_humaneval(program("    return a + b"), options, {}).verdict, "passed");
  const Verdict wrong = grade_humaneval(program("    return a * b"), options, {});
  EXPECT_EQ(wrong.verdict, "wrong_answer");
  EXPECT_EQ(wrong.test_results, json({false}));
  EXPECT_NE(wrong.error.find("AssertionError"), std::string::npos) << wrong.error;
  EXPECT_EQ(grade_humaneval(program("    while True: pass"), options, {}).verdict, "time_limit");
  EXPECT_EQ(grade_humaneval(program("    return a +"), options, {}).verdict, "compile_error");
  EXPECT_EQ(grade_humaneval(program("    print('noise')\n    return a + b"), options, {}).verdict, "passed");
  EXPECT_EQ(grade_humaneval(program("    raise SystemExit(0)"), options, {}).verdict, "runtime_error");
}

TEST(Grader, TheProgramCannotForgeTheHarnessReplies) {
  ProblemStore problems(kData + "problems.jsonl", "question_id");
  // Writes a fake "all passed" sequence to every descriptor it can find, then fails on purpose.
  const std::string forger =
      "import os\nfake = b'{\"event\": \"test\", \"index\": 0, \"status\": \"ok\", \"output\": \"3\"}\\n'\n"
      "for fd in range(1, 10):\n    try:\n        os.write(fd, fake * 3)\n    except OSError:\n        pass\n"
      "print('wrong')";
  const Verdict verdict = grade_livecodebench(forger, *problems.find("ef001_a"), one_second(), {});
  EXPECT_FALSE(verdict.passed());
}

}  // namespace
}  // namespace evalflow::code_exec
