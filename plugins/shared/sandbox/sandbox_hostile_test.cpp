// Hostile programs: each is contained, reported, and leaves the host and the test process untouched.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "evalflow/sandbox/sandbox.hpp"

namespace evalflow::sandbox {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

// Each test its own slot (user id when root), so that ctest -j runs cannot see each other's processes.
Result hostile(unsigned slot, const std::string& code, Limits limits = {.wall = milliseconds(3000)}) {
  const Config config{.slot = slot};
  if (const std::string reason = unavailable_reason(config); !reason.empty())
    throw std::runtime_error(reason);
  return run({.argv = {"/usr/bin/python3", "main.py"}, .files = {{"main.py", code}}, .limits = limits},
             config);
}

// Processes (not zombies) still running as the slot's user id (only meaningful when the test runs as root);
// killed processes leave /proc shortly after the kill, so this waits up to a second for the count to reach 0.
int survivors(unsigned slot) {
  int count = 0;
  for (int attempt = 0; attempt < 100; ++attempt, usleep(10000)) {
    count = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      struct stat info {};
      if (stat(entry.path().c_str(), &info) == 0 && info.st_uid == uid_for_slot(slot) &&
          std::isdigit(entry.path().filename().string()[0]) != 0) {
        std::ifstream stat_file(entry.path() / "stat");
        std::string line;
        std::getline(stat_file, line);
        count += line.find(") Z ") == std::string::npos ? 1 : 0;  // a zombie is dead, awaiting its reaper
      }
    }
    if (count == 0) return 0;
  }
  return count;
}

TEST(SandboxHostile, CannotConnectToAListenerOnTheHostLoopback) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in address{
      .sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}, .sin_zero = {}};
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t size = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);
  const Result result =
      hostile(1, "import socket\ntry:\n  socket.create_connection(('127.0.0.1', " +
                     std::to_string(ntohs(address.sin_port)) +
                     "), timeout=1)\n  print('connected')\nexcept OSError as e:\n  print('refused')\n");
  EXPECT_EQ(result.output, "refused\n");
  EXPECT_LT(accept(listener, nullptr, nullptr), 0);  // nothing arrived
  close(listener);
}

TEST(SandboxHostile, CannotWriteOutsideScratch) {
  const fs::path host_file = fs::temp_directory_path() / "evalflow-hostile-write-target";
  fs::remove(host_file);
  const Result result = hostile(
      2, "import os\nfor p in ['/usr/x', '/etc/x', '/x', '/tmp/x', '/proc/x', '" + host_file.string() +
             "']:\n  try:\n    open(p, 'w').write('x'); print('wrote', p)\n  except OSError:\n    pass\n"
             "print('done')\n");
  EXPECT_EQ(result.output, "done\n");
  EXPECT_FALSE(fs::exists(host_file));
}

TEST(SandboxHostile, CannotSeeTheRunDirectoryOrHome) {
  const fs::path run_dir = fs::current_path() / "evalflow-hostile-run-dir";
  fs::create_directories(run_dir);
  std::ofstream(run_dir / "secret.txt") << "secret";
  const Result result = hostile(3, "import os\nfor p in ['" + (run_dir / "secret.txt").string() + "', '" +
                                       fs::current_path().string() +
                                       "', '/root', '/home', '/etc/passwd']:\n"
                                       "  print(p.startswith('/') and os.path.exists(p))\n");
  fs::remove_all(run_dir);
  EXPECT_EQ(result.output, "False\nFalse\nFalse\nFalse\nFalse\n");
}

TEST(SandboxHostile, ForkBombIsBoundedAndLeavesNoProcess) {
  const Result result =
      hostile(4, "import os\nwhile True:\n  try:\n    os.fork()\n  except OSError:\n    pass\n",
              {.wall = milliseconds(1500), .processes = 32});
  EXPECT_EQ(result.outcome, Outcome::timed_out);
  if (geteuid() == 0) EXPECT_EQ(survivors(4), 0);
  const pid_t child = fork();  // the host can still fork
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
}

TEST(SandboxHostile, TenGigabyteAllocationFailsInsideTheProgram) {
  const Result result =
      hostile(5, "x = bytearray(10 * 2**30)\nprint(len(x))\n", {.memory_bytes = 1ULL << 30});
  EXPECT_EQ(result.outcome, Outcome::exited);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.error.find("MemoryError"), std::string::npos) << result.error;
}

TEST(SandboxHostile, InfiniteOutputIsCutAtTheLimit) {
  const Result result = hostile(6, "while True:\n  print('x' * 4096)\n", {.output_bytes = 1 << 20});
  EXPECT_EQ(result.outcome, Outcome::output_limit);
  EXPECT_LE(result.output.size(), (1U << 20) + 65536U);
  EXPECT_LT(result.seconds, 3.0);
}

TEST(SandboxHostile, KillMinusOneReachesOnlyItsOwnProcesses) {
  const pid_t sentinel = fork();
  if (sentinel == 0) {
    pause();
    _exit(0);
  }
  const Result result = hostile(7, "import os\nos.kill(-1, 9)\nprint('alive')\n");
  EXPECT_NE(result.outcome, Outcome::timed_out);
  EXPECT_EQ(waitpid(sentinel, nullptr, WNOHANG), 0);  // still running
  kill(sentinel, SIGKILL);
  waitpid(sentinel, nullptr, 0);
}

TEST(SandboxHostile, SleepingPastTheTimeoutWithDetachedChildrenKillsThemAll) {
  const Result result = hostile(8,
                                "import os, time\nfor _ in range(3):\n  if os.fork() == 0:\n    os.setsid()\n"
                                "    time.sleep(100)\ntime.sleep(100)\n",
                                {.wall = milliseconds(1000)});
  EXPECT_EQ(result.outcome, Outcome::timed_out);
  EXPECT_LT(result.seconds, 2.5);
  if (geteuid() == 0) EXPECT_EQ(survivors(8), 0);
}

TEST(SandboxHostile, CannotRaiseItsLimitsOrGainPrivileges) {
  const Result result = hostile(9,
                                "import resource, subprocess\ntry:\n"
                                "  resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)\n"
                                "  print('raised')\nexcept (ValueError, OSError):\n  print('kept')\n"
                                "print(open('/proc/self/status').read().count('NoNewPrivs:\\t1'))\n"
                                "print(subprocess.run(['unshare', '-U', 'true']).returncode != 0)\n");
  EXPECT_EQ(result.output, "kept\n1\nTrue\n");
}

}  // namespace
}  // namespace evalflow::sandbox
