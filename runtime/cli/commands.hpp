// The evalflow subcommands. Each lives in its own file and adds itself to the application here;
// main.cpp calls every add_*_command in the order `evalflow --help` lists them.
#pragma once

#include <CLI/CLI.hpp>

namespace evalflow::cli {

void add_run_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_plugins_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_chat_template_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_compare_command(CLI::App& app);
// Runs launched as shards (--launcher slurm): merge them, show their state.
void add_merge_command(CLI::App& app);
void add_status_command(CLI::App& app);
// Only in builds with libtorch (EVALFLOW_WITH_TORCH_LOCAL, set by plugins/inferencers/torch_local).
void add_generate_command(CLI::App& app);

}  // namespace evalflow::cli
