// Per-sample cost of the AIME pipeline's scoring on real model outputs: math_boxed's extraction, then
// math_string_v2's comparison with the gold answer.
#include <benchmark/benchmark.h>

#include <evalflow/real_outputs/real_outputs.hpp>

#include <cstdint>
#include "is_equiv.hpp"
#include "math_postprocess.hpp"

namespace evalflow::math_string {
namespace {

using real_outputs::RealOutput;

const std::vector<RealOutput>& outputs() {
  static const std::vector<RealOutput> loaded =
      real_outputs::load_real_outputs(std::filesystem::path(EVALFLOW_SOURCE_DIR) / "tests/data/predictions");
  return loaded;
}

// One iteration scores every output of the files whose name contains `filter` ("" = all files).
void run(benchmark::State& state, std::string_view filter, bool extract, bool compare) {
  std::vector<const RealOutput*> selected;
  std::vector<std::string> extracted;
  for (const RealOutput& output : outputs()) {
    if (output.file.find(filter) == std::string::npos) continue;
    selected.push_back(&output);
    extracted.push_back(math_boxed::math_postprocess_v2(output.text));
  }
  for (auto _ : state) {
    for (size_t i = 0; i < selected.size(); ++i) {
      if (extract) benchmark::DoNotOptimize(math_boxed::math_postprocess_v2(selected[i]->text));
      if (compare) benchmark::DoNotOptimize(is_equiv(extracted[i], selected[i]->gold_answer, Version::v2));
    }
  }
  const auto samples = static_cast<double>(state.iterations() * selected.size());
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  // Seconds per sample, printed with an SI prefix (e.g. 2.7u = 2.7 microseconds).
  state.counters["time_per_sample"] =
      benchmark::Counter(samples, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_MathBoxedPlusMathStringV2_AllOutputs(benchmark::State& state) {
  run(state, "", true, true);
}
void BM_MathBoxedOnly_AllOutputs(benchmark::State& state) {
  run(state, "", true, false);
}
void BM_MathStringV2Only_AllOutputs(benchmark::State& state) {
  run(state, "", false, true);
}
void BM_MathBoxedPlusMathStringV2_Qwen3ThinkingTraces(benchmark::State& state) {
  run(state, "qwen3-32b_aime2024", true, true);
}
void BM_MathBoxedPlusMathStringV2_Llama31Math500(benchmark::State& state) {
  run(state, "llama31-8b-instruct_math500", true, true);
}

BENCHMARK(BM_MathBoxedPlusMathStringV2_AllOutputs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MathBoxedOnly_AllOutputs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MathStringV2Only_AllOutputs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MathBoxedPlusMathStringV2_Qwen3ThinkingTraces)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MathBoxedPlusMathStringV2_Llama31Math500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace evalflow::math_string

BENCHMARK_MAIN();
