#include "socket_watch.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

namespace evalflow::openai_http {

void SocketWatch::on_opened(int fd) {
  socket(fd) = Socket{.wanted = 0, .registered = 0, .opened_here = true};
}

void SocketWatch::on_closed(int fd) {
  socket(fd) = Socket{};
}

void SocketWatch::watch(int fd, uint32_t events) {
  Socket& watched = socket(fd);
  watched.wanted = events;
  if (events == 0) {
    // A socket opened here stays registered: the next transfer on its connection most likely wants the
    // same events. wanted() drops it if it turns ready while idle.
    if (!watched.opened_here && watched.registered != 0) {
      control(EPOLL_CTL_DEL, fd, 0);
      watched.registered = 0;
    }
    return;
  }
  if (watched.opened_here && watched.registered == events) return;
  control(watched.registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, events);
  watched.registered = events;
}

bool SocketWatch::wanted(int fd) {
  Socket& watched = socket(fd);
  if (watched.wanted != 0) return true;
  if (watched.registered != 0) {
    control(EPOLL_CTL_DEL, fd, 0);
    watched.registered = 0;
  }
  return false;
}

SocketWatch::Socket& SocketWatch::socket(int fd) {
  const auto index = static_cast<size_t>(fd);
  if (index >= sockets_.size()) sockets_.resize(std::max<size_t>(index + 1, sockets_.size() * 2));
  return sockets_[index];
}

// A socket libcurl opened and closed on its own may have left epoll behind our back (ENOENT) or be back
// under the same number (EEXIST): the other operation then does what was meant. A socket epoll refuses
// altogether stays unwatched, and its transfer ends by the idle timeout.
void SocketWatch::control(int operation, int fd, uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  ++epoll_ctl_calls_;
  if (epoll_ctl(epoll_fd_, operation, fd, &event) == 0 || operation == EPOLL_CTL_DEL) return;
  if (errno == ENOENT || errno == EEXIST) {
    ++epoll_ctl_calls_;
    epoll_ctl(epoll_fd_, operation == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
  }
}

}  // namespace evalflow::openai_http
