// `evalflow report RUN_DIR...`: report.html from run directories, the same file `evalflow run` writes at its
// end; with several runs, the first is compared with each of the others.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "pipeline_arguments.hpp"
#include "report/html_report.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

void add_report_command(CLI::App& app) {
  struct Arguments {
    std::vector<std::string> runs;
    std::string output;
    int64_t budget_mb = 128;
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* command = app.add_subcommand(
      "report", "Write report.html (one self-contained file) for a run, or compare runs in one report");
  command
      ->add_option("runs", arguments->runs, "Run directories (outputs/<run-id>); the first is the baseline")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option(
      "--output,-o", arguments->output,
      "The file to write (default: RUN_DIR/report.html for one run, report.html here for several)");
  command
      ->add_option(
          "--text-budget-mb", arguments->budget_mb,
          "Megabytes of prompt and output text to embed over all samples (default 128); longer texts "
          "keep their beginning and end")
      ->check(CLI::PositiveNumber);
  command->callback([arguments] {
    std::vector<fs::path> runs(arguments->runs.begin(), arguments->runs.end());
    const fs::path output = !arguments->output.empty() ? fs::path(arguments->output)
                            : runs.size() == 1         ? runs[0] / "report.html"
                                                       : fs::path("report.html");
    report::ReportOptions options;
    options.pages.text_budget_chars = arguments->budget_mb << 20;
    const auto started = std::chrono::steady_clock::now();
    const auto written = report::write_html_report(runs, output, options);
    if (!written) fail(written.error(), kExitUsage);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fmt::print("{}: {} samples, {:.1f} MB in {:.1f} s\n", output.string(), written->samples,
               static_cast<double>(written->bytes) / 1e6, seconds);
    if (written->shortened_texts > 0) {
      fmt::print(
          "{} text(s) longer than {} characters are shortened in the report (raise --text-budget-mb)\n",
          written->shortened_texts, written->text_limit);
    }
  });
}

}  // namespace evalflow::cli
