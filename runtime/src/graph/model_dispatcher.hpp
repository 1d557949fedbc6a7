// Hands one model's records to its inferencer no faster than it works on them (its capacity), taking the
// datasets that share it in turn, so that AIME's samples cannot take every slot while MATH-500 waits, and
// a stopping run has nothing queued inside the plugin: records still held here are dropped unsent.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "records/record.hpp"

namespace evalflow {

class ModelDispatcher {
 public:
  using Handler = std::function<void(RecordPtr)>;

  // `capacity` 0: no limit (everything is submitted at once). `submit` hands a record to the plugin;
  // `drop` takes the records that were never sent because the run is stopping.
  ModelDispatcher(size_t lanes, int64_t capacity, Handler submit, Handler drop);

  void push(RecordPtr record);  // a record of lane record->lane, ready for the model
  void completed(int lane);     // the model finished a record of this lane
  void stop();                  // drop everything queued, submit nothing more

  [[nodiscard]] int64_t in_flight(int lane) const;

 private:
  // Takes, under the lock, the records that may be submitted now (lanes in turn).
  std::vector<RecordPtr> take_ready();

  const int64_t capacity_;
  Handler submit_;
  Handler drop_;
  mutable std::mutex mutex_;
  std::vector<std::deque<RecordPtr>> queues_;
  std::vector<int64_t> lane_in_flight_;
  int64_t in_flight_ = 0;
  size_t next_lane_ = 0;
  bool stopped_ = false;
};

}  // namespace evalflow
