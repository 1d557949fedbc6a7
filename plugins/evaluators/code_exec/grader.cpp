#include "grader.hpp"

#include <embedded/kCodeExecHarness.hpp>

#include <cmath>
#include <csignal>
#include <sstream>
#include <vector>

#include "python_equal.hpp"
#include "stdio_match.hpp"

namespace evalflow::code_exec {
namespace {

using nlohmann::json;

enum class Mode { stdio, call, humaneval };

// LiveCodeBench's truncatefn: long texts keep their two ends.
std::string truncated(const std::string& text, size_t length = 300) {
  if (text.size() <= length) return text;
  return text.substr(0, length / 2) + "...(truncated) ..." + text.substr(text.size() - length / 2);
}

std::string last_lines(const std::string& text, size_t count) {
  size_t start = text.size();
  while (start > 0 && (text[start - 1] == '\n')) --start;
  const size_t end = start;
  for (size_t lines = 0; start > 0; --start) {
    if (text[start - 1] == '\n' && ++lines == count) break;
  }
  return truncated(text.substr(start, end - start), 2000);
}

std::vector<json> replies_in(const std::string& output) {
  std::vector<json> replies;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    json reply = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!reply.is_object()) break;  // not the harness (the program wrote to its descriptor): stop trusting
    replies.push_back(std::move(reply));
  }
  return replies;
}

std::string failure_verdict(const std::string& kind) {
  if (kind == "timeout") return "time_limit";
  if (kind == "memory") return "memory_limit";
  if (kind == "syntax") return "compile_error";
  return "runtime_error";
}

class Grading {
 public:
  Grading(Mode mode, const std::vector<TestCase>& tests, const GradeOptions& options)
      : mode_(mode), tests_(tests), options_(options) {
    verdict_.tests_total = static_cast<int64_t>(tests.size());
  }

  Verdict run(const std::string& code, const std::string& fn_name, const sandbox::Config& config) {
    json request = {{"mode", mode_ == Mode::stdio  ? "stdio"
                             : mode_ == Mode::call ? "call"
                                                   : "humaneval"},
                    {"code", code},
                    {"fn_name", fn_name},
                    {"timeout", options_.test_timeout_s}};
    json inputs = json::array();
    for (const auto& test : tests_) inputs.push_back(test.input);
    request["inputs"] = std::move(inputs);
    sandbox::Request run{.argv = {options_.python, "harness.py"},
                         .input = request.dump(-1, ' ', false, json::error_handler_t::replace),
                         .files = {{"harness.py", kCodeExecHarness}},
                         .limits = options_.limits};
    const double wall = options_.global_timeout_s.value_or(
        (std::ceil(options_.test_timeout_s) + 1) * static_cast<double>(tests_.size()) + 5);
    run.limits.wall = std::chrono::milliseconds(static_cast<int64_t>(wall * 1000));
    const sandbox::Result result = sandbox::run(run, config);
    verdict_.seconds = result.seconds;
    read_replies(result);
    return verdict_;
  }

 private:
  void read_replies(const sandbox::Result& result) {
    const auto replies = replies_in(result.output);
    if (!replies.empty() && replies[0].value("event", "") == "compile_failed") {
      verdict_.verdict = failure_verdict(replies[0].value("kind", ""));
      verdict_.test_results = json::array({-4});  // the reference's "Error during testing"
      verdict_.error = last_lines(result.error, options_.error_lines);
      return;
    }
    size_t index = 0;
    for (const auto& reply : replies) {
      if (reply.value("event", "") != "test") continue;
      if (reply.value("index", -1) != static_cast<int64_t>(index) || index >= tests_.size()) break;
      if (!record_test(reply, result)) return;  // the first failure decides, as the reference stops there
      ++index;
    }
    if (index == tests_.size()) {
      verdict_.verdict = "passed";
      return;
    }
    died_before_the_end(result);
  }

