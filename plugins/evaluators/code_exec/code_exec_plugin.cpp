// The code_exec node type: an async evaluator. submit() only reads the record and queues it; the grading
// (a sandboxed Python run) happens on the node's own bounded pool, so the graph's threads keep feeding
// the model while programs run.
#include <embedded/kCodeExecOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "executor_pool.hpp"
#include "grader.hpp"
#include "problem_store.hpp"

namespace evalflow::code_exec {
namespace {

using sdk::json;

constexpr uint64_t kMiB = 1ULL << 20;

GradeOptions grade_options_from(const json& options) {
  GradeOptions grade;
  grade.python = options.value("python", "/usr/bin/python3");
  grade.test_timeout_s = options.value("test_timeout_s", 6.0);
  if (options.contains("global_timeout_s"))
    grade.global_timeout_s = options["global_timeout_s"].get<double>();
  grade.limits.memory_bytes = options.value("memory_mb", 4096ULL) * kMiB;
  grade.limits.processes = options.value("processes", 64ULL);
  grade.limits.output_bytes = options.value("output_mb", 64ULL) * kMiB;
  grade.limits.file_bytes = options.value("file_mb", 64ULL) * kMiB;
  return grade;
}

sandbox::Config sandbox_config_from(const json& options, const sdk::NodeInfo& info) {
  sandbox::Config config;
  config.bwrap = options.value("bwrap", config.bwrap);
  if (options.value("unsafe_no_namespaces", false)) {
    config.isolation = sandbox::Isolation::unsafe_none;
    info.log(EF_LOG_WARNING,
             "unsafe_no_namespaces: model-written programs run WITHOUT namespaces (rlimits only); they can "
             "read the host's files and reach its network");
  }
  if (const std::string why = sandbox::unavailable_reason(config); !why.empty()) {
    throw sdk::Error(EF_UNAVAILABLE, "node '" + info.node_name + "': the sandbox cannot run here: " + why +
                                         " (option unsafe_no_namespaces: true runs without isolation)");
  }
  return config;
}

class CodeExec {
 public:
  CodeExec(const json& options, const sdk::NodeInfo& info)
      : humaneval_(options.at("benchmark") == "humaneval"),
        code_field_(options.value("code_field", "extracted_code")),
        id_field_(options.value("id_field", "question_id")),
        prepend_prompt_(options.value("prepend_prompt", true)),
        grade_(grade_options_from(options)),
        sandbox_(sandbox_config_from(options, info)) {
    if (!humaneval_) {
      if (!options.contains("tests_path")) {
        throw sdk::invalid_argument("node '" + info.node_name +
                                    "': benchmark livecodebench needs `tests_path`");
      }
      std::filesystem::path path = options["tests_path"].get<std::string>();
      if (path.is_relative()) path = std::filesystem::path(info.pipeline_dir) / path;
      problems_ = std::make_unique<ProblemStore>(path, id_field_);
    }
    const int64_t workers = options.value("workers", 0);
    pool_ = std::make_unique<ExecutorPool>(workers > 0 ? static_cast<size_t>(workers)
                                                       : std::max(1U, std::thread::hardware_concurrency()));
  }

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    reads.add(options.value("code_field", "extracted_code"), EF_TYPE_STRING);
    if (options.value("benchmark", "") == "humaneval") {
      for (const char* field : {"prompt", "test", "entry_point"}) reads.add(field, EF_TYPE_STRING);
    } else {
      reads.add(options.value("id_field", "question_id"), EF_TYPE_ANY);
    }
  }

  void submit(sdk::Ticket ticket) {
    const sdk::Record record = ticket.record();
    std::string code(record.require_string(code_field_.c_str()));
    std::shared_ptr<const Problem> problem;
    if (humaneval_) {
      code = humaneval_program(record, code);
    } else {
      const auto id = record.value(id_field_.c_str());
      if (!id) throw sdk::invalid_argument("field '" + id_field_ + "' is missing");
      try {
        problem = problems_->find(problem_key(*id));
      } catch (const std::out_of_range& error) {
        throw sdk::Error(EF_NOT_FOUND, error.what());
      }
    }
    pool_->post([this, ticket, code = std::move(code), problem](unsigned slot) mutable {
      grade_and_complete(ticket, code, problem.get(), slot);
    });
  }

  void flush() { pool_->wait_idle(); }

  [[nodiscard]] json stats() const {
    return {
        {"running", pool_->running()}, {"queued", pool_->queued()}, {"executions_total", executions_.load()}};
  }

 private:
  [[nodiscard]] std::string humaneval_program(const sdk::Record& record, const std::string& code) const {
    std::string program = prepend_prompt_ ? std::string(record.require_string("prompt")) : "";
    program += code;
    program += "\n";
    program += record.require_string("test");
    program += "\ncheck(";
    program += record.require_string("entry_point");
    program += ")\n";
    return program;
  }

  void grade_and_complete(sdk::Ticket& ticket, const std::string& code, const Problem* problem,
                          unsigned slot) {
    try {
      sandbox::Config config = sandbox_;
      config.slot = slot;
      const Verdict verdict = problem != nullptr ? grade_livecodebench(code, *problem, grade_, config)
                                                 : grade_humaneval(code, grade_, config);
      ++executions_;
      sdk::Record record = ticket.record();
      record.set("correct", verdict.passed());
      record.set("verdict", verdict.verdict);
      record.set_value("test_results", verdict.test_results);
      record.set("tests_passed", verdict.tests_passed);
      record.set("tests_total", verdict.tests_total);
      record.set("exec_error", verdict.error);
      record.set("exec_seconds", verdict.seconds);
      ticket.succeed();
    } catch (const std::exception& error) {
      ticket.fail(EF_INTERNAL, std::string("code_exec: ") + error.what());
    }
  }

  bool humaneval_;
  std::string code_field_;
  std::string id_field_;
  bool prepend_prompt_;
  GradeOptions grade_;
  sandbox::Config sandbox_;
  std::unique_ptr<ProblemStore> problems_;
  std::atomic<int64_t> executions_{0};
  std::unique_ptr<ExecutorPool> pool_;  // last: its threads stop before the members they use go
};

const ef_field kWrites[] = {{"correct", EF_TYPE_BOOL},       {"verdict", EF_TYPE_STRING},
                            {"test_results", EF_TYPE_LIST},  {"tests_passed", EF_TYPE_INT},
                            {"tests_total", EF_TYPE_INT},    {"exec_error", EF_TYPE_STRING},
                            {"exec_seconds", EF_TYPE_DOUBLE}};

const ef_node_type kCodeExec = sdk::async_node_type<CodeExec>({
    .name = "code_exec",
    .description =
        "Runs model-written Python against LiveCodeBench or HumanEval tests in a bubblewrap sandbox",
    .writes = kWrites,
    .options_schema = kCodeExecOptionsSchema,
});

}  // namespace
}  // namespace evalflow::code_exec

EVALFLOW_PLUGIN("code_exec", "1.0.0", "MIT", "Sandboxed execution of model-written programs",
                &evalflow::code_exec::kCodeExec)
