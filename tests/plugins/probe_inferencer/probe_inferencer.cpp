// Test-only inferencer: answers each record from its own worker thread after a short delay, and
// records what the graph did to it (instances, submissions, datasets in flight together) in
// <run_dir>/probe_<model>.json at flush, for the pipeline tests to check.
#include <evalflow/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using evalflow::sdk::json;

class ProbeInferencer {
 public:
  ProbeInferencer(const json& options, const evalflow::sdk::NodeInfo& info)
      : run_dir_(info.run_dir),
        model_(info.model_abbr),
        delay_(std::chrono::microseconds(options.value("delay_us", 2000))),
        fail_ids_(options.value("fail_ids", std::set<int64_t>{})),
        answer_field_(options.value("answer_field", "gold")),
        capacity_(options.value("capacity", int64_t{0})),
        worker_([this] { work(); }) {}

  ~ProbeInferencer() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  void submit(evalflow::sdk::Ticket ticket) {
    const std::lock_guard lock(mutex_);
    ++submitted_;
    in_flight_datasets_.insert(std::string(ticket.record().dataset()));
    if (in_flight_datasets_.size() > 1) datasets_overlapped_ = true;
    in_flight_count_[std::string(ticket.record().dataset())]++;
    if (order_.size() < kOrderKept) order_.emplace_back(ticket.record().dataset());
    queue_.push_back(ticket);
    max_in_flight_ = std::max(max_in_flight_, queue_.size());
    wake_.notify_one();
  }

  [[nodiscard]] int64_t capacity() const { return capacity_; }

  void flush() {
    const std::lock_guard lock(mutex_);
    json report = {{"submitted", submitted_},
                   {"max_in_flight", max_in_flight_},
                   {"datasets_overlapped", datasets_overlapped_},
                   {"submission_order", order_}};
    std::ofstream(run_dir_ + "/probe_" + model_ + ".json") << report.dump();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      // Let several records gather before answering, so that lanes overlap visibly.
      lock.unlock();
      std::this_thread::sleep_for(delay_);
      lock.lock();
      evalflow::sdk::Ticket ticket = queue_.front();
      queue_.pop_front();
      const std::string dataset(ticket.record().dataset());
      if (--in_flight_count_[dataset] == 0) in_flight_datasets_.erase(dataset);
      auto record = ticket.record();
      if (fail_ids_.count(record.index()) != 0) {
        ticket.fail(EF_UNAVAILABLE, "probe: injected failure");
        continue;
      }
      const auto answer = record.string(answer_field_.c_str());
      record.set("prediction", answer ? std::string(*answer) : std::string("no answer"));
      record.set("finish_reason", "stop");
      ticket.succeed();
    }
  }

  std::string run_dir_;
  std::string model_;
  std::chrono::microseconds delay_;
  std::set<int64_t> fail_ids_;
  std::string answer_field_;
  int64_t capacity_;
  static constexpr size_t kOrderKept = 64;
  std::vector<std::string> order_;  // the dataset of each of the first submissions
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<evalflow::sdk::Ticket> queue_;
  std::set<std::string> in_flight_datasets_;
  std::map<std::string, int> in_flight_count_;
  int64_t submitted_ = 0;
  size_t max_in_flight_ = 0;
  bool datasets_overlapped_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

const ef_field kReads[] = {{"messages", EF_TYPE_LIST}};
const ef_field kWrites[] = {{"prediction", EF_TYPE_STRING}, {"finish_reason", EF_TYPE_STRING}};

const ef_node_type kProbe = evalflow::sdk::async_node_type<ProbeInferencer>({
    .name = "probe_inferencer",
    .description = "Test inferencer: echoes a field after a delay and reports what it saw",
    .reads = kReads,
    .writes = kWrites,
    .options_schema = R"({"type": "object", "properties": {
        "delay_us": {"type": "integer", "minimum": 0, "x-connection": true},
        "fail_ids": {"type": "array", "items": {"type": "integer"}, "x-connection": true},
        "capacity": {"type": "integer", "minimum": 0, "x-connection": true},
        "answer_field": {"type": "string"}}, "additionalProperties": false})",
});

}  // namespace

EVALFLOW_PLUGIN("probe_inferencer", "1.0.0", "Apache-2.0", "Test-only inferencer", &kProbe)
