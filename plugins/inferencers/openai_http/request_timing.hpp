// Per-request timings, measured on the client: queue wait, time to first token, the gaps between token
// events, end to end. They go into the record's `timing` map, which the perf summary reads back.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace evalflow::openai_http {

using Clock = std::chrono::steady_clock;

// Converts steady-clock points to Unix time and back, anchored once, so that records carry comparable wall
// times and the kernel's (Unix) receive timestamps can be set beside steady-clock ones.
class WallClock {
 public:
  WallClock();
  [[nodiscard]] double unix_ms(Clock::time_point point) const;
  [[nodiscard]] Clock::time_point steady(std::chrono::system_clock::time_point unix_time) const;

 private:
  Clock::time_point steady_anchor_;
  std::chrono::system_clock::time_point unix_anchor_;
};

struct RequestTiming {
  Clock::time_point submitted{};
  Clock::time_point first_attempt_started{};
  Clock::time_point attempt_started{};  // the attempt that produced the answer (or the last one)
  std::optional<Clock::time_point> first_token;
  Clock::time_point last_token{};
  Clock::time_point finished{};
  std::vector<double> itl_ms;  // gaps between successive token events
  int attempts = 0;

  // A new attempt forgets what the previous one measured.
  void start_attempt(Clock::time_point now);
  // An event that carried content or reasoning text (the role-only first chunk does not count).
  void on_token(Clock::time_point now);

  [[nodiscard]] double queue_ms() const;
  [[nodiscard]] std::optional<double> ttft_ms() const;
  [[nodiscard]] double e2e_ms() const;

  // {"queue_ms", "ttft_ms" (streams only), "itl_ms" (streams only), "e2e_ms", "attempts", "ok",
  //  "start_unix_ms", "end_unix_ms"}
  [[nodiscard]] nlohmann::json to_json(const WallClock& wall_clock, bool ok) const;
};

}  // namespace evalflow::openai_http
