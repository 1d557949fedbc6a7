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
  // Three batch places for four reference prompts and three sampling requests of other lengths: requests
  // join while others decode and leave at different steps, so cache blocks are freed and reused.
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

// A cache of 320 positions for sequences of 33 to 232 tokens (400 in all): the running batch outgrows the
// cache, the newest sequences are preempted and recomputed later. Tokens are those of an unconstrained run:
// greedy ones equal transformers', seeded sampling ones equal the run without preemption.
TEST_P(SchedulerReference, PreemptionForLackOfMemoryChangesNoToken) {
  auto generate = [&](int64_t cache_tokens, KvCacheReport& report) {
    Scheduler scheduler(*model_, {.max_sequences = 5,
                                  .max_sequence_length = 256,
                                  .kv_block_size = 8,
                                  .kv_cache_tokens = cache_tokens});
    Finished finished;
    for (size_t i = 0; i < prompts_.size(); ++i) {
      scheduler.add(greedy_request(prompts_[i].ids, 32, finished, static_cast<int>(i)));
    }
    GenerationRequest sampled = greedy_request(prompts_[2].ids, 24, finished, 10);
    sampled.sampling = {.temperature = 0.8, .top_p = 0.95, .seed = 5};
    scheduler.add(std::move(sampled));
    run_until_idle(scheduler);
    report = scheduler.kv_report();
    return finished;
  };
  KvCacheReport roomy;
  KvCacheReport tight;
  const Finished unconstrained = generate(0, roomy);
  const Finished constrained = generate(320, tight);
  EXPECT_EQ(roomy.preemptions, 0);
  EXPECT_GT(tight.preemptions, 0);
  EXPECT_LE(tight.peak_used_blocks, tight.blocks);
  EXPECT_EQ(tight.blocks, 40);
  for (size_t i = 0; i < prompts_.size(); ++i) {
    EXPECT_EQ(constrained.results.at(static_cast<int>(i)).tokens, prompts_[i].greedy) << "prompt " << i;
  }
  EXPECT_EQ(constrained.results.at(10).tokens, unconstrained.results.at(10).tokens);
  EXPECT_EQ(constrained.results.at(10).tokens.size(), 24U);
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

TEST(Scheduler, RefusesASequenceThatCannotFitTheWholeCache) {
  const ModelConfig config = load_model_config(fixture_dir("tiny_qwen2"));
  const Transformer model = Transformer::random(config, test_options(), 1);
  Scheduler scheduler(
      model, {.max_sequences = 2, .max_sequence_length = 512, .kv_block_size = 16, .kv_cache_tokens = 64});
  Finished finished;
  try {
    scheduler.add(greedy_request(std::vector<int64_t>(10, 5), 100, finished, 0));
    FAIL() << "a 110-token sequence was accepted by a 64-position cache";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("does not fit the KV cache of 64 positions"), std::string::npos)
        << error.what();
  }
  scheduler.add(greedy_request(std::vector<int64_t>(10, 5), 54, finished, 1));  // 64 tokens: fits
  run_until_idle(scheduler);
  EXPECT_EQ(finished.results.at(1).tokens.size(), 54U);
  EXPECT_EQ(scheduler.kv_report().peak_used_blocks, 4);
}

// The counters a benchmark derives the bandwidth limit from, for two requests decoded together, and the
// blocks in use while they run and after.
TEST(Scheduler, CountsDecodeStepsContextsAndPrefillTokens) {
  const ModelConfig config = load_model_config(fixture_dir("tiny_qwen2"));
  const Transformer model = Transformer::random(config, test_options(), 1);
  Scheduler scheduler(model, {.max_sequences = 2, .max_sequence_length = 64, .kv_block_size = 8});
  Finished finished;
  scheduler.add(greedy_request(std::vector<int64_t>(7, 5), 5, finished, 0));  // decodes at contexts 8-11
  scheduler.add(greedy_request(std::vector<int64_t>(3, 6), 4, finished, 1));  // decodes at contexts 4-6
  scheduler.step();  // both prefilled (10 tokens), then decoded once at contexts 8 and 4: a block each
  EXPECT_EQ(scheduler.used_blocks(), 2);
  scheduler.step();  // the first one's 9th position takes a second block
  EXPECT_EQ(scheduler.used_blocks(), 3);
  run_until_idle(scheduler);
  const StepWork& work = scheduler.work();
  EXPECT_EQ(work.decode_steps, 4);
  EXPECT_EQ(work.decode_context_positions, (8 + 9 + 10 + 11) + (4 + 5 + 6));
  EXPECT_EQ(work.prefill_tokens, 10);
  EXPECT_EQ(scheduler.used_blocks(), 0);
  EXPECT_EQ(finished.results.at(0).tokens.size(), 5U);
  EXPECT_EQ(finished.results.at(1).tokens.size(), 4U);
}

TEST(KvCache, HandsOutBlocksOnceAndNeverTheScratchBlock) {
  const ModelConfig config = load_model_config(fixture_dir("tiny_qwen2"));
  KvCache cache(config, 4, 8, test_options());
  BlockTable first;
  BlockTable second;
  EXPECT_TRUE(cache.reserve(first, 17));  // 3 blocks
  EXPECT_EQ(first.size(), 3U);
  EXPECT_FALSE(cache.reserve(second, 9));  // 2 blocks wanted, 1 free: nothing taken
  EXPECT_TRUE(second.empty());
  EXPECT_TRUE(cache.reserve(second, 8));
  std::vector<int32_t> all(first.begin(), first.end());
  all.push_back(second.front());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int32_t>{1, 2, 3, 4}));
  cache.release(first);
  EXPECT_TRUE(first.empty());
  EXPECT_EQ(cache.free_blocks(), 3);
}

}  // namespace
}  // namespace evalflow::torch_local
