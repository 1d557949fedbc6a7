// Generation through the scheduler against transformers' greedy tokens (fp32): each prompt alone, mixed into
// a continuous batch with other requests joining and leaving, and with prompts prefilled in small chunks.
#include "scheduler.hpp"

#include <gtest/gtest.h>

#include <map>

#include "model_config.hpp"
#include "test_support.hpp"

namespace evalflow::torch_local {
namespace {

using testing::fixture_dir;
using testing::load_reference;
using testing::test_options;

struct Finished {
  std::map<int, GenerationResult> results;
};

GenerationRequest greedy_request(const std::vector<int64_t>& prompt, int64_t max_tokens, Finished& finished,
                                 int id) {
  GenerationRequest request;
  request.prompt_ids = prompt;
  request.max_tokens = max_tokens;
  request.on_finish = [&finished, id](GenerationResult result) { finished.results[id] = std::move(result); };
  return request;
}

void run_until_idle(Scheduler& scheduler) {
  for (int steps = 0; !scheduler.idle(); ++steps) {
    ASSERT_LT(steps, 10000) << "the scheduler does not finish";
    scheduler.step();
  }
}

class SchedulerReference : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    config_ = load_model_config(fixture_dir(GetParam()));
    model_ =
        std::make_unique<Transformer>(Transformer::load(fixture_dir(GetParam()), config_, test_options()));
    prompts_ = load_reference(GetParam());
  }
  ModelConfig config_;
  std::unique_ptr<Transformer> model_;
  std::vector<testing::ReferencePrompt> prompts_;
};

TEST_P(SchedulerReference, GreedyTokensMatchForEachPromptAlone) {
  for (const auto& prompt : prompts_) {
    Scheduler scheduler(*model_, {.max_sequences = 1, .max_sequence_length = 256});
    Finished finished;
    scheduler.add(greedy_request(prompt.ids, 32, finished, 0));
    run_until_idle(scheduler);
    EXPECT_EQ(finished.results.at(0).tokens, prompt.greedy) << "prompt of " << prompt.ids.size();
    EXPECT_EQ(finished.results.at(0).finish_reason, FinishReason::kLength);
    EXPECT_EQ(finished.results.at(0).prompt_tokens, static_cast<int64_t>(prompt.ids.size()));
  }
}

TEST_P(SchedulerReference, GreedyTokensMatchInAContinuousBatch) {
  // Three slots for four reference prompts and three sampling requests of other lengths: requests join
  // while others decode, and leave at different steps, so slots are reused and compacted.
  Scheduler scheduler(*model_, {.max_sequences = 3, .max_sequence_length = 256});
  Finished finished;
  scheduler.add(greedy_request(prompts_[2].ids, 32, finished, 2));
  scheduler.step();
  scheduler.step();
  for (int filler = 0; filler < 3; ++filler) {
    GenerationRequest request = greedy_request({11, 12, 13, 14, 15}, 3 + 7 * filler, finished, 10 + filler);
    request.sampling = {.temperature = 1.0, .top_p = 0.9, .seed = static_cast<uint64_t>(filler)};
    scheduler.add(std::move(request));
  }
  scheduler.add(greedy_request(prompts_[0].ids, 32, finished, 0));
  scheduler.step();
  scheduler.add(greedy_request(prompts_[3].ids, 32, finished, 3));
  scheduler.add(greedy_request(prompts_[1].ids, 32, finished, 1));
  run_until_idle(scheduler);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(finished.results.at(i).tokens, prompts_[static_cast<size_t>(i)].greedy) << "prompt " << i;
  }
  for (int filler = 0; filler < 3; ++filler) {
    EXPECT_EQ(finished.results.at(10 + filler).tokens.size(), static_cast<size_t>(3 + 7 * filler));
  }
}

TEST_P(SchedulerReference, GreedyTokensMatchWithChunkedPrefill) {
  Scheduler scheduler(*model_, {.max_sequences = 4, .max_sequence_length = 256, .prefill_chunk_tokens = 24});
  Finished finished;
  for (int i = 0; i < 4; ++i)
    scheduler.add(greedy_request(prompts_[static_cast<size_t>(i)].ids, 32, finished, i));
  run_until_idle(scheduler);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(finished.results.at(i).tokens, prompts_[static_cast<size_t>(i)].greedy) << "prompt " << i;
  }
}

