// SIGINT and SIGTERM while a run is in progress. The handlers only count signals; the run's monitor loop
// acts on the count: the first stops feeding (in-flight samples finish within a grace period), a second
// one stops at once. The previous handlers come back when the watch ends.
#pragma once

#include <csignal>

namespace evalflow {

class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  [[nodiscard]] static int signals();  // received since the watch started
  [[nodiscard]] static int last_signal();

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace evalflow
