// Runs one untrusted program under bubblewrap (namespaces, read-only system, private scratch, rlimits)
// and returns what it printed and how it ended. A security boundary: keep it small (see README.md).
#ifndef EVALFLOW_SANDBOX_SANDBOX_HPP
#define EVALFLOW_SANDBOX_SANDBOX_HPP

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace evalflow::sandbox {

struct Limits {
  std::chrono::milliseconds wall{6000};  // every process of the run is killed at this age
  uint64_t memory_bytes = 4ULL << 30;    // RLIMIT_AS per process
  uint64_t file_bytes = 64ULL << 20;     // RLIMIT_FSIZE: the largest file it may write
  uint64_t output_bytes = 16ULL << 20;   // stdout + stderr kept; more kills the run
  uint64_t processes = 64;               // RLIMIT_NPROC for the run's user id
  uint64_t open_files = 256;             // RLIMIT_NOFILE
};

struct File {
  std::string name;  // relative to the scratch directory, no '/'
  std::string content;
};

struct Request {
  std::vector<std::string> argv;  // argv[0] is an absolute path inside the sandbox, e.g. /usr/bin/python3
  std::string input;              // given on standard input
  std::vector<File> files;        // written to the scratch directory (the working directory) first
  Limits limits;
};

enum class Outcome { exited, signaled, timed_out, output_limit };

struct Result {
  Outcome outcome = Outcome::exited;
  int exit_code = 0;  // when exited
  int signal = 0;     // when signaled
  std::string output;
  std::string error;
  double seconds = 0;
};

enum class Isolation {
  namespaces,  // bubblewrap: the only safe mode
  unsafe_none  // plain fork/exec with rlimits only; for machines without user namespaces, opt-in
};

struct Config {
  Isolation isolation = Isolation::namespaces;
  std::string bwrap = "/usr/bin/bwrap";
  // When run as root, each slot runs as its own unused user id (uid_for_slot) so that the process limit
  // applies (the kernel exempts root from RLIMIT_NPROC) and no host file owned by root is writable. Every
  // process of that id is killed after each run, so two runs must never share a slot at the same time.
  unsigned slot = 0;  // < kSlots
};

inline constexpr unsigned kSlots = 256;

// kUidBase + pid * kSlots + slot: unique per live process (pid_max <= 2^22) and slot, below 2^32 - 2.
uid_t uid_for_slot(unsigned slot);

// Empty when `config` can run programs here; otherwise why not and what to do.
std::string unavailable_reason(const Config& config);

// Throws std::runtime_error when the sandbox itself cannot be set up (not for anything the program does).
Result run(const Request& request, const Config& config);

}  // namespace evalflow::sandbox

#endif  // EVALFLOW_SANDBOX_SANDBOX_HPP
