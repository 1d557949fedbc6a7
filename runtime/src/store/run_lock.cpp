#include "store/run_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace evalflow {

Result<RunLock> RunLock::acquire(const std::filesystem::path& run_dir) {
  const std::filesystem::path file = run_dir / ".lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error{fmt::format("{}: cannot open the run lock: {}", file.string(), std::strerror(errno))};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string holder;
    std::getline(std::ifstream(file), holder);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return Error{fmt::format(
          "{} is in use by another evalflow process (pid {}); wait for it to finish or stop it, then retry",
          run_dir.string(), holder.empty() ? "unknown" : holder)};
    }
    return Error{fmt::format("{}: cannot lock: {}", file.string(), std::strerror(error))};
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    ::close(fd);
    return Error{fmt::format("{}: cannot write the run lock: {}", file.string(), std::strerror(errno))};
  }
  return RunLock(fd);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace evalflow
