// Cost of rendering one record's messages with AISBench's MATH prompt (the per-record work of the node,
// without the host's set_json).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "prompt_template.hpp"

namespace {

void BM_RenderAisBenchMathPrompt(benchmark::State& state) {
  const auto prompt = evalflow::prompt_template::PromptTemplate::from_options(
      {{"template", "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}."}});
  const std::string problem =
      "Let $f(x) = \\frac{x^2 + 1}{x - 3}$. Find every real $x$ such that $f(f(x)) = x$, and give the sum "
      "\"in full\".\nEnter your answer as a common fraction.";
  const std::vector<std::string_view> values = {problem};
  std::string out;
  for (auto _ : state) {
    out.clear();
    prompt.render(values, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderAisBenchMathPrompt);

}  // namespace
