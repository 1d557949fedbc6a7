#include "evalflow/sandbox/sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "scratch_dir.hpp"

namespace evalflow::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "sandbox: " + what);
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// The mount namespace the program sees: the system read-only, its scratch directory writable, nothing else.
std::vector<std::string> bwrap_argv(const Config& config, const std::string& scratch) {
  return {config.bwrap,
          "--unshare-user",
          "--unshare-pid",
          "--unshare-net",
          "--unshare-ipc",
          "--unshare-uts",
          "--unshare-cgroup-try",
          "--disable-userns",
          "--die-with-parent",
          "--new-session",
          "--ro-bind",
          "/usr",
          "/usr",
          "--symlink",
          "usr/lib",
          "/lib",
          "--symlink",
          "usr/lib64",
          "/lib64",
          "--symlink",
          "usr/bin",
          "/bin",
          "--symlink",
          "usr/sbin",
          "/sbin",
          "--ro-bind-try",
          "/etc/ld.so.cache",
          "/etc/ld.so.cache",
          "--proc",
          "/proc",
          "--dev",
          "/dev",
          "--bind",
          scratch,
          "/scratch",
          "--chdir",
          "/scratch",
          "--remount-ro",
          "/",
          "--clearenv",
          "--setenv",
          "PATH",
          "/usr/bin:/bin",
          "--setenv",
          "HOME",
          "/scratch",
          "--setenv",
          "TMPDIR",
          "/scratch",
          "--setenv",
          "LANG",
          "C.UTF-8",
          "--hostname",
          "sandbox",
          "--"};
}

// Outside the sandbox's own user id (unprivileged mode) the limit has to leave room for the user's others.
uint64_t processes_of(uid_t uid) {
  uint64_t count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    struct stat info {};
    const std::string name = entry.path().filename();
    if (!std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    if (stat(entry.path().c_str(), &info) == 0 && info.st_uid == uid) ++count;
  }
  return count;
}

struct Identity {
  bool drop = false;  // running as root: switch to a per-slot unused id
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t process_limit = 0;
};

Identity identity_for(const Config& config, const Limits& limits) {
  if (geteuid() == 0) {
    if (config.slot >= kSlots)
      throw std::invalid_argument("sandbox: slot must be below " + std::to_string(kSlots));
    const uid_t id = uid_for_slot(config.slot);
    return {.drop = true, .uid = id, .gid = id, .process_limit = limits.processes};
  }
  return {.uid = geteuid(), .gid = getegid(), .process_limit = processes_of(geteuid()) + limits.processes};
}

// Between fork and exec: async-signal-safe calls only; on failure report on stderr and exit 127.
[[noreturn]] void exec_child(const std::vector<char*>& argv, const Identity& who, const Limits& limits,
                             const char* workdir, int in, int out, int err) {
  auto die = [](const char* what) {
    const char* reason = strerror(errno);
    (void)!write(2, "sandbox setup failed: ", 22);
    (void)!write(2, what, strlen(what));
    (void)!write(2, ": ", 2);
    (void)!write(2, reason, strlen(reason));
    _exit(127);
  };
  setpgid(0, 0);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  close_range(3, ~0U, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("PR_SET_PDEATHSIG");
  if (who.drop) {
    if (setgroups(0, nullptr) != 0 || setresgid(who.gid, who.gid, who.gid) != 0 ||
        setresuid(who.uid, who.uid, who.uid) != 0) {
      die("dropping root");
    }
  }
  const auto cpu = static_cast<rlim_t>(std::chrono::ceil<std::chrono::seconds>(limits.wall).count() + 1);
  const std::array<std::pair<int, rlim_t>, 6> rlimits{{{RLIMIT_AS, limits.memory_bytes},
                                                       {RLIMIT_FSIZE, limits.file_bytes},
                                                       {RLIMIT_NPROC, 0},
                                                       {RLIMIT_NOFILE, limits.open_files},
                                                       {RLIMIT_CORE, 0},
                                                       {RLIMIT_CPU, cpu}}};
  for (const auto& [resource, value] : rlimits) {
    const rlim_t limit = resource == RLIMIT_NPROC ? who.process_limit : value;
    const rlimit both{limit, limit};  // soft = hard: the program cannot raise them
    if (setrlimit(resource, &both) != 0) die("setrlimit");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("PR_SET_NO_NEW_PRIVS");
  if (workdir != nullptr && chdir(workdir) != 0) die("chdir");
  execv(argv[0], argv.data());
  die(argv[0]);
  _exit(127);
}

// Feeds stdin, collects stdout/stderr, and stops at the deadline or the output limit.
Outcome pump(int in, int out, int err, const std::string& input, const Limits& limits,
             Clock::time_point deadline, Result& result) {
  size_t written = 0;
  bool in_open = true;
  if (input.empty()) shutdown(in, SHUT_WR), in_open = false;
  std::array<bool, 2> open{true, true};
  std::array<char, 65536> buffer{};
  while (open[0] || open[1]) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Outcome::timed_out;
    std::array<pollfd, 3> fds{
        {{open[0] ? out : -1, POLLIN, 0}, {open[1] ? err : -1, POLLIN, 0}, {in_open ? in : -1, POLLOUT, 0}}};
    if (poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) fail("poll");
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t got = read(fds[i].fd, buffer.data(), buffer.size());
      if (got <= 0) {
        open[i] = got < 0 && (errno == EINTR || errno == EAGAIN);
        continue;
      }
      (i == 0 ? result.output : result.error).append(buffer.data(), static_cast<size_t>(got));
      if (result.output.size() + result.error.size() > limits.output_bytes) return Outcome::output_limit;
    }
    if (in_open && fds[2].revents != 0) {
      const ssize_t sent =
          send(in, input.data() + written, input.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) written += static_cast<size_t>(sent);
      if ((sent < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        shutdown(in, SHUT_WR);
        in_open = false;
      }
    }
  }
  return Outcome::exited;
}

// Processes of `uid` that are not yet zombies.
int live_processes_of(uid_t uid) {
  int count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    struct stat info {};
    if (stat(entry.path().c_str(), &info) != 0 || info.st_uid != uid) continue;
    std::ifstream stat_file(entry.path() / "stat");
    std::string line;
    std::getline(stat_file, line);
    const size_t state = line.rfind(')');
    if (state != std::string::npos && state + 2 < line.size() && line[state + 2] != 'Z') ++count;
  }
  return count;
}

