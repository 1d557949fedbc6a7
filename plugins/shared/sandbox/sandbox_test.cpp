// What a sandboxed program sees and how its end is reported (see sandbox_hostile_test for containment).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>

#include "evalflow/sandbox/sandbox.hpp"

namespace evalflow::sandbox {
namespace {

using std::chrono::milliseconds;

Result python(const std::string& code, const std::string& input = "",
              Limits limits = {.wall = milliseconds(5000)}) {
  const Config config;
  if (const std::string reason = unavailable_reason(config); !reason.empty())
    throw std::runtime_error(reason);
  return run({.argv = {"/usr/bin/python3", "main.py"},
              .input = input,
              .files = {{"main.py", code}},
              .limits = limits},
             config);
}

TEST(Sandbox, PassesStandardInputAndCollectsBothOutputs) {
  const Result result = python(
      "import sys\ndata = sys.stdin.read()\nprint(data.upper(), end='')\n"
      "print('note', file=sys.stderr)\nsys.exit(3)\n",
      "abc\ndef\n");
  EXPECT_EQ(result.outcome, Outcome::exited);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "ABC\nDEF\n");
  EXPECT_EQ(result.error, "note\n");
}

TEST(Sandbox, LargeInputAndOutputDoNotDeadlock) {
  const std::string input(3 << 20, 'x');
  const Result result = python("import sys\nsys.stdout.write(sys.stdin.read())\n", input);
  EXPECT_EQ(result.outcome, Outcome::exited);
  EXPECT_EQ(result.output.size(), input.size());
}

TEST(Sandbox, RunsInItsScratchDirectoryWhichIsRemovedAfterwards) {
  std::string tmp = (std::filesystem::temp_directory_path() / "evalflow-sandbox-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmp.data()), nullptr);
  std::filesystem::permissions(tmp, std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
  setenv("TMPDIR", tmp.c_str(), 1);
  const Result result =
      python("import os\nopen('made.txt', 'w').write('x')\nprint(os.getcwd(), sorted(os.listdir('.')))\n");
  EXPECT_EQ(result.output, "/scratch ['made.txt', 'main.py']\n");
  unsetenv("TMPDIR");
  EXPECT_TRUE(std::filesystem::is_empty(tmp));  // the scratch directory made under it is gone
  std::filesystem::remove_all(tmp);
}

TEST(Sandbox, EnvironmentIsClearedAndTheHostNameIsItsOwn) {
  const Result result = python("import os, socket\nprint(sorted(os.environ), socket.gethostname())\n");
  EXPECT_EQ(result.output, "['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR'] sandbox\n");
}

TEST(Sandbox, ReportsSignalsAndTimeouts) {
  const Result killed = python("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n");
  EXPECT_NE(killed.outcome, Outcome::timed_out);
  EXPECT_FALSE(killed.outcome == Outcome::exited && killed.exit_code == 0);
  const Result slow = python("while True: pass\n", "", {.wall = milliseconds(500)});
  EXPECT_EQ(slow.outcome, Outcome::timed_out);
  EXPECT_LT(slow.seconds, 2.0);
}

TEST(Sandbox, UnsafeModeRunsWithoutNamespacesButKeepsTheLimits) {
  const Config unsafe{.isolation = Isolation::unsafe_none};
  EXPECT_EQ(unavailable_reason(unsafe), "");
  const Result result = run({.argv = {"/usr/bin/python3", "-c",
                                      "import resource; print(resource.getrlimit(resource.RLIMIT_FSIZE))"},
                             .limits = {.file_bytes = 4096}},
                            unsafe);
  EXPECT_EQ(result.output, "(4096, 4096)\n");
}

TEST(Sandbox, AMissingBubblewrapIsExplained) {
  const std::string reason = unavailable_reason({.bwrap = "/nonexistent/bwrap"});
  EXPECT_NE(reason.find("apt-get install bubblewrap"), std::string::npos) << reason;
}

}  // namespace
}  // namespace evalflow::sandbox
