#include "graph/model_dispatcher.hpp"

#include <utility>

namespace evalflow {

ModelDispatcher::ModelDispatcher(size_t lanes, int64_t capacity, Handler submit, Handler drop)
    : capacity_(capacity),
      submit_(std::move(submit)),
      drop_(std::move(drop)),
      queues_(lanes),
      lane_in_flight_(lanes, 0) {}

void ModelDispatcher::push(RecordPtr record) {
  std::vector<RecordPtr> ready;
  bool dropped = false;
  {
    const std::lock_guard lock(mutex_);
    if (stopped_) {
      dropped = true;
    } else {
      queues_[record->lane].push_back(std::move(record));
      ready = take_ready();
    }
  }
  if (dropped) {
    drop_(std::move(record));
    return;
  }
  // Outside the lock: a plugin may complete a record inside submit, which calls completed().
  for (auto& item : ready) submit_(std::move(item));
}

void ModelDispatcher::completed(int lane) {
  std::vector<RecordPtr> ready;
  {
    const std::lock_guard lock(mutex_);
    --in_flight_;
    --lane_in_flight_[lane];
    ready = take_ready();
  }
  for (auto& item : ready) submit_(std::move(item));
}

void ModelDispatcher::stop() {
  std::vector<RecordPtr> dropped;
  {
    const std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& queue : queues_) {
      for (auto& record : queue) dropped.push_back(std::move(record));
      queue.clear();
    }
  }
  for (auto& record : dropped) drop_(std::move(record));
}

int64_t ModelDispatcher::in_flight(int lane) const {
  const std::lock_guard lock(mutex_);
  return lane_in_flight_[lane];
}

std::vector<RecordPtr> ModelDispatcher::take_ready() {
  std::vector<RecordPtr> ready;
  if (stopped_) return ready;
  size_t empty_in_a_row = 0;
  while ((capacity_ == 0 || in_flight_ < capacity_) && empty_in_a_row < queues_.size()) {
    auto& queue = queues_[next_lane_];
    const size_t lane = next_lane_;
    next_lane_ = (next_lane_ + 1) % queues_.size();
    if (queue.empty()) {
      ++empty_in_a_row;
      continue;
    }
    empty_in_a_row = 0;
    ready.push_back(std::move(queue.front()));
    queue.pop_front();
    ++in_flight_;
    ++lane_in_flight_[lane];
  }
  return ready;
}

}  // namespace evalflow
