// Accuracy over the scored records of one dataset, reported AISBench's way: percent at the top level.
#ifndef EVALFLOW_ACCURACY_ACCURACY_HPP
#define EVALFLOW_ACCURACY_ACCURACY_HPP

#include <cstdint>
#include <nlohmann/json.hpp>

namespace evalflow::accuracy {

class AccuracyCounter {
 public:
  void add(bool correct) {
    ++total_;
    if (correct) ++correct_;
  }
  // {"accuracy": percent (full precision; null when nothing was scored), "correct": n, "total": n}.
  [[nodiscard]] nlohmann::json report() const {
    nlohmann::json accuracy = nullptr;
    if (total_ > 0) accuracy = 100.0 * static_cast<double>(correct_) / static_cast<double>(total_);
    return {{"accuracy", accuracy}, {"correct", correct_}, {"total", total_}};
  }

 private:
  int64_t correct_ = 0;
  int64_t total_ = 0;
};

}  // namespace evalflow::accuracy

#endif  // EVALFLOW_ACCURACY_ACCURACY_HPP
