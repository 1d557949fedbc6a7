// LiveCodeBench's rows decoded as lcb_runner/benchmarks/code_generation.py does.
#include <gtest/gtest.h>

#include <stdexcept>

#include "livecodebench_tests.hpp"
#include "problem_store.hpp"

namespace evalflow::code_exec {
namespace {

using nlohmann::json;

const std::string kProblems = std::string(EVALFLOW_SOURCE_DIR) + "/tests/data/livecodebench/problems.jsonl";

TEST(LiveCodeBenchTests, PackedPrivateTestsAreUnpacked) {
  // Python: base64.b64encode(zlib.compress(pickle.dumps('[1]'))) with protocol 4 (a framed short string).
  EXPECT_EQ(unpack_private_tests("eJxrYJnKzgABPczRhrFT9AAb7QNb"), "[1]");
  EXPECT_THROW(unpack_private_tests("not base64!"), std::runtime_error);
  EXPECT_THROW(unpack_private_tests("AAAA"), std::runtime_error);  // base64, but not zlib
}

TEST(LiveCodeBenchTests, PickleReaderTakesEveryStringOpcodeAndRefusesOthers) {
  using namespace std::string_literals;
  EXPECT_EQ(unpickle_string("\x80\x03X\x02\x00\x00\x00hi\x94."s), "hi");  // protocol 3, BINUNICODE
  EXPECT_EQ(unpickle_string("\x80\x04\x95\x06\x00\x00\x00\x00\x00\x00\x00\x8c\x02ok\x94."s), "ok");
  EXPECT_THROW(unpickle_string("\x80\x04K\x01."s), std::runtime_error);  // BININT1: not a string
  EXPECT_THROW(unpickle_string("\x80\x04\x8c\x09short"s), std::runtime_error);
}

TEST(LiveCodeBenchTests, RowsGiveTheirTestsInTheReferencesOrder) {
  const json row = {{"public_test_cases", R"([{"input": "1\n", "output": "2\n", "testtype": "stdin"}])"},
                    {"private_test_cases", R"([{"input": "3\n", "output": "6\n", "testtype": "stdin"}])"},
                    {"metadata", "{}"}};
  const Problem problem = livecodebench_problem(row);
  EXPECT_TRUE(problem.fn_name.empty());
  ASSERT_EQ(problem.tests.size(), 2U);
  EXPECT_EQ(problem.tests[0].input, "1\n");
  EXPECT_EQ(problem.tests[1].output, "6\n");

  json call = row;
  call["metadata"] = R"({"func_name": "solve"})";
  EXPECT_EQ(livecodebench_problem(call).fn_name, "solve");
  json broken = row;
  broken.erase("metadata");
  EXPECT_THROW(livecodebench_problem(broken), std::runtime_error);
}

TEST(ProblemStore, ReadsTheShippedRowsAndUnpacksOnDemand) {
  ProblemStore store(kProblems, "question_id");
  EXPECT_EQ(store.size(), 6U);
  const auto sum = store.find("ef001_a");
  ASSERT_EQ(sum->tests.size(), 3U);
  EXPECT_EQ(sum->tests[2].input, "1000000000000 1\n");
  EXPECT_EQ(store.find("ef004")->fn_name, "pairSum");
  EXPECT_EQ(store.find("ef001_a").get(), sum.get());  // decoded once
  EXPECT_THROW(store.find("nope"), std::out_of_range);
  EXPECT_THROW(ProblemStore("/nonexistent.jsonl", "question_id"), std::runtime_error);
  EXPECT_THROW(ProblemStore(kProblems, "task_id"), std::runtime_error);
}

}  // namespace
}  // namespace evalflow::code_exec
