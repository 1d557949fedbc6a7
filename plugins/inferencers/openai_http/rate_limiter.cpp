#include "rate_limiter.hpp"

#include <stdexcept>
#include <string>

namespace evalflow::openai_http {

RateLimiter::RateLimiter(double requests_per_second) {
  if (requests_per_second < 0) {
    throw std::invalid_argument("request_rate must be >= 0 (0 = unlimited), got " +
                                std::to_string(requests_per_second));
  }
  if (requests_per_second > 0) {
    interval_ =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / requests_per_second));
  }
}

bool RateLimiter::try_acquire(Clock::time_point now) {
  if (!limited()) return true;
  if (now < next_slot_) return false;
  // On time (within one interval): keep the cadence exact, so that wake-up delays do not lower the rate.
  // Later than that (the limiter was idle): restart the cadence from now, so that no burst follows.
  next_slot_ = (now - next_slot_ < interval_ ? next_slot_ : now) + interval_;
  return true;
}

}  // namespace evalflow::openai_http
