// A time budget for one comparison. Work checks it at loop heads and recursion points and stops by
// throwing BudgetExceeded; nothing is interrupted from outside (no signals, no threads).
#ifndef EVALFLOW_MATH_VERIFY_BUDGET_HPP
#define EVALFLOW_MATH_VERIFY_BUDGET_HPP

#include <chrono>
#include <cstdint>
#include <stdexcept>

namespace evalflow::math_verify {

class BudgetExceeded : public std::runtime_error {
 public:
  BudgetExceeded() : std::runtime_error("math_verify: comparison exceeded its time budget") {}
};

class Budget {
 public:
  explicit Budget(std::chrono::microseconds limit) : deadline_(std::chrono::steady_clock::now() + limit) {}

  // Cheap enough for hot loops: reads the clock once every 256 calls.
  void charge() {
    if ((++steps_ & 0xFF) == 0 && std::chrono::steady_clock::now() > deadline_) throw BudgetExceeded();
  }
  void check_now() const {
    if (std::chrono::steady_clock::now() > deadline_) throw BudgetExceeded();
  }

 private:
  std::chrono::steady_clock::time_point deadline_;
  uint64_t steps_ = 0;
};

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_BUDGET_HPP
