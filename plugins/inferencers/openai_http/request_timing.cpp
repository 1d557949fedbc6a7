#include "request_timing.hpp"

#include <cmath>

namespace evalflow::openai_http {
namespace {

double to_ms(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// Microsecond resolution keeps the JSON short without losing anything a network timing can show.
double rounded(double milliseconds) {
  return std::round(milliseconds * 1000.0) / 1000.0;
}

}  // namespace

WallClock::WallClock() : steady_anchor_(Clock::now()), unix_anchor_(std::chrono::system_clock::now()) {}

double WallClock::unix_ms(Clock::time_point point) const {
  return to_ms(unix_anchor_.time_since_epoch()) + to_ms(point - steady_anchor_);
}

Clock::time_point WallClock::steady(std::chrono::system_clock::time_point unix_time) const {
  return steady_anchor_ + std::chrono::duration_cast<Clock::duration>(unix_time - unix_anchor_);
}

void RequestTiming::start_attempt(Clock::time_point now) {
  if (attempts == 0) first_attempt_started = now;
  ++attempts;
  attempt_started = now;
  first_token.reset();
  itl_ms.clear();
}

void RequestTiming::on_token(Clock::time_point now) {
  if (!first_token) {
    first_token = now;
  } else {
    itl_ms.push_back(to_ms(now - last_token));
  }
  last_token = now;
}

double RequestTiming::queue_ms() const {
  return to_ms(first_attempt_started - submitted);
}

std::optional<double> RequestTiming::ttft_ms() const {
  if (!first_token) return std::nullopt;
  return to_ms(*first_token - attempt_started);
}

double RequestTiming::e2e_ms() const {
  return to_ms(finished - attempt_started);
}

nlohmann::json RequestTiming::to_json(const WallClock& wall_clock, bool ok) const {
  nlohmann::json timing = {{"ok", ok},
                           {"attempts", attempts},
                           {"queue_ms", rounded(queue_ms())},
                           {"e2e_ms", rounded(e2e_ms())},
                           {"start_unix_ms", rounded(wall_clock.unix_ms(attempt_started))},
                           {"end_unix_ms", rounded(wall_clock.unix_ms(finished))}};
  if (auto ttft = ttft_ms()) {
    timing["ttft_ms"] = rounded(*ttft);
    nlohmann::json gaps = nlohmann::json::array();
    for (double gap : itl_ms) gaps.push_back(rounded(gap));
    timing["itl_ms"] = std::move(gaps);
  }
  return timing;
}

}  // namespace evalflow::openai_http
