// `evalflow generate`: the torch_local engine from the command line. JSONL rows {"prompt_ids": [...]},
// {"messages": [...]} or {"prompt": "..."} on stdin, each with an optional "max_tokens" of its own; one row
// {"ids", "text", "finish_reason", "prompt_tokens", "time_to_first_token_s"} per input row on stdout, in
// input order. All rows are submitted at once into one queue, which feeds one engine per device (--devices,
// or every visible GPU for --device cuda); each engine batches what it takes continuously. A summary
// (tokens, wall time, decode tokens/s, requests per engine, KV cache use, the work of the forward passes)
// goes to stderr with --stats, and the engines' state every few seconds with --progress. Only built where
// libtorch is (EVALFLOW_WITH_TORCH).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "local_model.hpp"

namespace evalflow::cli {
namespace {

using torch_local::GenerationResult;

// As the other commands' fail(), without their headers: this file is compiled with libtorch's include
// folders, which must stay away from the rest of the CLI (see
// plugins/inferencers/torch_local/CMakeLists.txt).
[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "evalflow: error: %s\n", message.c_str());
  throw CLI::RuntimeError(1);
}

// What the engines did, read between runs: requests each served, their CUDA graph reports combined and the
// work of their forward passes summed.
struct EngineCounters {
  std::vector<int64_t> served;
  torch_local::StepWork work;
  std::vector<double> capture_seconds;
  torch_local::Engine::GraphReport graphs;  // captures summed; failures named by device

  static EngineCounters of(torch_local::EnginePool& engines) {
    EngineCounters counters;
    for (size_t index = 0; index < engines.size(); ++index) {
      torch_local::Engine& engine = engines.engine(index);
      const auto report = engine.graph_report();
      counters.served.push_back(engine.served());
      counters.capture_seconds.push_back(report.capture_seconds);
      counters.graphs.captures += report.captures;
      const torch_local::StepWork work = engine.work();
      counters.work.decode_steps += work.decode_steps;
      counters.work.decode_context_positions += work.decode_context_positions;
      counters.work.prefill_tokens += work.prefill_tokens;
      if (!report.failure.empty()) {
        counters.graphs.failure +=
            (counters.graphs.failure.empty() ? "" : "; ") + engine.device().str() + ": " + report.failure;
      }
    }
    return counters;
  }

  // What happened after `earlier`. The engines capture graphs at the same time, so the wall time that
  // captures cost is the slowest engine's.
  [[nodiscard]] EngineCounters since(const EngineCounters& earlier) const {
    EngineCounters difference = *this;
    difference.graphs.captures -= earlier.graphs.captures;
    difference.work.decode_steps -= earlier.work.decode_steps;
    difference.work.decode_context_positions -= earlier.work.decode_context_positions;
    difference.work.prefill_tokens -= earlier.work.prefill_tokens;
    for (size_t index = 0; index < served.size(); ++index) {
      difference.served[index] -= earlier.served[index];
      difference.capture_seconds[index] -= earlier.capture_seconds[index];
      difference.graphs.capture_seconds =
          std::max(difference.graphs.capture_seconds, difference.capture_seconds[index]);
    }
    return difference;
  }
};

// Per engine: the KV cache's positions, the most it held at once, and preemptions for lack of memory.
nlohmann::json kv_cache_stats(torch_local::EnginePool& engines) {
  nlohmann::json stats = nlohmann::json::array();
  for (size_t index = 0; index < engines.size(); ++index) {
    const torch_local::KvCacheReport report = engines.engine(index).kv_report();
    stats.push_back({{"positions", report.blocks * report.block_size},
                     {"peak_positions_used", report.peak_used_blocks * report.block_size},
                     {"preemptions", report.preemptions}});
  }
  return stats;
}

struct GenerateOptions {
  std::string model_dir;
  std::string tokenizer_dir;
  std::string device = "cpu";
  std::vector<std::string> devices;
  std::string dtype = "auto";
  bool greedy = false;
  double temperature = 0.0;
  double top_p = 1.0;
  int64_t top_k = 0;
  std::optional<uint64_t> seed;
  int64_t max_tokens = 256;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  bool random_weights = false;
  int64_t max_batch = 8;
  int64_t max_sequence_length = 0;
  int64_t kv_cache_tokens = 0;
  double gpu_memory_utilization = 0.9;
  bool stats = false;
  bool no_cuda_graphs = false;
  bool warmup = false;
  double progress_interval_s = 0;  // 0 = no progress lines
};

// With --progress: every interval, one JSON line {"progress": {...}} on stderr with the engines' live state
// (a benchmark's tokens/s and KV pool use over time), and one more when the rows are done.
class ProgressLines {
 public:
  ProgressLines(const torch_local::LocalModel& model, double interval_s)
      : model_(model), interval_(interval_s), started_(std::chrono::steady_clock::now()) {
    if (interval_s > 0) thread_ = std::thread([this] { loop(); });
  }
  ProgressLines(const ProgressLines&) = delete;
  ProgressLines& operator=(const ProgressLines&) = delete;
  ~ProgressLines() { stop(); }

