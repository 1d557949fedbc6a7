// Spaces request starts evenly at `requests_per_second` (AISBench's request_rate); 0 means no limit.
#pragma once

#include <chrono>

namespace evalflow::openai_http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(double requests_per_second);

  // Takes a start slot when one is free at `now`.
  bool try_acquire(Clock::time_point now);
  // When the next slot frees up (now or earlier when one is free).
  [[nodiscard]] Clock::time_point next_slot() const { return next_slot_; }
  [[nodiscard]] bool limited() const { return interval_.count() > 0; }

 private:
  Clock::duration interval_{0};
  Clock::time_point next_slot_{};
};

}  // namespace evalflow::openai_http
