#include "launch/slurm.hpp"

#include <fmt/format.h>

#include <set>

#include "launch/process.hpp"

namespace evalflow {

namespace {

// scontrol -o prints one job per line as KEY=VALUE pairs separated by spaces.
std::map<std::string, std::string> fields_of(const std::string& line) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start < line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string::npos) end = line.size();
    const std::string item = line.substr(start, end - start);
    if (const size_t equals = item.find('='); equals != std::string::npos) {
      fields[item.substr(0, equals)] = item.substr(equals + 1);
    }
    start = end + 1;
  }
  return fields;
}

// "0-3,7%2" (the still-pending part of an array, with its throttle) -> 0 1 2 3 7.
std::vector<int> array_indices(const std::string& text) {
  std::vector<int> indices;
  const std::string list = text.substr(0, text.find('%'));
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string range = list.substr(start, end - start);
    const size_t dash = range.find('-');
    const int first = std::stoi(range.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
    for (int index = first; index <= last; ++index) indices.push_back(index);
    start = end + 1;
  }
  return indices;
}

std::string output_of(const ProcessOutput& output) {
  return output.err.empty() ? output.out : output.err;
}

}  // namespace

Result<std::vector<std::string>> split_slurm_arguments(const std::string& text) {
  std::vector<std::string> arguments;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        current += text[++i];
      } else {
        current += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      current += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) arguments.push_back(std::exchange(current, {}));
      in_word = false;
    } else {
      current += c;
      in_word = true;
    }
  }
  if (quote != 0) return Error{fmt::format("--slurm-args \"{}\": unterminated {} quote", text, quote)};
  if (in_word) arguments.push_back(current);
  return arguments;
}

Result<std::string> sbatch(const std::vector<std::string>& options, const std::string& script) {
  std::vector<std::string> argv{"sbatch", "--parsable"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(script);
  auto done = run_process(argv);
  if (!done) return Error{done.error() + " (is Slurm installed and sbatch on PATH?)"};
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  const std::string id = done->out.substr(0, done->out.find_first_of(";\n"));
  if (done->exit_code != 0 || id.empty()) {
    return Error{fmt::format("sbatch {} failed (exit {}): {}", script, done->exit_code, output_of(*done))};
  }
  return id;
}

Result<JobStates> job_states(const std::vector<std::string>& job_ids) {
  JobStates states;
  for (const std::string& id : std::set<std::string>(job_ids.begin(), job_ids.end())) {
    auto done = run_process({"scontrol", "--oneliner", "show", "job", id});
    if (!done) return Error{done.error() + " (is Slurm installed and scontrol on PATH?)"};
    if (done->exit_code != 0) {
      // Purged from slurmctld's memory (MinJobAge) or never known: the run directory tells the rest.
      if (output_of(*done).find("Invalid job id") != std::string::npos) continue;
      return Error{
          fmt::format("scontrol show job {} failed (exit {}): {}", id, done->exit_code, output_of(*done))};
    }
    if (auto tasks = parse_scontrol_jobs(done->out); !tasks.empty()) states[id] = std::move(tasks);
  }
  return states;
}

std::map<int, SlurmTaskState> parse_scontrol_jobs(const std::string& text) {
  std::map<int, SlurmTaskState> tasks;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto fields = fields_of(text.substr(start, end - start));
    start = end + 1;
    if (!fields.contains("JobState")) continue;
    SlurmTaskState task{fields["JobId"], fields["JobState"], fields["Reason"], fields["ExitCode"]};
    if (!fields.contains("ArrayTaskId")) {
      tasks[-1] = task;
      continue;
    }
    for (const int index : array_indices(fields["ArrayTaskId"])) {
      task.job = fmt::format("{}_{}", fields["ArrayJobId"], index);
      tasks[index] = task;
    }
  }
  return tasks;
}

bool is_active(const std::string& state) {
  static const std::set<std::string> kActive = {"PENDING",   "RUNNING",     "CONFIGURING",  "COMPLETING",
                                                "REQUEUED",  "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING",
                                                "SUSPENDED", "STAGE_OUT",   "SIGNALING",    "RESV_DEL_HOLD"};
  return kActive.contains(state);
}

}  // namespace evalflow
