#include "executor_pool.hpp"

#include <evalflow/sandbox/sandbox.hpp>

#include <bitset>
#include <stdexcept>
#include <string>

namespace evalflow::code_exec {
namespace {

// The slots in use in this process (a plugin library is loaded once, so this is shared by its nodes).
class SlotRegistry {
 public:
  static SlotRegistry& instance() {
    static SlotRegistry registry;
    return registry;
  }
  std::vector<unsigned> take(size_t count) {
    const std::lock_guard lock(mutex_);
    std::vector<unsigned> slots;
    for (unsigned slot = 0; slot < sandbox::kSlots && slots.size() < count; ++slot) {
      if (!used_[slot]) slots.push_back(slot);
    }
    if (slots.size() < count) {
      throw std::runtime_error("code_exec: " + std::to_string(count) + " sandbox slots asked for, " +
                               std::to_string(slots.size()) + " free of " + std::to_string(sandbox::kSlots) +
                               ": lower `workers`");
    }
    for (const unsigned slot : slots) used_[slot] = true;
    return slots;
  }
  void give_back(const std::vector<unsigned>& slots) {
    const std::lock_guard lock(mutex_);
    for (const unsigned slot : slots) used_[slot] = false;
  }

 private:
  std::mutex mutex_;
  std::bitset<sandbox::kSlots> used_;
};

}  // namespace

ExecutorPool::ExecutorPool(size_t threads) : slots_(SlotRegistry::instance().take(threads)) {
  for (const unsigned slot : slots_) threads_.emplace_back([this, slot] { work(slot); });
}

ExecutorPool::~ExecutorPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  SlotRegistry::instance().give_back(slots_);
}

void ExecutorPool::post(Job job) {
  {
    const std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void ExecutorPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return jobs_.empty() && running_ == 0; });
}

size_t ExecutorPool::queued() const {
  const std::lock_guard lock(mutex_);
  return jobs_.size();
}

size_t ExecutorPool::running() const {
  const std::lock_guard lock(mutex_);
  return running_;
}

void ExecutorPool::work(unsigned slot) {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    ++running_;
    lock.unlock();
    job(slot);  // jobs complete their own tickets and catch their own errors
    lock.lock();
    --running_;
    if (jobs_.empty() && running_ == 0) idle_.notify_all();
  }
}

}  // namespace evalflow::code_exec
