#include "rate_limiter.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace evalflow::openai_http {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, ZeroMeansUnlimited) {
  RateLimiter limiter(0);
  const auto now = RateLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.try_acquire(now));
}

TEST(RateLimiter, SpacesStartsAtTheRate) {
  RateLimiter limiter(10);  // one start per 100 ms
  const auto start = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.try_acquire(start));
  EXPECT_FALSE(limiter.try_acquire(start + milliseconds(99)));
  EXPECT_EQ(limiter.next_slot(), start + milliseconds(100));
  // Waking a little late keeps the cadence: the next slot is still on the 100 ms grid.
  EXPECT_TRUE(limiter.try_acquire(start + milliseconds(130)));
  EXPECT_EQ(limiter.next_slot(), start + milliseconds(200));
}

TEST(RateLimiter, AnIdleLimiterDoesNotBurst) {
  RateLimiter limiter(10);
  const auto start = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.try_acquire(start));
  EXPECT_TRUE(limiter.try_acquire(start + milliseconds(5000)));
  EXPECT_FALSE(limiter.try_acquire(start + milliseconds(5001)));
  EXPECT_EQ(limiter.next_slot(), start + milliseconds(5100));
}

TEST(RateLimiter, RefusesNegativeRates) {
  EXPECT_THROW(RateLimiter(-1), std::invalid_argument);
}

}  // namespace
}  // namespace evalflow::openai_http