// As root each slot has its own user id: signal every process of it until none is left, whatever
// namespace or session it moved to (the pid namespace's own teardown is asynchronous).
void kill_every_process_of(const Identity& who) {
  if (!who.drop) return;
  for (int round = 0; round < 200 && live_processes_of(who.uid) > 0; ++round) {
    const pid_t reaper = fork();
    if (reaper < 0) fail("fork");
    if (reaper == 0) {
      if (setresuid(who.uid, who.uid, who.uid) != 0) _exit(1);
      kill(-1, SIGKILL);  // every process this id may signal, but itself
      _exit(0);
    }
    waitpid(reaper, nullptr, 0);
    usleep(1000);
  }
}

}  // namespace

uid_t uid_for_slot(unsigned slot) {
  constexpr uid_t kUidBase = 2'000'000'000U;
  return kUidBase + static_cast<uid_t>(getpid()) * kSlots + slot;
}

std::string unavailable_reason(const Config& config) {
  if (config.isolation == Isolation::unsafe_none) return {};
  if (access(config.bwrap.c_str(), X_OK) != 0) {
    return config.bwrap + " is missing: install Debian's bubblewrap (apt-get install bubblewrap)";
  }
  Request probe{.argv = {"/usr/bin/true"}, .limits = {.wall = std::chrono::milliseconds(5000)}};
  const Result result = run(probe, config);
  if (result.outcome == Outcome::exited && result.exit_code == 0) return {};
  return "bubblewrap cannot create namespaces here (" + result.error +
         "); enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
         "user.max_user_namespaces > 0) or, knowing the programs are not isolated, choose the unsafe mode";
}

Result run(const Request& request, const Config& config) {
  if (request.argv.empty()) throw std::invalid_argument("sandbox: empty argv");
  const Identity who = identity_for(config, request.limits);
  const ScratchDir scratch(request.files, who.uid, who.gid);
  std::vector<std::string> args;
  if (config.isolation == Isolation::namespaces) args = bwrap_argv(config, scratch.path());
  args.insert(args.end(), request.argv.begin(), request.argv.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const char* workdir = config.isolation == Isolation::namespaces ? nullptr : scratch.path().c_str();

  std::array<int, 2> in{};
  std::array<int, 2> out{};
  std::array<int, 2> err{};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in.data()) != 0) fail("socketpair");
  Fd in_parent(in[0]);
  Fd in_child(in[1]);
  if (pipe2(out.data(), O_CLOEXEC) != 0) fail("pipe");
  Fd out_parent(out[0]);
  Fd out_child(out[1]);
  if (pipe2(err.data(), O_CLOEXEC) != 0) fail("pipe");
  Fd err_parent(err[0]);
  Fd err_child(err[1]);

  Result result;
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0)
    exec_child(argv, who, request.limits, workdir, in_child.get(), out_child.get(), err_child.get());
  setpgid(pid, pid);  // also from the parent, so the kill below cannot race the child's own setpgid
  in_child.reset();
  out_child.reset();
  err_child.reset();

  const auto deadline = start + request.limits.wall;
  result.outcome = pump(in_parent.get(), out_parent.get(), err_parent.get(), request.input, request.limits,
                        deadline, result);
  int status = 0;
  while (result.outcome == Outcome::exited) {  // output closed: wait for the exit, still under the deadline
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (Clock::now() >= deadline) result.outcome = Outcome::timed_out;
    usleep(1000);
  }
  // The whole group; in namespaces mode the pid namespace dies with bubblewrap, taking every descendant.
  kill(-pid, SIGKILL);
  if (result.outcome != Outcome::exited) waitpid(pid, &status, 0);
  kill_every_process_of(who);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (result.outcome == Outcome::exited) {
    if (WIFSIGNALED(status)) {
      result.outcome = Outcome::signaled;
      result.signal = WTERMSIG(status);
    } else {
      result.exit_code = WEXITSTATUS(status);
    }
  }
  return result;
}

}  // namespace evalflow::sandbox
