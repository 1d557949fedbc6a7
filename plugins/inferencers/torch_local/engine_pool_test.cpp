// One queue feeding several engines, on the CPU fixtures (two engines on "cpu"): every request finishes
// exactly once with the tokens of a single engine and of transformers, whichever engine served it; both
// engines take work when there is more than one batch of it; refused requests fail on their own; shutdown
// fails what is queued and what is running; the `devices` option and identical random replicas.
#include "engine_pool.hpp"

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "local_model.hpp"
#include "model_config.hpp"
#include "test_support.hpp"

namespace evalflow::torch_local {
namespace {

using testing::fixture_dir;
using testing::load_reference;
using testing::test_options;

constexpr auto kPatience = std::chrono::seconds(20);  // far beyond what a working pool needs

bool poll_until(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Results by request id, as the engines deliver them on their own threads.
class Results {
 public:
  std::function<void(GenerationResult)> recorder(int id) {
    return [this, id](GenerationResult result) {
      std::lock_guard lock(mutex_);
      ++deliveries_[id];
      results_[id] = std::move(result);
    };
  }
  [[nodiscard]] std::map<int, GenerationResult> results() const {
    std::lock_guard lock(mutex_);
    return results_;
  }
  [[nodiscard]] std::map<int, int> deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }
  [[nodiscard]] int64_t count() const {
    std::lock_guard lock(mutex_);
    return static_cast<int64_t>(results_.size());
  }
  [[nodiscard]] int errors_with(const std::string& message) const {
    std::lock_guard lock(mutex_);
    int count = 0;
    for (const auto& [id, result] : results_) count += result.error == message ? 1 : 0;
    return count;
  }

 private:
  mutable std::mutex mutex_;
  std::map<int, GenerationResult> results_;
  std::map<int, int> deliveries_;
};

int64_t served_by_all(EnginePool& pool) {
  int64_t served = 0;
  for (size_t index = 0; index < pool.size(); ++index) served += pool.engine(index).served();
  return served;
}

bool every_engine_served(EnginePool& pool) {
  for (size_t index = 0; index < pool.size(); ++index) {
    if (pool.engine(index).served() == 0) return false;
  }
  return true;
}

// A stop check that holds its engine's step until every engine of `pool` has taken a request (it never
// stops generation). An engine can take more only between steps, so a pool whose first engine took all
// the work fails here, rather than passing or failing by the timing of the threads.
std::function<bool(std::span<const int64_t>)> until_every_engine_served(EnginePool& pool) {
  auto gave_up = std::make_shared<std::atomic<bool>>(false);
  return [&pool, gave_up](std::span<const int64_t> /*generated*/) {
    if (!*gave_up && !poll_until([&pool] { return every_engine_served(pool); })) {
      *gave_up = true;
      ADD_FAILURE() << "an engine took no request while others held a full batch";
    }
    return false;
  };
}

GenerationRequest greedy_request(const std::vector<int64_t>& prompt, int64_t max_tokens) {
  GenerationRequest request;
  request.prompt_ids = prompt;
  request.max_tokens = max_tokens;
  return request;
}

// Where the replicas run: all on test_options()'s device, or, with EVALFLOW_TEST_DEVICE=cuda on a machine
// with at least two GPUs, one GPU each (the data-parallel case itself).
std::vector<at::Device> replica_devices(size_t count) {
  const at::Device device = test_options().device();
  std::vector<at::Device> devices(count, device);
  if (device.is_cuda() && torch::cuda::device_count() >= count) {
    for (size_t index = 0; index < count; ++index)
      devices[index] = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  return devices;
}

std::vector<std::shared_ptr<const Transformer>> replicas(size_t count) {
  const ModelConfig config = load_model_config(fixture_dir("tiny_qwen2"));
  std::vector<std::shared_ptr<const Transformer>> models;
  for (const at::Device& device : replica_devices(count)) {
    models.push_back(std::make_shared<const Transformer>(
        Transformer::load(fixture_dir("tiny_qwen2"), config, test_options().device(device))));
  }
  return models;
}

constexpr SchedulerOptions kTwoSlots{.max_sequences = 2, .max_sequence_length = 256};

TEST(EnginePool, EveryRequestFinishesOnceWithTheTokensOfOneEngineAndOfTransformers) {
  const auto prompts = load_reference("tiny_qwen2");
  constexpr int kRounds = 3;  // 12 requests: six batches' worth for two slots
  auto run = [&](size_t engines) {
    EnginePool pool(replicas(engines), kTwoSlots);
    Results results;
    const auto capacity = static_cast<int64_t>(engines) * kTwoSlots.max_sequences;
    for (int id = 0; id < kRounds * static_cast<int>(prompts.size()); ++id) {
      GenerationRequest request = greedy_request(prompts[static_cast<size_t>(id) % prompts.size()].ids, 32);
      // No engine takes more than its batch has room for: what the engines hold never exceeds their slots.
      request.stop_check = [&pool, &results, capacity,
                            gate = until_every_engine_served(pool)](std::span<const int64_t> generated) {
        EXPECT_LE(served_by_all(pool) - results.count(), capacity);
        return gate(generated);
      };
      request.on_finish = results.recorder(id);
      pool.submit(std::move(request));
    }
    pool.drain();
    for (size_t index = 0; index < pool.size(); ++index) {
      EXPECT_GT(pool.engine(index).served(), 0) << "engine " << index << " did no work";
    }
    EXPECT_EQ(served_by_all(pool), kRounds * static_cast<int64_t>(prompts.size()));
    for (const auto& [id, deliveries] : results.deliveries()) EXPECT_EQ(deliveries, 1) << "request " << id;
    return results.results();
  };
  const auto single = run(1);
  const auto pooled = run(2);
  ASSERT_EQ(pooled.size(), single.size());
  ASSERT_EQ(pooled.size(), kRounds * prompts.size());
  for (const auto& [id, result] : pooled) {
    EXPECT_EQ(result.finish_reason, FinishReason::kLength) << result.error;
    EXPECT_EQ(result.tokens, single.at(id).tokens) << "request " << id;
    EXPECT_EQ(result.tokens, prompts[static_cast<size_t>(id) % prompts.size()].greedy) << "request " << id;
  }
}

TEST(EnginePool, RefusedRequestsFailWhileTheOthersFinish) {
  const auto prompts = load_reference("tiny_qwen2");
  EnginePool pool(replicas(2), {.max_sequences = 2, .max_sequence_length = 64});
  Results results;
  EXPECT_THROW(pool.submit(greedy_request({}, 4)), std::invalid_argument);
  const std::vector<std::vector<int64_t>> submitted = {
      prompts[1].ids, prompts[3].ids, {5, 512}, prompts[1].ids};
  for (size_t id = 0; id < submitted.size(); ++id) {
    GenerationRequest request = greedy_request(submitted[id], 32);
    request.on_finish = results.recorder(static_cast<int>(id));
    pool.submit(std::move(request));
  }
  pool.drain();
  const auto finished = results.results();
  ASSERT_EQ(finished.size(), submitted.size());
  for (int valid : {0, 3}) EXPECT_EQ(finished.at(valid).tokens, prompts[1].greedy);
  const GenerationResult& too_long = finished.at(1);  // 200 prompt tokens, 64 per sequence
  EXPECT_EQ(too_long.finish_reason, FinishReason::kError);
  EXPECT_TRUE(too_long.request_invalid);
  EXPECT_NE(too_long.error.find("leaves no room"), std::string::npos) << too_long.error;
  const GenerationResult& outside = finished.at(2);
  EXPECT_EQ(outside.finish_reason, FinishReason::kError);
  EXPECT_TRUE(outside.request_invalid);
  EXPECT_NE(outside.error.find("outside the vocabulary"), std::string::npos) << outside.error;
}

TEST(EnginePool, ShutdownFailsQueuedAndRunningRequestsWithTheReason) {
  const std::string never_started = "the engine shut down before the request started";
  const std::string cut_short = "the engine shut down before the request finished";
  const auto prompts = load_reference("tiny_qwen2");
  auto pool = std::make_unique<EnginePool>(replicas(2),
                                           SchedulerOptions{.max_sequences = 1, .max_sequence_length = 512});
  Results results;
  constexpr int kRequests = 6;
  for (int id = 0; id < kRequests; ++id) {
    GenerationRequest request = greedy_request(prompts[1].ids, 400);
    // Each engine holds its one running request until shutdown has failed the four it never took.
    request.stop_check = [&results, &never_started](std::span<const int64_t> /*generated*/) {
      EXPECT_TRUE(poll_until([&] { return results.errors_with(never_started) == kRequests - 2; }));
      return false;
    };
    request.on_finish = results.recorder(id);
    pool->submit(std::move(request));
  }
  ASSERT_TRUE(poll_until([&] { return every_engine_served(*pool); }));
  pool.reset();
  const auto finished = results.results();
  ASSERT_EQ(finished.size(), static_cast<size_t>(kRequests));
  for (const auto& [id, deliveries] : results.deliveries()) EXPECT_EQ(deliveries, 1) << "request " << id;
  for (const auto& [id, result] : finished) {
    EXPECT_EQ(result.finish_reason, FinishReason::kError) << "request " << id;
    EXPECT_FALSE(result.request_invalid) << "request " << id;
  }
  EXPECT_EQ(results.errors_with(never_started), kRequests - 2);
  EXPECT_EQ(results.errors_with(cut_short), 2);
}

TEST(EnginePool, WarmUpRunsOnEveryEngine) {
  EnginePool pool(replicas(2), kTwoSlots);
  std::atomic<int> finished = 0;
  GenerationRequest request = greedy_request({1, 2, 3}, 2);
  request.on_finish = [&finished](const GenerationResult& result) {
    EXPECT_EQ(result.tokens.size(), 2U) << result.error;
    ++finished;
  };
  pool.warm_up(request);
  EXPECT_EQ(finished, 2);
  EXPECT_EQ(pool.engine(0).served(), 1);
  EXPECT_EQ(pool.engine(1).served(), 1);
}

TEST(RequestQueue, HandsOutAnEnginesOwnRequestsFirstThenTheOldestUpToTheCount) {
  RequestQueue queue(2);
  for (int64_t id : {10, 11, 12}) queue.push(greedy_request({id}, 1));
  queue.push(greedy_request({20}, 1), 1);
  EXPECT_THROW(queue.push(greedy_request({30}, 1), 2), std::out_of_range);
  auto prompts_of = [](const std::vector<GenerationRequest>& requests) {
    std::vector<int64_t> firsts;
    for (const auto& request : requests) firsts.push_back(request.prompt_ids.front());
    return firsts;
  };
  EXPECT_EQ(prompts_of(*queue.take(0, 1, false)), std::vector<int64_t>{10});
  EXPECT_EQ(prompts_of(*queue.take(1, 2, false)), (std::vector<int64_t>{20, 11}));
  EXPECT_TRUE(queue.take(0, 0, false)->empty());
  EXPECT_EQ(prompts_of(*queue.take(0, 5, true)), std::vector<int64_t>{12});
}

TEST(RequestQueue, CloseFailsWhatNoEngineTookAndWakesWaitingEngines) {
  RequestQueue queue(1);
  std::vector<std::string> errors;
  GenerationRequest request = greedy_request({1}, 1);
  request.on_finish = [&errors](const GenerationResult& result) { errors.push_back(result.error); };
  queue.push(request);
  queue.push(request);
  auto taken = queue.take(0, 1, false);
  ASSERT_EQ(taken->size(), 1U);
  queue.close("closed for the test");
  queue.close("a second close changes nothing");
  EXPECT_EQ(errors, std::vector<std::string>{"closed for the test"});
  EXPECT_FALSE(queue.take(0, 1, false).has_value());
  EXPECT_THROW(queue.push(request), std::runtime_error);
  // The taken request is still in flight until its engine finishes it.
  taken->front().on_finish(GenerationResult{});
  queue.drain();
  EXPECT_EQ(errors.size(), 2U);

  RequestQueue empty(1);
  std::thread idle_engine([&empty] { EXPECT_FALSE(empty.take(0, 4, true).has_value()); });
  empty.close("closed for the test");
  idle_engine.join();
}

TEST(LocalModelDevices, DevicesOverrideDeviceAndCudaMeansEveryVisibleGpu) {
  const std::string path = fixture_dir("tiny_qwen2").string();
  auto devices_of = [&](const nlohmann::json& options) {
    nlohmann::json with_path = options;
    with_path["path"] = path;
    return LocalModelOptions::from_json(with_path, {}).engine_devices();
  };
  EXPECT_EQ(devices_of({{"device", "cpu"}}), std::vector<std::string>{"cpu"});
  EXPECT_EQ(devices_of({{"device", "cuda:1"}, {"devices", {"cpu", "cpu"}}}),
            (std::vector<std::string>{"cpu", "cpu"}));
  EXPECT_THROW(devices_of({{"devices", {"cpu", "cuda:0"}}}), std::invalid_argument);
  const size_t gpus = torch::cuda::device_count();
  if (gpus == 0) {
    EXPECT_THROW(devices_of({{"device", "cuda"}}), std::invalid_argument);
  } else {
    const auto every_gpu = devices_of({{"device", "cuda"}});
    ASSERT_EQ(every_gpu.size(), gpus);
    EXPECT_EQ(every_gpu.back(), "cuda:" + std::to_string(gpus - 1));
  }
}

TEST(LocalModelDevices, RandomWeightsAreTheSameOnEveryReplica) {
  LocalModelOptions options;
  options.path = fixture_dir("tiny_qwen2");
  for (const at::Device& device : replica_devices(2)) options.devices.push_back(device.str());
  options.random_weights = true;
  options.weights_seed = 7;
  options.scheduler = {.max_sequences = 1, .max_sequence_length = 64};
  LocalModel model(options);
  ASSERT_EQ(model.engines().size(), 2U);
  EXPECT_EQ(model.engines_summary(),
            "2 engines fed from one queue, on " + options.devices[0] + ", " + options.devices[1]);
  Results results;
  constexpr int kRequests = 4;
  for (int id = 0; id < kRequests; ++id) {
    GenerationRequest request = greedy_request({3, 1, 4, 1, 5, 9, 2, 6}, 16);
    request.stop_check = until_every_engine_served(model.engines());
    request.on_finish = results.recorder(id);
    model.engines().submit(std::move(request));
  }
  model.engines().drain();
  const auto finished = results.results();
  ASSERT_EQ(finished.size(), static_cast<size_t>(kRequests));
  for (const auto& [id, result] : finished) {
    EXPECT_EQ(result.tokens.size(), 16U) << result.error;
    EXPECT_EQ(result.tokens, finished.at(0).tokens) << "request " << id;
  }
}

}  // namespace
}  // namespace evalflow::torch_local
