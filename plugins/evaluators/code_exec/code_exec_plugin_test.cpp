// The code_exec plugin through the real host: an async node grading records on its own threads.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <future>
#include <vector>

namespace evalflow {
namespace {

using nlohmann::json;
using plugin_testing::LoadedNode;

const std::string kProblems = std::string(EVALFLOW_SOURCE_DIR) + "/tests/data/livecodebench/problems.jsonl";

std::string livecodebench_options(const std::string& extra = "") {
  return R"({"benchmark": "livecodebench", "tests_path": ")" + kProblems + R"(", "test_timeout_s": 1)" +
         extra + "}";
}

RecordPtr answer(const std::string& id, const std::string& code) {
  auto record = std::make_shared<Record>();
  record->at("question_id") = id;
  record->at("extracted_code") = code;
  return record;
}

TEST(CodeExecPlugin, IsAnAsyncNodeDeclaringItsFields) {
  const LoadedNode node("code_exec", livecodebench_options());
  EXPECT_EQ(node.type().kind, EF_NODE_ASYNC);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 2U);
  EXPECT_EQ(fields.reads[0].name, "extracted_code");
  EXPECT_EQ(fields.reads[1].name, "question_id");
  std::vector<std::string> writes;
  for (const auto& field : fields.writes) writes.push_back(field.name);
  EXPECT_EQ(writes, (std::vector<std::string>{"correct", "verdict", "test_results", "tests_passed",
                                              "tests_total", "exec_error", "exec_seconds"}));
}

TEST(CodeExecPlugin, GradesLiveCodeBenchAnswersIntoTheRecord) {
  LoadedNode node("code_exec", livecodebench_options());
  auto right = answer("ef001_a", "a, b = map(int, input().split())\nprint(a + b)");
  EXPECT_EQ(node.submit(right), nullptr);
  EXPECT_EQ(*right->find("correct"), true);
  EXPECT_EQ(*right->find("verdict"), "passed");
  EXPECT_EQ(*right->find("test_results"), json({true, true, true}));
  EXPECT_EQ(*right->find("tests_total"), 3);

  auto call =
      answer("ef005", "class Solution:\n    def reverseWords(self, s):\n        return s.split()[::-1]");
  EXPECT_EQ(node.submit(call), nullptr);
  EXPECT_EQ(*call->find("correct"), false);
  EXPECT_EQ(*call->find("verdict"), "wrong_answer");
  EXPECT_EQ(*call->find("test_results"), json({false}));
}

TEST(CodeExecPlugin, UnknownProblemsFailTheRecordNamingTheFile) {
  LoadedNode node("code_exec", livecodebench_options());
  const StatusPtr status = node.submit(answer("missing_id", "print(1)"));
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_NOT_FOUND);
  EXPECT_NE(status->message.find("problems.jsonl"), std::string::npos) << status->message;
}

TEST(CodeExecPlugin, HumanEvalRunsPromptProgramAndCheck) {
  LoadedNode node("code_exec", R"({"benchmark": "humaneval", "test_timeout_s": 3})");
  auto record = std::make_shared<Record>();
  record->at("prompt") = "def add(a, b):\n    \"\"\"Adds.\"\"\"\n";
  record->at("extracted_code") = "def add(a, b):\n    return a + b";
  record->at("test") = "def check(candidate):\n    assert candidate(2, 3) == 5\n";
  record->at("entry_point") = "add";
  EXPECT_EQ(node.submit(record), nullptr);
  EXPECT_EQ(*record->find("verdict"), "passed");
}

TEST(CodeExecPlugin, ManyRecordsAtOnceAreAllCompletedByThePool) {
  LoadedNode node("code_exec", livecodebench_options(R"(, "workers": 2)"));
  std::vector<std::future<StatusPtr>> pending;
  std::vector<RecordPtr> records;
  for (int i = 0; i < 8; ++i) {
    records.push_back(
        answer("ef001_a", i % 2 == 0 ? "a, b = map(int, input().split())\nprint(a + b)" : "print(0)"));
    pending.push_back(
        std::async(std::launch::async, [&node, record = records.back()] { return node.submit(record); }));
  }
  for (auto& status : pending) EXPECT_EQ(status.get(), nullptr);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(*records[i]->find("correct"), i % 2 == 0) << i;
}

TEST(CodeExecPlugin, RefusesToRunWithoutNamespacesUnlessToldUnsafe) {
  try {
    const LoadedNode node("code_exec", livecodebench_options(R"(, "bwrap": "/nonexistent/bwrap")"));
    FAIL() << "created without a sandbox";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("/nonexistent/bwrap is missing"), std::string::npos) << message;
    EXPECT_NE(message.find("unsafe_no_namespaces"), std::string::npos) << message;
  }
  LoadedNode unsafe(
      "code_exec", livecodebench_options(R"(, "bwrap": "/nonexistent/bwrap", "unsafe_no_namespaces": true)"));
  auto right = answer("ef001_a", "a, b = map(int, input().split())\nprint(a + b)");
  EXPECT_EQ(unsafe.submit(right), nullptr);
  EXPECT_EQ(*right->find("verdict"), "passed");
}

TEST(CodeExecPlugin, SchemaNeedsABenchmarkAndAbsolutePrograms) {
  const LoadedNode node("code_exec", livecodebench_options());
  EXPECT_FALSE(node.options_violations("{}").empty());
  EXPECT_FALSE(node.options_violations(R"({"benchmark": "humaneval", "python": "python3"})").empty());
  EXPECT_FALSE(node.options_violations(R"({"benchmark": "apps"})").empty());
  EXPECT_TRUE(node.options_violations(R"({"benchmark": "humaneval", "workers": 4})").empty());
}

}  // namespace
}  // namespace evalflow
