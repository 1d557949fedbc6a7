// Runs a program (sbatch, scontrol) without a shell and collects what it printed: arguments reach it as they
// are, so a run directory or a --slurm-args value with spaces or quotes needs no escaping.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace evalflow {

struct ProcessOutput {
  int exit_code = 0;  // 128 + N when killed by signal N
  std::string out;
  std::string err;
};

// The error says the program could not be started (not found on PATH); a non-zero exit is not an error.
Result<ProcessOutput> run_process(const std::vector<std::string>& argv);

}  // namespace evalflow
