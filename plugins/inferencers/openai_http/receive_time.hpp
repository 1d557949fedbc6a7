// When the kernel received a socket's unread bytes: the time a streamed token arrived, rather than the time
// the event loop got round to it. At hundreds of concurrent streams a token can wait in its socket for
// milliseconds while the loop serves others (or waits for a CPU); timing it on reading would add that wait
// to the server's TTFT and inter-token latencies.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "request_timing.hpp"

namespace evalflow::openai_http {

// Asks the kernel to stamp what `fd` receives (SO_TIMESTAMPNS). Best effort: false if it refuses.
bool enable_receive_timestamps(int fd);

// The arrival time of the newest unread byte on `fd`, by which all its unread bytes had arrived (the kernel
// merges queued segments and keeps the later stamp, so older ones are not available). Peeks without copying
// or consuming anything; nullopt when nothing is queued or the socket is not stamped.
std::optional<std::chrono::system_clock::time_point> newest_receive_time(int fd);

// The arrival times of the sockets one epoll wake-up reported readable, taken before any of them is read,
// so that every transfer handled in that wake-up (libcurl may read one while serving another's event or a
// timer) finds the time its bytes arrived.
class ArrivalTimes {
 public:
  explicit ArrivalTimes(const WallClock& wall_clock) : wall_clock_(wall_clock) {}

  void stamp(int fd);
  // The stamp taken for `fd` since the last clear().
  [[nodiscard]] std::optional<Clock::time_point> of(int fd) const;
  void clear();

 private:
  const WallClock& wall_clock_;
  std::vector<Clock::time_point> by_fd_;  // the epoch: none
  std::vector<int> stamped_;
};

}  // namespace evalflow::openai_http
