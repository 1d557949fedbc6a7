// Which sockets the event loop's epoll instance watches for libcurl, and for which events.
//
// libcurl stops watching a connection's socket when a transfer ends (the connection goes back to its cache)
// and asks to watch it again when the next transfer starts on it: done naively, that is two or three
// epoll_ctl calls per request on a kept-alive connection. For the sockets the loop opens and closes itself
// (libcurl's open and close socket callbacks), this class keeps the registration across that gap, so that a
// request on a warm connection needs none; an idle socket that becomes ready anyway (the server closed it) is
// dropped from epoll when its event arrives. Sockets libcurl opens on its own (the threaded resolver's
// socket pair) are registered and removed exactly as libcurl asks, since their closing is not seen here.
#pragma once

#include <cstdint>
#include <vector>

namespace evalflow::openai_http {

class SocketWatch {
 public:
  // `epoll_fd` stays owned by the caller.
  explicit SocketWatch(int epoll_fd) : epoll_fd_(epoll_fd) {}

  // The loop opened `fd` for libcurl (CURLOPT_OPENSOCKETFUNCTION).
  void on_opened(int fd);
  // The loop is about to close `fd` for libcurl (CURLOPT_CLOSESOCKETFUNCTION); closing it removes it from
  // epoll.
  void on_closed(int fd);

  // libcurl's socket callback: watch `fd` for `events` (EPOLLIN, EPOLLOUT); 0 stops watching it.
  // Throws std::runtime_error when epoll refuses the socket.
  void watch(int fd, uint32_t events);

  // An event arrived for `fd`: true when libcurl waits for one on it. Otherwise the socket is idle in
  // libcurl's connection cache and stops being watched.
  bool wanted(int fd);

  // epoll_ctl calls made so far (the point of this class; tests check it).
  [[nodiscard]] int64_t epoll_ctl_calls() const { return epoll_ctl_calls_; }

 private:
  struct Socket {
    uint32_t wanted = 0;      // what libcurl waits for now
    uint32_t registered = 0;  // what epoll watches (0: not registered)
    bool opened_here = false;
  };

  Socket& socket(int fd);
  void control(int operation, int fd, uint32_t events);

  int epoll_fd_;
  std::vector<Socket> sockets_;  // indexed by descriptor
  int64_t epoll_ctl_calls_ = 0;
};

}  // namespace evalflow::openai_http
