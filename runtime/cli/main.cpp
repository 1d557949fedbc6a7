// evalflow: evaluates language models on benchmarks described as YAML pipelines.
#include <evalflow/plugin.h>

#include <CLI/CLI.hpp>

#include "commands.hpp"

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
  evalflow::cli::add_merge_command(app);
  evalflow::cli::add_status_command(app);
#if EVALFLOW_WITH_TORCH_LOCAL
  evalflow::cli::add_generate_command(app);
#endif
  CLI11_PARSE(app, argc, argv);
  return 0;
}
