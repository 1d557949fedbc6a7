// Throughput of the runtime itself: 100,000 synthetic records through
// jsonl_loader -> prompt_template -> replay -> exact_match -> sink (predictions on disk, accuracy).
// Run: build/tests/pipeline_bench (EVALFLOW_PLUGIN_PATH is set by the build tree layout).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/pipeline_spec.hpp"
#include "graph/pipeline_run.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;

fs::path prepare(int64_t records) {
  const fs::path dir = fs::temp_directory_path() / ("evalflow_bench_" + std::to_string(records));
  fs::create_directories(dir);
  std::ofstream questions(dir / "questions.jsonl");
  std::ofstream recorded(dir / "recorded.jsonl");
  for (int64_t i = 0; i < records; ++i) {
    const std::string question = "What is " + std::to_string(i) + " plus " + std::to_string(i % 97) + "?";
    const std::string answer = std::to_string(i + i % 97);
    questions << nlohmann::json{{"question", question}, {"answer", answer}}.dump() << "\n";
    recorded << nlohmann::json{{"question", question}, {"response", i % 10 == 0 ? "wrong" : answer}}.dump()
             << "\n";
  }
  std::ofstream(dir / "pipeline.yaml") << R"(model:
  abbr: replay
  type: replay
  options: {path: recorded.jsonl, match: field, match_field: question}
limits: {records_in_flight: 4096}
datasets:
  - abbr: synthetic
    nodes:
      - {name: load, type: jsonl_loader, options: {path: questions.jsonl, input_columns: [question], output_column: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}\nAnswer with a number."}}
      - {use: model}
      - {name: judge, type: exact_match}
)";
  return dir;
}

void BM_PipelineRecordsPerSecond(benchmark::State& state) {
  const int64_t records = state.range(0);
  const fs::path dir = prepare(records);
  PipelineSources sources;
  sources.pipeline = dir / "pipeline.yaml";
  auto spec = build_spec(*compose_document(sources));
  PluginRegistry registry(plugin_search_path(*spec));
  auto pipeline = validate_pipeline(std::move(*spec), registry);
  if (!pipeline) {
    state.SkipWithError(pipeline.error().c_str());
    return;
  }
  RunOptions options;
  options.work_dir = dir / "outputs";
  options.show_progress = false;
  for (auto _ : state) {
    auto report = run_pipeline(*pipeline, options);
    if (!report || report->lanes[0].total != records) {
      state.SkipWithError(report ? "not every record reached the sink" : report.error().c_str());
      return;
    }
    state.PauseTiming();
    fs::remove_all(dir / "outputs");
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * records);
  state.counters["records_per_second"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PipelineRecordsPerSecond)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
}  // namespace evalflow

BENCHMARK_MAIN();
