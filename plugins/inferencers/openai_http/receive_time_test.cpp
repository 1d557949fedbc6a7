// Kernel receive timestamps on a loopback TCP connection.
#include "receive_time.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace evalflow::openai_http {
namespace {

using namespace std::chrono_literals;
using SystemClock = std::chrono::system_clock;

// A connected pair of loopback TCP sockets: `sender` writes, `receiver` reads.
struct LoopbackPair {
  int sender = -1;
  int receiver = -1;

  LoopbackPair() {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listener, 1) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    receiver = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(receiver, reinterpret_cast<sockaddr*>(&address), length) != 0) {
      throw std::runtime_error("cannot connect on loopback");
    }
    sender = accept(listener, nullptr, nullptr);
    close(listener);
  }
  ~LoopbackPair() {
    close(sender);
    close(receiver);
  }
  LoopbackPair(const LoopbackPair&) = delete;
  LoopbackPair& operator=(const LoopbackPair&) = delete;

  void send_text(const char* text) const { ASSERT_GT(write(sender, text, strlen(text)), 0); }

  // Turns on receive timestamps and waits until the kernel applies them: it switches stamping on for the
  // whole system lazily (a deferred static key), so the first segments after that can go unstamped. Leaves
  // nothing queued.
  [[nodiscard]] bool stamp_receiver() const {
    if (!enable_receive_timestamps(receiver)) return false;
    for (int probe = 0; probe < 200; ++probe) {
      if (write(sender, "x", 1) != 1) return false;
      std::this_thread::sleep_for(5ms);
      const bool stamped = newest_receive_time(receiver).has_value();
      std::array<char, 16> drained{};
      if (read(receiver, drained.data(), drained.size()) <= 0) return false;
      if (stamped) return true;
    }
    return false;
  }
};

TEST(ReceiveTime, IsWhenTheBytesArrivedNotWhenTheyArePeeked) {
  LoopbackPair pair;
  ASSERT_TRUE(pair.stamp_receiver());
  EXPECT_FALSE(newest_receive_time(pair.receiver).has_value()) << "nothing is queued yet";
  const SystemClock::time_point before = SystemClock::now();
  pair.send_text("data: first\n\n");
  const SystemClock::time_point after = SystemClock::now();
  std::this_thread::sleep_for(50ms);
  const auto received = newest_receive_time(pair.receiver);
  ASSERT_TRUE(received.has_value());
  // Stamped on arrival (within the write on loopback; the slack covers delivery deferred to a softirq
  // thread), not at the peek 50 ms later.
  EXPECT_GE(*received, before);
  EXPECT_LT(*received, after + 25ms);
  // Peeking consumed nothing: the bytes are all still there, and the stamp is the same.
  char buffer[64] = {};
  EXPECT_EQ(newest_receive_time(pair.receiver), received);
  EXPECT_EQ(read(pair.receiver, buffer, sizeof(buffer)), 13);
  EXPECT_FALSE(newest_receive_time(pair.receiver).has_value());
}

TEST(ReceiveTime, QueuedBytesCarryTheNewestArrival) {
  LoopbackPair pair;
  ASSERT_TRUE(pair.stamp_receiver());
  pair.send_text("data: first\n\n");
  std::this_thread::sleep_for(30ms);
  const SystemClock::time_point before_second = SystemClock::now();
  pair.send_text("data: second\n\n");
  std::this_thread::sleep_for(20ms);
  const auto received = newest_receive_time(pair.receiver);
  ASSERT_TRUE(received.has_value());
  EXPECT_GE(*received, before_second);
}

TEST(ReceiveTime, AnUnstampedSocketHasNoTime) {
  LoopbackPair pair;
  pair.send_text("data: first\n\n");
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(newest_receive_time(pair.receiver).has_value());
}

TEST(ArrivalTimes, HoldTheStampsOfOneWakeUpInTheSteadyClock) {
  LoopbackPair pair;
  ASSERT_TRUE(pair.stamp_receiver());
  const WallClock wall_clock;
  ArrivalTimes arrivals(wall_clock);
  const Clock::time_point before = Clock::now();
  pair.send_text("data: first\n\n");
  const Clock::time_point after = Clock::now();
  std::this_thread::sleep_for(30ms);
  arrivals.stamp(pair.receiver);
  arrivals.stamp(pair.sender);  // nothing queued there: no stamp
  const auto arrived = arrivals.of(pair.receiver);
  ASSERT_TRUE(arrived.has_value());
  // Converted to the steady clock (the wall clock's anchor is good to well within a millisecond): the
  // arrival, not the stamp() 30 ms later.
  EXPECT_GE(*arrived, before - 1ms);
  EXPECT_LT(*arrived, after + 15ms);
  EXPECT_FALSE(arrivals.of(pair.sender).has_value());
  EXPECT_FALSE(arrivals.of(-1).has_value());
  arrivals.clear();
  EXPECT_FALSE(arrivals.of(pair.receiver).has_value());
}

}  // namespace
}  // namespace evalflow::openai_http
