// Encoding and loading speed on real text: every MATH-500 problem and solution and every AIME 2024
// question (the texts of the reference file), encoded one row at a time as an inferencer would.
#include <benchmark/benchmark.h>

#include <evalflow/text/tokenizer.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using evalflow::text::Tokenizer;

const std::string kData = std::string(EVALFLOW_SOURCE_DIR) + "/tests/data/tokenizers/";

std::vector<std::string> reference_texts() {
  std::vector<std::string> texts;
  std::ifstream in(kData + "reference/tok_qwen3.jsonl");
  for (std::string line; std::getline(in, line);) texts.push_back(nlohmann::json::parse(line).at("text"));
  return texts;
}

void encode_corpus(benchmark::State& state, const std::string& name, bool warm_cache) {
  const std::vector<std::string> texts = reference_texts();
  std::size_t bytes = 0;
  for (const auto& text : texts) bytes += text.size();
  std::optional<Tokenizer> tokenizer = Tokenizer::from_file(kData + name + "/tokenizer.json");
  std::size_t tokens = 0;
  for (auto _ : state) {
    if (!warm_cache) {
      state.PauseTiming();
      tokenizer = Tokenizer::from_file(kData + name + "/tokenizer.json");
      state.ResumeTiming();
    }
    tokens = 0;
    for (const auto& text : texts) tokens += tokenizer->encode(text).size();
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens * state.iterations()), benchmark::Counter::kIsRate);
}

void BM_EncodeQwen3(benchmark::State& state) {
  encode_corpus(state, "qwen3", true);
}
void BM_EncodeQwen3ColdCache(benchmark::State& state) {
  encode_corpus(state, "qwen3", false);
}
void BM_EncodeDeepSeekV3(benchmark::State& state) {
  encode_corpus(state, "deepseek_v3", true);
}

void BM_DecodeQwen3(benchmark::State& state) {
  const Tokenizer tokenizer = Tokenizer::from_file(kData + "qwen3/tokenizer.json");
  std::vector<std::vector<evalflow::text::TokenId>> encoded;
  std::size_t tokens = 0;
  for (const auto& text : reference_texts()) {
    encoded.push_back(tokenizer.encode(text));
    tokens += encoded.back().size();
  }
  for (auto _ : state) {
    for (const auto& ids : encoded) benchmark::DoNotOptimize(tokenizer.decode(ids));
  }
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens * state.iterations()), benchmark::Counter::kIsRate);
}

void BM_LoadQwen3(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Tokenizer::from_file(kData + "qwen3/tokenizer.json"));
}
void BM_LoadDeepSeekV3(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Tokenizer::from_file(kData + "deepseek_v3/tokenizer.json"));
}

BENCHMARK(BM_EncodeQwen3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EncodeQwen3ColdCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EncodeDeepSeekV3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeQwen3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadQwen3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadDeepSeekV3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