  // False when this test failed (the verdict is then set).
  bool record_test(const json& reply, const sandbox::Result& result) {
    const TestCase& test = tests_[verdict_.test_results.size()];
    const std::string status = reply.value("status", "");
    if (status == "ok") {
      const auto [passed, code, why] = compare(reply, test);
      verdict_.test_results.push_back(passed ? json(true) : code);
      if (passed) {
        ++verdict_.tests_passed;
        return true;
      }
      verdict_.verdict = "wrong_answer";
      verdict_.error = why;
      return false;
    }
    if (status == "assert" && mode_ == Mode::humaneval) {
      verdict_.test_results.push_back(false);
      verdict_.verdict = "wrong_answer";
    } else {
      verdict_.test_results.push_back(status == "timeout" ? -3 : -4);
      verdict_.verdict = failure_verdict(status);
    }
    verdict_.error = last_lines(result.error, options_.error_lines);
    if (verdict_.error.empty()) verdict_.error = reply.value("error", "");
    return false;
  }

  struct Comparison {
    bool passed;
    json code;
    std::string why;
  };

  Comparison compare(const json& reply, const TestCase& test) const {
    const size_t index = verdict_.test_results.size();
    if (mode_ == Mode::humaneval) return {true, true, ""};
    if (mode_ == Mode::stdio) {
      const std::string output = reply.value("output", "");
      if (stdio_outputs_match(output, test.output)) return {true, true, ""};
      return {false, -2,
              "test " + std::to_string(index) + ": output " + truncated(output) + " != expected " +
                  truncated(test.output)};
    }
    const json expected = json::parse(test.output);  // the reference's json.loads(output)
    const json prediction = reply.contains("value") ? reply["value"] : json();
    if (python_equal(prediction, expected)) return {true, true, ""};
    return {false, false,
            "test " + std::to_string(index) + ": returned " + truncated(prediction.dump()) + " != expected " +
                truncated(test.output)};
  }

  // The program ended the harness (a crash, os._exit, a signal) or overran the whole time: like the
  // reference's process that returns nothing, every test counts as -1.
  void died_before_the_end(const sandbox::Result& result) {
    verdict_.test_results = json::array();
    for (size_t i = 0; i < tests_.size(); ++i) verdict_.test_results.push_back(-1);
    verdict_.tests_passed = 0;
    const std::string tail = last_lines(result.error, options_.error_lines);
    switch (result.outcome) {
      case sandbox::Outcome::timed_out:
        verdict_.verdict = "time_limit";
        verdict_.error = "the whole run took longer than its limit (" +
                         std::to_string(static_cast<int64_t>(result.seconds)) + " s)";
        return;
      case sandbox::Outcome::output_limit:
        verdict_.verdict = "runtime_error";
        verdict_.error = "more than " + std::to_string(options_.limits.output_bytes) + " bytes of output";
        return;
      case sandbox::Outcome::signaled:
        verdict_.verdict = result.signal == SIGXCPU ? "time_limit" : "runtime_error";
        verdict_.error =
            "killed by signal " + std::to_string(result.signal) + (tail.empty() ? "" : ": " + tail);
        return;
      case sandbox::Outcome::exited:
        verdict_.verdict = tail.find("MemoryError") != std::string::npos ? "memory_limit" : "runtime_error";
        verdict_.error = "exited with status " + std::to_string(result.exit_code) +
                         " before the end of the tests" + (tail.empty() ? "" : ": " + tail);
        return;
    }
  }

  Mode mode_;
  const std::vector<TestCase>& tests_;
  const GradeOptions& options_;
  Verdict verdict_;
};

}  // namespace

Verdict grade_livecodebench(const std::string& code, const Problem& problem, const GradeOptions& options,
                            const sandbox::Config& sandbox) {
  const Mode mode = problem.fn_name.empty() ? Mode::stdio : Mode::call;
  return Grading(mode, problem.tests, options).run(code, problem.fn_name, sandbox);
}

Verdict grade_humaneval(const std::string& program, const GradeOptions& options,
                        const sandbox::Config& sandbox) {
  static const std::vector<TestCase> kOneCheck = {{"", ""}};
  return Grading(Mode::humaneval, kOneCheck, options).run(program, "", sandbox);
}

}  // namespace evalflow::code_exec
