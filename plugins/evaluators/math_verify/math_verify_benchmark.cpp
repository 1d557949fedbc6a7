// Grading speed on the real model outputs (tests/data/predictions with their references), one core.
#include <benchmark/benchmark.h>

#include "math_verify.hpp"
#include "testing/aisbench_references.hpp"

namespace evalflow::math_verify {
namespace {

void grade_rows(benchmark::State& state, const std::string& benchmark_name) {
  std::vector<testing::ReferencedOutput> rows;
  for (auto& row : testing::load_referenced_outputs(EVALFLOW_SOURCE_DIR)) {
    if (benchmark_name.empty() || row.output.benchmark == benchmark_name) rows.push_back(std::move(row));
  }
  const Verifier verifier(Mode::kAisbench);
  size_t next = 0;
  for (auto _ : state) {
    const auto& row = rows[next];
    benchmark::DoNotOptimize(verifier.grade(row.output.text, row.reference));
    next = (next + 1) % rows.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_GradeMath500(benchmark::State& state) {
  grade_rows(state, "math500");
}
void BM_GradeAime2024(benchmark::State& state) {
  grade_rows(state, "aime2024");
}
void BM_GradeAllRealOutputs(benchmark::State& state) {
  grade_rows(state, "");
}

BENCHMARK(BM_GradeMath500)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GradeAime2024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GradeAllRealOutputs)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace evalflow::math_verify

BENCHMARK_MAIN();
