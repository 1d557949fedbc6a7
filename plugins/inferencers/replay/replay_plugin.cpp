// replay: an inferencer that answers from a recording of earlier model outputs (re-scoring stored
// outputs offline). Answers synchronously inside submit: a lookup needs no thread of its own.
#include <embedded/kReplayOptionsSchema.hpp>
#include <evalflow/data_io/data_file.hpp>
#include <evalflow/plugin.hpp>

#include <string>

#include "replay_index.hpp"

namespace {

namespace sdk = evalflow::sdk;
using evalflow::replay::MatchBy;
using evalflow::replay::ReplayIndex;
using evalflow::replay::ReplayOptions;

class ReplayNode {
 public:
  ReplayNode(const sdk::json& options, const sdk::NodeInfo& info)
      : options_(ReplayOptions::from_options(options)),
        paths_(resolve_paths(options_, info)),
        index_(ReplayIndex::load(options_, paths_)),
        recording_name_(describe_recording(paths_)) {}

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    const ReplayOptions replay = ReplayOptions::from_options(options);
    if (replay.match == MatchBy::kPrompt) reads.add("messages", EF_TYPE_LIST);
    if (replay.match == MatchBy::kField) reads.add(replay.match_field, EF_TYPE_ANY);
    if (!replay.completion_tokens_field.empty()) writes.add("completion_tokens", EF_TYPE_INT);
    if (!replay.prompt_tokens_field.empty()) writes.add("prompt_tokens", EF_TYPE_INT);
  }

  void submit(sdk::Ticket ticket) const {
    sdk::Record record = ticket.record();
    thread_local std::string buffer;
    const std::string_view key = key_of(record, buffer);
    const auto outputs = index_.find(key);
    if (outputs.empty()) {
      ticket.fail(EF_NOT_FOUND, "no recorded output for " + describe(key) + " in " + recording_name_ +
                                    ": check match, record_field and prompt_suffix, or record this question");
      return;
    }
    const auto replica = static_cast<size_t>(record.replica());
    if (replica >= outputs.size()) {
      ticket.fail(EF_NOT_FOUND, recording_name_ + " holds " + std::to_string(outputs.size()) +
                                    " output(s) for " + describe(key) + ", none for replica " +
                                    std::to_string(replica) + ": ask for at most that many samples");
      return;
    }
    const auto& output = outputs[replica];
    record.set("prediction", output.prediction);
    record.set("finish_reason", output.finish_reason);
    if (output.completion_tokens) record.set("completion_tokens", *output.completion_tokens);
    if (output.prompt_tokens) record.set("prompt_tokens", *output.prompt_tokens);
    ticket.succeed();
  }

 private:
  static std::vector<std::filesystem::path> resolve_paths(const ReplayOptions& options,
                                                          const sdk::NodeInfo& info) {
    std::vector<std::filesystem::path> paths;
    for (const std::string& path : options.paths) {
      paths.push_back(evalflow::data_io::resolve_data_path(path, info.pipeline_dir));
    }
    return paths;
  }

  static std::string describe_recording(const std::vector<std::filesystem::path>& paths) {
    std::string names;
    for (const auto& path : paths) names += (names.empty() ? "" : " + ") + path.string();
    return names;
  }

  // The record's lookup key; may point into `buffer`.
  std::string_view key_of(const sdk::Record& record, std::string& buffer) const {
    switch (options_.match) {
      case MatchBy::kId:
        return evalflow::replay::id_key(record.index(), buffer);
      case MatchBy::kField: {
        const char* field = options_.match_field.c_str();
        if (auto text = record.string(field)) return evalflow::replay::trim(*text);
        if (auto number = record.integer(field)) return evalflow::replay::id_key(*number, buffer);
        throw sdk::invalid_argument("match_field '" + options_.match_field +
                                    "' is missing or neither a string nor an integer");
      }
      case MatchBy::kPrompt:
        break;
    }
    buffer.clear();
    auto append = [](void* context, const char* data, size_t size) {
      static_cast<std::string*>(context)->append(data, size);
    };
    if (sdk::host().get_json(record.raw(), "messages", append, &buffer) == 0) {
      throw sdk::invalid_argument(
          "field 'messages' is missing: put a prompt_template before replay, or match by field");
    }
    const auto prompt = evalflow::replay::first_user_content(buffer);
    if (!prompt)
      throw sdk::invalid_argument("`messages` holds no user message with text content to match on");
    return evalflow::replay::prompt_key(*prompt, options_);
  }

  [[nodiscard]] std::string describe(std::string_view key) const {
    if (options_.match == MatchBy::kId) return "id " + std::string(key);
    constexpr size_t kShown = 60;
    return "\"" + std::string(key.substr(0, kShown)) + (key.size() > kShown ? "...\"" : "\"");
  }

  ReplayOptions options_;
  std::vector<std::filesystem::path> paths_;
  ReplayIndex index_;
  std::string recording_name_;
};

const ef_field kWrites[] = {{"prediction", EF_TYPE_STRING}, {"finish_reason", EF_TYPE_STRING}};

const ef_node_type kReplay = sdk::async_node_type<ReplayNode>({
    .name = "replay",
    .description =
        "Answers each record from a JSONL recording of model outputs, matched by prompt, field or id",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kReplayOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("replay", "1.0.0", "MIT", "Replays recorded model outputs (offline re-scoring)", &kReplay)
