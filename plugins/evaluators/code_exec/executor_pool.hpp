// A bounded pool of threads for sandbox executions, off the graph's threads so that scoring overlaps
// inference. Each thread holds its own sandbox slot (sandbox::Config::slot) for its whole life; slots are
// handed out process-wide, so several code_exec nodes in one run never share one.
#ifndef EVALFLOW_CODE_EXEC_EXECUTOR_POOL_HPP
#define EVALFLOW_CODE_EXEC_EXECUTOR_POOL_HPP

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace evalflow::code_exec {

class ExecutorPool {
 public:
  using Job = std::function<void(unsigned slot)>;

  // Throws std::runtime_error when the process has no `threads` free slots left.
  explicit ExecutorPool(size_t threads);
  ~ExecutorPool();  // finishes the queued jobs, then joins
  ExecutorPool(const ExecutorPool&) = delete;
  ExecutorPool& operator=(const ExecutorPool&) = delete;

  void post(Job job);
  void wait_idle();  // until every posted job has finished

  [[nodiscard]] size_t queued() const;
  [[nodiscard]] size_t running() const;

 private:
  void work(unsigned slot);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<unsigned> slots_;
  std::vector<std::thread> threads_;
};

}  // namespace evalflow::code_exec

#endif  // EVALFLOW_CODE_EXEC_EXECUTOR_POOL_HPP
