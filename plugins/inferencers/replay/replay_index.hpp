// The replay inferencer's core: recorded model outputs indexed by the question they answer, and the key
// under which a record looks its question up.
#ifndef EVALFLOW_REPLAY_REPLAY_INDEX_HPP
#define EVALFLOW_REPLAY_REPLAY_INDEX_HPP

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::replay {

enum class MatchBy {
  kPrompt,  // the first user message of `messages` (minus prompt_prefix / prompt_suffix)
  kField,   // a record field (match_field)
  kId,      // the record index (the dataset's `id`)
};

struct ReplayOptions {
  std::vector<std::string> paths;  // `path`: one recording or a list, read into one index
  MatchBy match = MatchBy::kPrompt;
  std::string match_field;   // record field, for MatchBy::kField
  std::string record_field;  // recorded key compared with the record's key
  std::string output_field = "response";
  std::string prompt_prefix;
  std::string prompt_suffix;
  std::string finish_reason_field;      // empty: every output finished with "stop"
  std::string completion_tokens_field;  // empty: not recorded; an int, or a list of token ids
  std::string prompt_tokens_field;      // the same for the prompt

  // Reads the node's options; record_field defaults to "question" (prompt), match_field (field) or "id".
  static ReplayOptions from_options(const nlohmann::json& options);
};

// One recorded output; its text lives in the ReplayIndex that holds it.
struct RecordedOutput {
  std::string_view prediction;
  std::string_view finish_reason = "stop";
  std::optional<int64_t> completion_tokens;
  std::optional<int64_t> prompt_tokens;
};

// Keys are compared without the white space around them, so that a trailing newline in a template or a
// recording does not break the match.
std::string_view trim(std::string_view text);

// Recorded outputs by key, laid out flat for lookups from many threads: all text in one arena, the
// outputs grouped by key in file order, and an open-addressing table of keys (no node per key).
class ReplayIndex {
 public:
  // Reads every line of the recording. A line without the key or the output (or with a key that is not
  // an integer when matching by id) fails with "file:line: ..." naming the keys the line does have.
  // Several files make one index, read in order (their outputs for one key are replicas in that order).
  static ReplayIndex load(const ReplayOptions& options, const std::vector<std::filesystem::path>& paths);
  // The same from JSONL text in memory; `source_name` stands for the file name in errors.
  static ReplayIndex from_text(const ReplayOptions& options, std::string_view text,
                               std::string_view source_name);

  // The views point into the arena, whose buffer a move keeps and a copy would not.
  ReplayIndex(ReplayIndex&&) = default;
  ReplayIndex& operator=(ReplayIndex&&) = default;
  ReplayIndex(const ReplayIndex&) = delete;
  ReplayIndex& operator=(const ReplayIndex&) = delete;

  // The outputs recorded for `key` (already trimmed), in file order: output i answers replica i. Empty
  // when the key was not recorded.
  [[nodiscard]] std::span<const RecordedOutput> find(std::string_view key) const;
  [[nodiscard]] size_t keys() const { return keys_.size(); }

 private:
  friend class IndexBuilder;
  ReplayIndex() = default;

  struct Key {
    std::string_view text;
    uint32_t first = 0;  // into outputs_
    uint32_t count = 0;
  };
  struct Slot {
    uint64_t hash = 0;
    int32_t key = -1;  // into keys_; -1: empty
  };
  // The slot holding `key`, or the empty slot where it would go.
  [[nodiscard]] size_t slot_of(std::string_view key, uint64_t hash) const;

  std::vector<char> arena_;
  std::vector<RecordedOutput> outputs_;
  std::vector<Key> keys_;
  std::vector<Slot> slots_;  // a power of two, at most half full
};

// Writes the key of an id into `out` (decimal), as ReplayIndex stores integer keys.
std::string_view id_key(int64_t id, std::string& out);

// The text of the first {"role": "user"} message in a JSON list of messages; nullopt if there is none or
// the text is not a list of messages. Appends simdjson's padding to `messages_json` (so the caller's buffer
// is parsed in place). The view is valid until the next call on this thread.
std::optional<std::string_view> first_user_content(std::string& messages_json);

// The prompt's key: without prompt_prefix / prompt_suffix (when present) and trimmed.
std::string_view prompt_key(std::string_view prompt, const ReplayOptions& options);

}  // namespace evalflow::replay

#endif  // EVALFLOW_REPLAY_REPLAY_INDEX_HPP