  // Prints the last line and ends the thread.
  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    print();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) print();
  }

  void print() const {
    const torch_local::Engine::LiveStats live = model_.live();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const nlohmann::json line{{"progress",
                               {{"t_s", elapsed},
                                {"generated_tokens", live.generated_tokens},
                                {"running", live.running},
                                {"waiting", live.waiting},
                                {"preemptions", live.preemptions},
                                {"kv_used_positions", live.kv_used_positions},
                                {"kv_positions", live.kv_positions},
                                {"decode_steps", live.work.decode_steps}}}};
    std::fprintf(stderr, "%s\n", line.dump().c_str());
  }

  const torch_local::LocalModel& model_;
  const std::chrono::duration<double> interval_;
  const std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

std::vector<int64_t> prompt_of(const nlohmann::json& row, const torch_local::LocalModel& model) {
  if (row.contains("prompt_ids")) return row.at("prompt_ids").get<std::vector<int64_t>>();
  if (row.contains("messages")) return model.encode_messages(row.at("messages"));
  if (row.contains("prompt")) return model.encode_text(row.at("prompt").get<std::string>());
  throw std::invalid_argument("the row has none of prompt_ids, messages, prompt");
}

// A row's own "max_tokens" (a benchmark's per-request output lengths); --max-tokens is the default and the
// most a row may ask for, since the sequences' memory is sized from it.
int64_t max_tokens_of(const nlohmann::json& row, int64_t limit) {
  if (!row.contains("max_tokens")) return limit;
  const auto& value = row.at("max_tokens");
  if (!value.is_number_integer() || value.get<int64_t>() < 1)
    throw std::invalid_argument("max_tokens must be a positive integer, not " + value.dump());
  const auto max_tokens = value.get<int64_t>();
  if (max_tokens > limit) {
    throw std::invalid_argument("max_tokens " + std::to_string(max_tokens) + " is above --max-tokens " +
                                std::to_string(limit) + " (raise --max-tokens)");
  }
  return max_tokens;
}

