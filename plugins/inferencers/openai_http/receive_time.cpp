#include "receive_time.hpp"

#include <sys/socket.h>

#include <array>
#include <climits>
#include <cstring>
#include <ctime>

namespace evalflow::openai_http {

bool enable_receive_timestamps(int fd) {
  const int on = 1;
  return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0;
}

std::optional<std::chrono::system_clock::time_point> newest_receive_time(int fd) {
  // MSG_TRUNC on a TCP socket skips the copy: no buffer is needed, and the length only bounds the peek.
  iovec everything{.iov_base = nullptr, .iov_len = INT_MAX};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
  msghdr message{};
  message.msg_iov = &everything;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();
  if (recvmsg(fd, &message, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT) <= 0) return std::nullopt;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp{};
    std::memcpy(&stamp, CMSG_DATA(header), sizeof(stamp));
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec)));
  }
  return std::nullopt;
}

void ArrivalTimes::stamp(int fd) {
  if (fd < 0) return;
  const auto received = newest_receive_time(fd);
  if (!received) return;
  if (static_cast<size_t>(fd) >= by_fd_.size()) by_fd_.resize(static_cast<size_t>(fd) + 1);
  by_fd_[static_cast<size_t>(fd)] = wall_clock_.steady(*received);
  stamped_.push_back(fd);
}

std::optional<Clock::time_point> ArrivalTimes::of(int fd) const {
  if (fd < 0 || static_cast<size_t>(fd) >= by_fd_.size()) return std::nullopt;
  const Clock::time_point arrived = by_fd_[static_cast<size_t>(fd)];
  if (arrived == Clock::time_point{}) return std::nullopt;
  return arrived;
}

void ArrivalTimes::clear() {
  for (const int fd : stamped_) by_fd_[static_cast<size_t>(fd)] = Clock::time_point{};
  stamped_.clear();
}

}  // namespace evalflow::openai_http
