// One process at a time per run directory: an exclusive flock on RUN_DIR/.lock, released by the kernel
// when the process ends (even by kill -9), so a stale lock never blocks a resume.
#pragma once

#include <filesystem>
#include <utility>

#include "common/result.hpp"

namespace evalflow {

class RunLock {
 public:
  // Fails, naming the holder's pid, when another process holds the run directory.
  static Result<RunLock> acquire(const std::filesystem::path& run_dir);
  RunLock(RunLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace evalflow
