// Cost of one replay lookup: by prompt (parse `messages`, strip the suffix, hash lookup) and by id, over a
// recording of 100,000 synthetic outputs.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "replay_index.hpp"

namespace {

using evalflow::replay::ReplayIndex;
using evalflow::replay::ReplayOptions;

constexpr int kRows = 100'000;
constexpr const char* kSuffix = "\nPlease reason step by step, and put your final answer within \\boxed{}.";

std::string question(int row) {
  return "Problem " + std::to_string(row) +
         ": find every real $x$ such that $f(f(x)) = x$ for $f(x) = x^2 - 3$.";
}

ReplayIndex synthetic_recording(const ReplayOptions& options) {
  std::string text;
  for (int row = 0; row < kRows; ++row) {
    text += R"({"idx": )" + std::to_string(row) + R"(, "question": ")" + question(row) +
            R"(", "response": "We solve it. The answer is \\boxed{)" + std::to_string(row % 97) + "}.\"}\n";
  }
  return ReplayIndex::from_text(options, text, "synthetic.jsonl");
}

void BM_LookupByPrompt(benchmark::State& state) {
  const auto options = ReplayOptions::from_options({{"path", "x"}, {"prompt_suffix", kSuffix}});
  static const ReplayIndex index = synthetic_recording(options);
  std::vector<std::string> messages;
  for (int row = 0; row < 1000; ++row) {
    messages.push_back(
        nlohmann::json::array({{{"role", "user"}, {"content", question(row * 97) + kSuffix}}}).dump());
  }
  std::string buffer;
  size_t next = 0;
  for (auto _ : state) {
    buffer = messages[next++ % messages.size()];  // the copy stands for the host's get_json
    const auto prompt = evalflow::replay::first_user_content(buffer);
    const auto outputs = index.find(evalflow::replay::prompt_key(*prompt, options));
    if (outputs.empty()) state.SkipWithError("a prompt was not found");
    benchmark::DoNotOptimize(outputs.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupByPrompt);

void BM_LookupById(benchmark::State& state) {
  static const ReplayIndex index = synthetic_recording(
      ReplayOptions::from_options({{"path", "x"}, {"match", "id"}, {"record_field", "idx"}}));
  std::string buffer;
  int64_t id = 0;
  for (auto _ : state) {
    const auto outputs = index.find(evalflow::replay::id_key(++id % kRows, buffer));
    if (outputs.empty()) state.SkipWithError("an id was not found");
    benchmark::DoNotOptimize(outputs.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupById);

}  // namespace
