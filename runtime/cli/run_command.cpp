// `evalflow run`: AISBench's `ais_bench` command line on a oneTBB flow graph.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>

#include <evalflow/url_credentials.hpp>
#include "commands.hpp"
#include "exit_codes.hpp"
#include "graph/pipeline_run.hpp"
#include "launch/launch_record.hpp"
#include "launch/shard.hpp"
#include "launch_command.hpp"
#include "pipeline_arguments.hpp"
#include "run_outcome.hpp"
#include "store/run_config.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

struct RunArguments {
  PipelineArguments pipeline;
  std::string work_dir = "outputs";
  std::string resume;
  RunMode mode = RunMode::kAll;
  bool no_progress = false;
  bool check_expected = false;
  bool no_report = false;
  int64_t grace_seconds = 30;
  LaunchArguments launch;
};

const std::map<std::string, RunMode> kModes = {
    {"all", RunMode::kAll}, {"infer", RunMode::kInfer}, {"eval", RunMode::kEval}, {"perf", RunMode::kPerf}};

// The command line as configs/run.json stores it: what a resume or a reader needs to know how the run began.
nlohmann::json command_line(const RunArguments& arguments) {
  const PipelineArguments& pipeline = arguments.pipeline;
  nlohmann::json line = {{"evalflow", "0.1.0"},
                         {"started", fmt::format("{:%Y-%m-%dT%H:%M:%S}", fmt::localtime(std::time(nullptr)))},
                         {"mode", arguments.mode == RunMode::kPerf    ? "perf"
                                  : arguments.mode == RunMode::kInfer ? "infer"
                                  : arguments.mode == RunMode::kEval  ? "eval"
                                                                      : "all"},
                         {"resume", !arguments.resume.empty()},
                         {"overrides", nlohmann::json::array()}};
  for (const auto& override_text : pipeline.overrides)
    line["overrides"].push_back(strip_url_credentials(override_text));
  auto absolute = [](const fs::path& path) { return fs::absolute(path).lexically_normal().string(); };
  const PipelineSources sources = pipeline.sources();  // fragment names resolved to their files
  if (sources.pipeline) line["pipeline"] = absolute(*sources.pipeline);
  for (const auto& model : sources.models) line["models"].push_back(absolute(model));
  for (const auto& dataset : sources.datasets) line["datasets"].push_back(absolute(dataset));
  if (pipeline.num_prompts >= 0) line["num_prompts"] = pipeline.num_prompts;
  if (pipeline.samples > 0) line["samples"] = pipeline.samples;
  return line;
}

// `--resume RUN_DIR` alone continues from the run's stored pipeline; flags given with it apply on top.
PipelineSources sources_of(const RunArguments& arguments) {
  PipelineSources sources = arguments.pipeline.sources();
  const bool names_pipeline = sources.pipeline || !sources.models.empty() || !sources.datasets.empty();
  if (!arguments.resume.empty() && !names_pipeline) {
    const fs::path stored = fs::path(arguments.resume) / "configs" / "pipeline.yaml";
    if (!fs::exists(stored)) {
      fail(fmt::format("--resume {}: {} is missing; pass the pipeline as when the run started",
                       arguments.resume, stored.string()),
           kExitUsage);
    }
    sources.pipeline = stored;
  }
  // Perf mode adds the request statistics of HTTP inferencers (plugins/inferencers/openai_http).
  if (arguments.mode == RunMode::kPerf) sources.extra_metrics.emplace_back("perf_summary");
  return sources;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "Run a benchmark pipeline");
  arguments->pipeline.add_to(*command);
  command->add_option("--work-dir,-w", arguments->work_dir, "Where runs are written (default: outputs)");
  command
      ->add_option(
          "--resume", arguments->resume,
          "Continue the run in this directory (alone: with its stored pipeline and settings); finished "
          "samples are not sent again")
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--mode,-m", arguments->mode,
                   "all | infer (predictions only) | eval (score RUN_DIR) | perf")
      ->transform(CLI::CheckedTransformer(kModes, CLI::ignore_case).description(""))
      ->option_text("MODE");
  command->add_flag("--no-progress", arguments->no_progress, "Do not print progress on stderr");
  command->add_flag("--no-report", arguments->no_report, "Do not write report.html at the end");
  command->add_flag("--check-expected", arguments->check_expected,
                    "Exit with 4 when a dataset's expected figure is outside its range (like a test)");
  command
      ->add_option("--grace-period", arguments->grace_seconds,
                   "Seconds that samples at the model may take to finish after Ctrl-C (default 30)")
      ->check(CLI::NonNegativeNumber);
  arguments->launch.add_to(*command);
  command->callback([arguments] {
    auto loaded = load_pipeline(sources_of(*arguments));
    if (!loaded) fail(loaded.error(), kExitUsage);
    if (!arguments->resume.empty()) {
      if (const auto redacted = redacted_options((*loaded)->pipeline); !redacted.empty()) {
        std::string names;
        for (const auto& name : redacted) names += (names.empty() ? "" : ", ") + name;
        fail(fmt::format("--resume {}: {} was given inline and is not stored; pass it again with -s, or keep "
                         "secrets in an environment variable (api_key_env)",
                         arguments->resume, names),
             kExitUsage);
      }
    }
    RunOptions options;
    options.work_dir = arguments->work_dir;
    if (!arguments->resume.empty()) options.resume = arguments->resume;
    options.mode = arguments->mode;
    options.show_progress = !arguments->no_progress;
    options.grace_period = std::chrono::seconds(arguments->grace_seconds);
    options.command_line = command_line(*arguments);
    if (arguments->launch.requested() || (options.resume && is_launched_run(*options.resume))) {
      const int code = launch_run(arguments->launch, (*loaded)->pipeline, options);
      if (code != kExitOk) throw CLI::RuntimeError(code);
      return;
    }
    // A shard's directory runs only its shard (configs/shard.json, written by the launcher).
    if (options.resume) {
      auto shard = read_shard(*options.resume);
      if (!shard) fail(shard.error(), kExitUsage);
      options.shard = *shard;
    }
    auto run = open_run((*loaded)->pipeline, options);
    if (!run) fail(run.error(), kExitUsage);
    auto report = run_pipeline((*loaded)->pipeline, options, std::move(*run));
    if (!report) fail(report.error(), kExitIncomplete);
    if (options.mode != RunMode::kInfer) write_tables(*report, options.mode);
    // Samples still at the model (an abandoned run) may yet append rows: no report of a moving target.
    if (!arguments->no_report && !report->abandoned) write_report_html(report->run_dir);
    fmt::print("\nrun directory: {}\n", report->run_dir.string());
    const int code = report_outcome(*report, arguments->check_expected);
    if (report->abandoned) {
      // Samples were still at the model; its threads must not be unwound.
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(code);
    }
    if (code != kExitOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace evalflow::cli
