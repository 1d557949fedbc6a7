// evalflow: evaluates language models on benchmarks described as YAML pipelines.
#include <evalflow/plugin.h>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

int main(int argc, char** argv) {
  CLI::App app("evalflow: LLM benchmarks as YAML pipelines of plugins on a oneTBB flow graph", "evalflow");
  app.require_subcommand(1);
  app.set_version_flag("--version", "evalflow 0.1.0 (plugin ABI " + std::to_string(EF_ABI_MAJOR) + "." +
                                        std::to_string(EF_ABI_MINOR) + ")");
  evalflow::cli::add_run_command(app);
  evalflow::cli::add_validate_command(app);
  evalflow::cli::add_plugins_command(app);
  evalflow::cli::add_score_command(app);
  evalflow::cli::add_tokenize_command(app);
  evalflow::cli::add_chat_template_command(app);
  evalflow::cli::add_data_command(app);
  evalflow::cli::add_report_command(app);
  evalflow::cli::add_compare_command(app);
  evalflow::cli::add_merge_command(app);
  evalflow::cli::add_status_command(app);
#if EVALFLOW_WITH_TORCH_LOCAL
  evalflow::cli::add_generate_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Help and version exit 0; a command's own failure carries its code (exit_codes.hpp); any other
    // command-line mistake is a usage error, exit 2, whatever CLI11's internal code for it.
    const int code = app.exit(error);
    const bool usage_error = code != 0 && error.get_name() != "RuntimeError";
    return usage_error ? evalflow::cli::kExitUsage : code;
  }
  return 0;
}
