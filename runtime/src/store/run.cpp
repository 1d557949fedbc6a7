#include "store/run.hpp"

#include <fmt/format.h>

#include "store/run_config.hpp"

namespace fs = std::filesystem;

namespace evalflow {

Result<std::unique_ptr<Run>> Run::open(const ValidatedPipeline& pipeline, const RunStart& start) {
  if (start.eval_only && !start.resume) {
    return Error{"--mode eval needs --resume RUN_DIR (the run whose predictions to score)"};
  }
  auto directory = start.resume ? RunDirectory::open(*start.resume) : RunDirectory::create(start.work_dir);
  if (!directory) return Error{directory.error()};
  auto lock = RunLock::acquire(directory->root());
  if (!lock) return Error{lock.error()};
  std::unique_ptr<Run> run(
      new Run(std::move(*directory), std::move(*lock), start.resume.has_value(), start.eval_only));
  if (run->resuming_ && !run->eval_only_) {
    auto stored = read_protocol(run->directory_);
    if (!stored) return Error{stored.error()};
    const auto differences = protocol_differences(*stored, protocol_of(pipeline));
    if (!differences.empty()) {
      std::string message = fmt::format(
          "--resume {}: this pipeline measures something else than the run being resumed, so their samples "
          "cannot be mixed:",
          run->directory_.root().string());
      for (const auto& difference : differences) message += "\n  " + difference;
      message +=
          "\nResume with the stored settings (`evalflow run --resume RUN_DIR` alone reads them from "
          "configs/pipeline.yaml; connection settings such as host, port and the key variable may change), "
          "or "
          "start a new run.";
      return Error{message};
    }
  }
  if (run->eval_only_) return run;
  if (auto written = write_run_config(run->directory_, pipeline, start.command_line); !written) {
    return Error{written.error()};
  }
  return run;
}

void Run::discard_if_empty() const {
  if (resuming_) return;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(directory_.root() / "predictions", error)) {
    if (entry.is_regular_file(error) && entry.file_size(error) > 0) return;
  }
  fs::remove_all(directory_.root(), error);
}

}  // namespace evalflow
