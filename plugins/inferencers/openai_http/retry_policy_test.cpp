#include "retry_policy.hpp"

#include <gtest/gtest.h>

namespace evalflow::openai_http {
namespace {

TEST(RetryPolicy, RetriesTransientFailuresOnly) {
  EXPECT_TRUE(RetryPolicy::is_retryable(AttemptError::kConnect, 0));
  EXPECT_TRUE(RetryPolicy::is_retryable(AttemptError::kInterrupted, 0));
  EXPECT_TRUE(RetryPolicy::is_retryable(AttemptError::kIdleTimeout, 0));
  EXPECT_TRUE(RetryPolicy::is_retryable(AttemptError::kProtocol, 200));
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    EXPECT_TRUE(RetryPolicy::is_retryable(AttemptError::kHttpStatus, status)) << status;
  }
  for (long status : {400L, 401L, 403L, 404L, 413L, 422L}) {
    EXPECT_FALSE(RetryPolicy::is_retryable(AttemptError::kHttpStatus, status)) << status;
  }
  EXPECT_FALSE(RetryPolicy::is_retryable(AttemptError::kTls, 0));
  EXPECT_FALSE(RetryPolicy::is_retryable(AttemptError::kOther, 0));
}

TEST(RetryPolicy, BackoffGrowsExponentiallyWithinItsJitterAndCap) {
  RetryPolicy policy;
  policy.initial_backoff = Milliseconds(100);
  policy.max_backoff = Milliseconds(1000);
  policy.multiplier = 2;
  policy.jitter = 0.5;
  std::mt19937_64 random(1);
  const double expected_base[] = {100, 200, 400, 800, 1000, 1000};
  for (int retry = 1; retry <= 6; ++retry) {
    double smallest = 1e9;
    double largest = 0;
    for (int draw = 0; draw < 200; ++draw) {
      const double delay = policy.backoff(retry, std::nullopt, random).count();
      smallest = std::min(smallest, delay);
      largest = std::max(largest, delay);
    }
    const double base = expected_base[retry - 1];
    EXPECT_GE(smallest, base * 0.5) << "retry " << retry;
    EXPECT_LE(largest, base) << "retry " << retry;
    EXPECT_LT(smallest, base * 0.6) << "jitter spreads the delays, retry " << retry;
    EXPECT_GT(largest, base * 0.9) << "jitter spreads the delays, retry " << retry;
  }
}

TEST(RetryPolicy, RetryAfterWins) {
  RetryPolicy policy;
  std::mt19937_64 random(1);
  EXPECT_DOUBLE_EQ(policy.backoff(1, Milliseconds(3000), random).count(), 3000);
}

TEST(RetryPolicy, ParsesRetryAfterSecondsAndDates) {
  EXPECT_DOUBLE_EQ(parse_retry_after(" 2\r\n", 0)->count(), 2000);
  EXPECT_DOUBLE_EQ(parse_retry_after("0.25", 0)->count(), 250);
  // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
  EXPECT_DOUBLE_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30)->count(), 30000);
  EXPECT_DOUBLE_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30)->count(), 0);
  EXPECT_FALSE(parse_retry_after("soon", 0).has_value());
  EXPECT_FALSE(parse_retry_after("-3", 0).has_value());
  EXPECT_FALSE(parse_retry_after("", 0).has_value());
}

}  // namespace
}  // namespace evalflow::openai_http
