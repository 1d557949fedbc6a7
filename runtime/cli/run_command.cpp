// `evalflow run`: AISBench's `ais_bench` command line on a oneTBB flow graph.
#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "commands.hpp"
#include "graph/pipeline_run.hpp"
#include "pipeline_arguments.hpp"
#include "report/results.hpp"

namespace evalflow::cli {

namespace {

struct RunArguments {
  PipelineArguments pipeline;
  std::string work_dir = "outputs";
  std::string resume;
  RunMode mode = RunMode::kAll;
  bool no_progress = false;
};

const std::map<std::string, RunMode> kModes = {
    {"all", RunMode::kAll}, {"infer", RunMode::kInfer}, {"eval", RunMode::kEval}, {"perf", RunMode::kPerf}};

const char* mode_label(RunMode mode) {
  switch (mode) {
    case RunMode::kPerf:
      return "perf";
    default:
      return "gen";
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "Run a benchmark pipeline");
  arguments->pipeline.add_to(*command);
  command->add_option("--work-dir,-w", arguments->work_dir, "Where runs are written (default: outputs)");
  command
      ->add_option("--resume", arguments->resume,
                   "Continue the run in this directory; finished samples are not sent again")
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--mode,-m", arguments->mode,
                   "all | infer (predictions only) | eval (score RUN_DIR) | perf")
      ->transform(CLI::CheckedTransformer(kModes, CLI::ignore_case));
  command->add_flag("--no-progress", arguments->no_progress, "Do not print progress on stderr");
  command->callback([arguments] {
    PipelineSources sources = arguments->pipeline.sources();
    // Perf mode adds the request statistics of HTTP inferencers (plugins/inferencers/openai_http).
    if (arguments->mode == RunMode::kPerf) sources.extra_metrics.emplace_back("perf_summary");
    auto loaded = load_pipeline(sources);
    if (!loaded) fail(loaded.error());
    RunOptions options;
    options.work_dir = arguments->work_dir;
    if (!arguments->resume.empty()) options.resume = arguments->resume;
    options.mode = arguments->mode;
    options.show_progress = !arguments->no_progress;
    auto report = run_pipeline((*loaded)->pipeline, options);
    if (!report) fail(report.error());
    int64_t failures = 0;
    for (const auto& lane : report->lanes) failures += lane.failed + lane.eval_failed;
    if (options.mode != RunMode::kInfer) {
      const SummaryTable table = summarize(*report, mode_label(options.mode));
      if (auto written = write_summary(report->run_dir / "summary", "summary", table); !written)
        fail(written.error());
      std::fputs(table.text().c_str(), stdout);
      // Perf mode's latency distributions (milliseconds), a table of their own.
      if (const SummaryTable latencies = latency_table(*report); !latencies.rows.empty()) {
        if (auto written = write_summary(report->run_dir / "summary", "latency", latencies); !written)
          fail(written.error());
        std::fputs(("\n" + latencies.text()).c_str(), stdout);
      }
    }
    fmt::print("\nrun directory: {}\n", report->run_dir.string());
    if (failures > 0) {
      fmt::print(stderr,
                 "evalflow: {} sample(s) failed and were not scored; see predictions/*_failed.jsonl and "
                 "logs/run.log; `evalflow run --resume {}` retries them\n",
                 failures, report->run_dir.string());
    }
    if (!report->abort_reason.empty()) fail("the run stopped: " + report->abort_reason, 2);
  });
}

}  // namespace evalflow::cli