TEST_P(SchedulerReference, StopsAtTheFirstStopTokenAndIncludesIt) {
  const auto& prompt = prompts_[1];
  const int64_t stop_token = prompt.greedy[5];
  const auto first =
      std::find(prompt.greedy.begin(), prompt.greedy.end(), stop_token) - prompt.greedy.begin();
  Scheduler scheduler(*model_, {.max_sequences = 2, .max_sequence_length = 256});
  Finished finished;
  GenerationRequest request = greedy_request(prompt.ids, 32, finished, 0);
  request.stop_token_ids = {stop_token};
  scheduler.add(std::move(request));
  run_until_idle(scheduler);
  const GenerationResult& result = finished.results.at(0);
  EXPECT_EQ(result.finish_reason, FinishReason::kStop);
  EXPECT_EQ(result.tokens, std::vector<int64_t>(prompt.greedy.begin(), prompt.greedy.begin() + first + 1));
}

TEST_P(SchedulerReference, StopCheckEndsGeneration) {
  Scheduler scheduler(*model_, {.max_sequences = 1, .max_sequence_length = 256});
  Finished finished;
  GenerationRequest request = greedy_request(prompts_[0].ids, 32, finished, 0);
  request.stop_check = [](std::span<const int64_t> generated) { return generated.size() == 4; };
  scheduler.add(std::move(request));
  run_until_idle(scheduler);
  EXPECT_EQ(finished.results.at(0).finish_reason, FinishReason::kStop);
  EXPECT_EQ(finished.results.at(0).tokens.size(), 4U);
}

TEST_P(SchedulerReference, SequenceLengthLimitEndsWithLength) {
  Scheduler scheduler(*model_, {.max_sequences = 1, .max_sequence_length = 10});
  Finished finished;
  scheduler.add(greedy_request(prompts_[1].ids, 32, finished, 0));  // 7 prompt tokens
  run_until_idle(scheduler);
  EXPECT_EQ(finished.results.at(0).finish_reason, FinishReason::kLength);
  EXPECT_EQ(finished.results.at(0).tokens,
            std::vector<int64_t>(prompts_[1].greedy.begin(), prompts_[1].greedy.begin() + 3));
}

TEST_P(SchedulerReference, SeededSamplingRepeatsAndDoesNotDependOnTheBatch) {
  auto sample = [&](uint64_t seed, bool crowded) {
    Scheduler scheduler(*model_, {.max_sequences = 4, .max_sequence_length = 256});
    Finished finished;
    if (crowded) {
      scheduler.add(greedy_request(prompts_[2].ids, 9, finished, 1));
      scheduler.step();
    }
    GenerationRequest request = greedy_request(prompts_[1].ids, 32, finished, 0);
    request.sampling = {.temperature = 0.8, .top_p = 0.95, .top_k = 50, .seed = seed};
    scheduler.add(std::move(request));
    if (crowded) scheduler.add(greedy_request(prompts_[3].ids, 5, finished, 2));
    run_until_idle(scheduler);
    return finished.results.at(0).tokens;
  };
  const auto first = sample(42, false);
  EXPECT_EQ(first.size(), 32U);
  EXPECT_EQ(sample(42, false), first);
  EXPECT_EQ(sample(42, true), first);
  EXPECT_NE(sample(43, false), first);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SchedulerReference, ::testing::Values("tiny_qwen2", "tiny_llama"));

TEST(Scheduler, RefusesPromptsThatCannotBeServed) {
  const ModelConfig config = load_model_config(fixture_dir("tiny_qwen2"));
  const Transformer model = Transformer::random(config, test_options(), 1);
  Scheduler scheduler(model, {.max_sequences = 1, .max_sequence_length = 8});
  Finished finished;
  EXPECT_THROW(scheduler.add(greedy_request({}, 4, finished, 0)), std::invalid_argument);
  EXPECT_THROW(scheduler.add(greedy_request(std::vector<int64_t>(8, 5), 4, finished, 0)),
               std::invalid_argument);
  EXPECT_THROW(scheduler.add(greedy_request({5, config.vocab_size}, 4, finished, 0)), std::invalid_argument);
  EXPECT_TRUE(scheduler.idle());
}

}  // namespace
}  // namespace evalflow::torch_local
