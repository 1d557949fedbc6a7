#include "socket_watch.hpp"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

namespace evalflow::openai_http {
namespace {

// An epoll instance and a connected socket pair: `local` is what the loop would watch, `peer` makes it ready.
class SocketWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    ASSERT_GE(epoll_fd_, 0);
    std::array<int, 2> pair{};
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.data()), 0);
    local_ = pair[0];
    peer_ = pair[1];
  }

  void TearDown() override {
    close(local_);
    close(peer_);
    close(epoll_fd_);
  }

  // The descriptors epoll reports ready now.
  std::vector<int> ready() const {
    std::array<epoll_event, 8> events{};
    const int count = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
    std::vector<int> fds;
    for (int i = 0; i < count; ++i) fds.push_back(events[static_cast<size_t>(i)].data.fd);
    return fds;
  }

  void make_readable() const { ASSERT_EQ(write(peer_, "x", 1), 1); }

  // Replaces `local_` by a new socket under the same number, as a closed and reopened connection would be.
  void reopen_local_under_the_same_number() {
    std::array<int, 2> pair{};
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.data()), 0);
    close(local_);
    ASSERT_EQ(dup2(pair[0], local_), local_);
    close(pair[0]);
    close(peer_);
    peer_ = pair[1];
  }

  int epoll_fd_ = -1;
  int local_ = -1;
  int peer_ = -1;
};

TEST_F(SocketWatchTest, AKeptAliveSocketIsWatchedAgainWithoutEpollCalls) {
  SocketWatch watch(epoll_fd_);
  watch.on_opened(local_);
  watch.watch(local_, EPOLLIN);
  EXPECT_EQ(watch.epoll_ctl_calls(), 1);
  for (int transfer = 0; transfer < 3; ++transfer) {
    watch.watch(local_, 0);
    watch.watch(local_, EPOLLIN);
  }
  EXPECT_EQ(watch.epoll_ctl_calls(), 1);
  make_readable();
  EXPECT_EQ(ready(), std::vector<int>{local_});
  EXPECT_TRUE(watch.wanted(local_));
}

TEST_F(SocketWatchTest, AnIdleSocketThatTurnsReadyIsDroppedAndCanBeWatchedAgain) {
  SocketWatch watch(epoll_fd_);
  watch.on_opened(local_);
  watch.watch(local_, EPOLLIN);
  watch.watch(local_, 0);
  make_readable();
  EXPECT_EQ(ready(), std::vector<int>{local_});
  EXPECT_FALSE(watch.wanted(local_));
  EXPECT_TRUE(ready().empty()) << "level-triggered epoll would report the idle socket again and again";
  watch.watch(local_, EPOLLIN);
  EXPECT_EQ(ready(), std::vector<int>{local_});
  EXPECT_TRUE(watch.wanted(local_));
}

TEST_F(SocketWatchTest, ChangedEventsAreRegistered) {
  SocketWatch watch(epoll_fd_);
  watch.on_opened(local_);
  watch.watch(local_, EPOLLIN);
  EXPECT_TRUE(ready().empty());
  watch.watch(local_, EPOLLOUT);  // a connected socket is writable at once
  EXPECT_EQ(ready(), std::vector<int>{local_});
  EXPECT_EQ(watch.epoll_ctl_calls(), 2);
}

TEST_F(SocketWatchTest, AClosedSocketsNumberIsRegisteredAnewWhenReopened) {
  SocketWatch watch(epoll_fd_);
  watch.on_opened(local_);
  watch.watch(local_, EPOLLIN);
  watch.watch(local_, 0);
  watch.on_closed(local_);
  reopen_local_under_the_same_number();
  watch.on_opened(local_);
  watch.watch(local_, EPOLLIN);
  make_readable();
  EXPECT_EQ(ready(), std::vector<int>{local_});
}

TEST_F(SocketWatchTest, ASocketOpenedElsewhereIsRemovedAsSoonAsItIsNotWanted) {
  SocketWatch watch(epoll_fd_);
  watch.watch(local_, EPOLLIN);
  watch.watch(local_, 0);
  EXPECT_EQ(watch.epoll_ctl_calls(), 2);
  make_readable();
  EXPECT_TRUE(ready().empty());
}

TEST_F(SocketWatchTest, ASocketOpenedElsewhereAndClosedUnseenIsStillWatchedUnderItsOldNumber) {
  SocketWatch watch(epoll_fd_);
  watch.watch(local_, EPOLLIN);
  reopen_local_under_the_same_number();  // closing removed the old socket from epoll; the watch did not see
                                         // it
  watch.watch(local_, EPOLLIN);
  make_readable();
  EXPECT_EQ(ready(), std::vector<int>{local_});
}

}  // namespace
}  // namespace evalflow::openai_http