void run_generate(const GenerateOptions& options) {
  torch_local::LocalModelOptions model_options;
  model_options.path = options.model_dir;
  model_options.tokenizer_path = options.tokenizer_dir.empty() ? options.model_dir : options.tokenizer_dir;
  model_options.device = options.device;
  model_options.devices = options.devices;
  model_options.dtype = options.dtype;
  model_options.random_weights = options.random_weights;
  model_options.scheduler.max_sequences = options.max_batch;
  model_options.scheduler.cuda_graphs = !options.no_cuda_graphs;
  model_options.scheduler.kv_cache_tokens = options.kv_cache_tokens;
  model_options.scheduler.gpu_memory_utilization = options.gpu_memory_utilization;
  model_options.scheduler.max_sequence_length =
      options.max_sequence_length > 0 ? options.max_sequence_length : options.max_tokens + 4096;
  auto& generation = model_options.generation;
  generation.temperature = options.greedy ? 0.0 : options.temperature;
  generation.top_p = options.top_p;
  generation.top_k = options.top_k;
  generation.seed = options.seed;
  generation.max_tokens = options.max_tokens;
  generation.stop = options.stop;
  generation.ignore_eos = options.ignore_eos;

  std::unique_ptr<torch_local::LocalModel> model;
  try {
    model = std::make_unique<torch_local::LocalModel>(model_options);
  } catch (const std::exception& error) {
    fail(std::string("cannot load the model: ") + error.what());
  }
  std::cerr << "evalflow generate: " << model->engines_summary() << "\n";
  torch_local::EnginePool& engines = model->engines();

  if (options.warmup) {
    // Library and kernel initialisation (cuBLAS, attention kernels) on every device stays out of the timed
    // rows.
    auto request = model->make_request({1, 2, 3, 4, 5, 6, 7, 8}, generation, 0);
    request.max_tokens = 2;
    engines.warm_up(request);
  }
  const EngineCounters untimed = EngineCounters::of(engines);
  ProgressLines progress(*model, options.progress_interval_s);
  std::mutex mutex;
  std::map<size_t, GenerationResult> results;
  size_t submitted = 0;
  const auto started = std::chrono::steady_clock::now();
  std::string line;
  for (size_t line_number = 1; std::getline(std::cin, line); ++line_number) {
    if (line.empty()) continue;
    const auto row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object())
      fail("stdin line " + std::to_string(line_number) + ": not a JSON object");
    std::vector<int64_t> prompt;
    int64_t max_tokens = 0;
    try {
      prompt = prompt_of(row, *model);
      max_tokens = max_tokens_of(row, options.max_tokens);
    } catch (const std::exception& error) {
      fail("stdin line " + std::to_string(line_number) + ": " + error.what());
    }
    auto request = model->make_request(std::move(prompt), generation, submitted);
    request.max_tokens = max_tokens;
    request.on_finish = [&mutex, &results, index = submitted](GenerationResult result) {
      std::lock_guard lock(mutex);
      results.emplace(index, std::move(result));
    };
    engines.submit(std::move(request));
    ++submitted;
  }
  engines.drain();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Read after the engines' last step has published its stats (of() waits for a step in progress).
  const EngineCounters timed = EngineCounters::of(engines).since(untimed);
  progress.stop();

  int64_t completion_tokens = 0;
  int64_t prompt_tokens = 0;
  double first_token_s = 0;
  int exit_code = 0;
  for (auto& [index, result] : results) {
    if (result.finish_reason == torch_local::FinishReason::kError) {
      std::cerr << "evalflow generate: row " << index + 1 << ": " << result.error << "\n";
      exit_code = 1;
      continue;
    }
    nlohmann::json out{{"ids", result.tokens},
                       {"finish_reason", torch_local::finish_reason_name(result.finish_reason)},
                       {"prompt_tokens", result.prompt_tokens},
                       {"time_to_first_token_s", result.time_to_first_token_s}};
    out["text"] = model->has_tokenizer() ? nlohmann::json(model->completion_text(result.tokens, generation))
                                         : nlohmann::json(nullptr);
    const std::string text = out.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    completion_tokens += static_cast<int64_t>(result.tokens.size());
    prompt_tokens += result.prompt_tokens;
    first_token_s = std::max(first_token_s, result.queued_s + result.time_to_first_token_s);
  }
  const auto& graphs = timed.graphs;
  if (!graphs.failure.empty()) {
    std::cerr << "evalflow generate: CUDA graphs were turned off after a failed capture: " << graphs.failure
              << "\n";
  }
  if (options.stats) {
    // Decode throughput counts the tokens after each request's first, over the time after the last first
    // token.
    const auto requests = static_cast<int64_t>(results.size());
    const double decode_s = wall_s - first_token_s;
    const double steady_s = decode_s - graphs.capture_seconds;
    const nlohmann::json stats{
        {"requests", requests},
        {"prompt_tokens", prompt_tokens},
        {"completion_tokens", completion_tokens},
        {"wall_s", wall_s},
        {"max_time_to_first_token_s", first_token_s},
        {"decode_tokens_per_s",
         decode_s > 0 ? static_cast<double>(completion_tokens - requests) / decode_s : 0.0},
        // One-time CUDA graph captures happen inside the decode time; steady state leaves them out.
        {"graph_captures", graphs.captures},
        {"graph_capture_s", graphs.capture_seconds},
        {"steady_decode_tokens_per_s",
         steady_s > 0 ? static_cast<double>(completion_tokens - requests) / steady_s : 0.0},
        {"engines", engines.size()},
        {"devices", model->devices()},
        {"requests_per_engine", timed.served},
        {"kv_cache", kv_cache_stats(engines)},
        // What the forward passes had to do (all engines): the bandwidth limit of the run follows from it.
        {"decode_steps", timed.work.decode_steps},
        {"decode_context_positions", timed.work.decode_context_positions},
        {"prefill_tokens", timed.work.prefill_tokens}};
    std::cerr << stats.dump() << "\n";
  }
  if (exit_code != 0) std::exit(exit_code);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  CLI::App* command = app.add_subcommand(
      "generate",
      "Generate with a local model (torch_local): JSONL {\"prompt_ids\"|\"messages\"|\"prompt\"} rows on "
      "stdin, {\"ids\", \"text\", \"finish_reason\"} rows on stdout");
  command
      ->add_option("--model", options->model_dir, "Model folder: config.json, *.safetensors, tokenizer files")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--tokenizer", options->tokenizer_dir,
                      "Folder with tokenizer.json when not in --model");
  auto* device =
      command
          ->add_option("--device", options->device, "cpu, cuda:N, or cuda: one engine on every visible GPU")
          ->capture_default_str();
  command
      ->add_option("--devices", options->devices,
                   "One engine per device, all fed from one queue (comma-separated: cuda:0,cuda:1)")
      ->delimiter(',')
      ->excludes(device);
  command
      ->add_option("--dtype", options->dtype,
                   "auto (bf16 on CUDA, fp32 on the CPU), float32, bfloat16, float16")
      ->capture_default_str();
  auto* greedy =
      command->add_flag("--greedy", options->greedy, "Greedy decoding (the default when no temperature)");
  command->add_option("--temperature", options->temperature, "Sampling temperature; 0 = greedy")
      ->excludes(greedy)
      ->check(CLI::NonNegativeNumber);
  command->add_option("--top-p", options->top_p, "Nucleus probability mass")
      ->excludes(greedy)
      ->check(CLI::Range(0.0, 1.0));
  command->add_option("--top-k", options->top_k, "Keep the k most likely tokens; 0 = all")->excludes(greedy);
  command->add_option("--seed", options->seed, "Base seed; row i samples with a seed derived from it and i")
      ->excludes(greedy);
  command
      ->add_option("--max-tokens", options->max_tokens,
                   "New tokens at most, per row (a row's own max_tokens may ask for fewer)")
      ->required()
      ->check(CLI::PositiveNumber);
  command->add_option("--stop", options->stop, "Stop strings (repeatable)");
  command->add_flag("--ignore-eos", options->ignore_eos,
                    "Generate max-tokens tokens whatever the model says");
  command->add_flag("--random-weights", options->random_weights,
                    "Random weights from config.json alone (benchmarks without a download)");
  command->add_option("--max-batch", options->max_batch, "Sequences decoded together")->capture_default_str();
  command->add_option("--max-sequence-length", options->max_sequence_length,
                      "Tokens per sequence, prompt included (default max-tokens + 4096)");
  command->add_option("--kv-cache-tokens", options->kv_cache_tokens,
                      "Positions the KV cache holds over all sequences (default: what "
                      "--gpu-memory-utilization leaves on CUDA, max-batch x max-sequence-length on the CPU)");
  command
      ->add_option("--gpu-memory-utilization", options->gpu_memory_utilization,
                   "Share of the GPU's memory the engine may fill, weights and KV cache included")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  command->add_flag("--warmup", options->warmup, "Run one short untimed request first (benchmarks)");
  command->add_flag("--no-cuda-graphs", options->no_cuda_graphs, "Decode eagerly, without CUDA graphs");
  command
      ->add_option("--progress", options->progress_interval_s,
                   "Every this many seconds, a JSON line {\"progress\": {...}} on stderr: tokens generated, "
                   "sequences running, waiting and preempted, KV cache positions in use")
      ->check(CLI::PositiveNumber);
  command->add_flag("--stats", options->stats,
                    "Print a JSON summary (tokens, wall time, decode tokens/s) to stderr");
  command->callback([options] { run_generate(*options); });
}

}  // namespace evalflow::cli
