#include "replay_index.hpp"

#include <simdjson.h>
#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/plugin.hpp>

#include <charconv>

namespace evalflow::replay {

using data_io::RowError;

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string_view id_key(int64_t id, std::string& out) {
  char digits[24];
  const auto result = std::to_chars(std::begin(digits), std::end(digits), id);
  out.assign(digits, result.ptr);
  return out;
}

ReplayOptions ReplayOptions::from_options(const nlohmann::json& options) {
  ReplayOptions result;
  const auto& path = options.at("path");
  if (path.is_string()) {
    result.paths = {path.get<std::string>()};
  } else {
    result.paths = path.get<std::vector<std::string>>();
  }
  if (result.paths.empty()) throw sdk::invalid_argument("path: name at least one recording");
  const std::string match = options.value("match", "prompt");
  if (match == "prompt") {
    result.match = MatchBy::kPrompt;
  } else if (match == "field") {
    result.match = MatchBy::kField;
  } else if (match == "id") {
    result.match = MatchBy::kId;
  } else {
    throw sdk::invalid_argument("match: '" + match + "' is not one of prompt, field, id");
  }
  result.match_field = options.value("match_field", "");
  if (result.match == MatchBy::kField && result.match_field.empty()) {
    throw sdk::invalid_argument(
        "match: field needs match_field, the record field holding the question (e.g. problem)");
  }
  const char* default_record_field = result.match == MatchBy::kPrompt  ? "question"
                                     : result.match == MatchBy::kField ? result.match_field.c_str()
                                                                       : "id";
  result.record_field = options.value("record_field", std::string(default_record_field));
  result.output_field = options.value("output_field", result.output_field);
  result.prompt_prefix = options.value("prompt_prefix", "");
  result.prompt_suffix = options.value("prompt_suffix", "");
  result.finish_reason_field = options.value("finish_reason_field", "");
  result.completion_tokens_field = options.value("completion_tokens_field", "");
  result.prompt_tokens_field = options.value("prompt_tokens_field", "");
  return result;
}

// Collects the recording's lines into the index's arena, then lays the index out (finish).
class IndexBuilder : public data_io::RowVisitor {
 public:
  IndexBuilder(const ReplayOptions& options, ReplayIndex& index) : options_(options), index_(index) {}

  void begin_row(size_t /*line*/) override {
    keys_on_line_.clear();
    row_ = PendingOutput{};
  }

  void string_value(std::string_view key, std::string_view value) override {
    note(key);
    if (key == options_.record_field) {
      if (options_.match == MatchBy::kId) {
        int64_t id = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), id);
        if (error != std::errc() || end != value.data() + value.size()) {
          throw RowError(
              "record_field '" + options_.record_field + "' holds \"" + std::string(value.substr(0, 40)) +
              "\", not an integer: with match: id, set record_field to a key holding the row index "
              "(e.g. idx), or match by field or prompt");
        }
        row_.key = store(id_key(id, scratch_));
      } else {
        row_.key = store(trim(value));
      }
    }
    if (key == options_.output_field) row_.prediction = store(value);
    if (key == options_.finish_reason_field) row_.finish_reason = store(value);
    if (key == options_.completion_tokens_field || key == options_.prompt_tokens_field)
      wrong_type(key, "a string");
  }

  void int_value(std::string_view key, int64_t value) override {
    note(key);
    if (key == options_.record_field) row_.key = store(id_key(value, scratch_));
    if (key == options_.completion_tokens_field) row_.completion_tokens = value;
    if (key == options_.prompt_tokens_field) row_.prompt_tokens = value;
    check_not_text_field(key, "an integer");
  }
  void double_value(std::string_view key, double /*value*/) override {
    note(key);
    other_value(key, "a number");
  }
  void bool_value(std::string_view key, bool /*value*/) override {
    note(key);
    other_value(key, "a boolean");
  }
  void null_value(std::string_view key) override {
    note(key);
    other_value(key, "null");
  }

  void nested_value(std::string_view key, std::string_view json_text, ef_type type) override {
    note(key);
    const bool is_completion = key == options_.completion_tokens_field;
    if (type == EF_TYPE_LIST && (is_completion || key == options_.prompt_tokens_field)) {
      // A list of token ids: its length is the count.
      const auto count = static_cast<int64_t>(nlohmann::json::parse(json_text).size());
      (is_completion ? row_.completion_tokens : row_.prompt_tokens) = count;
      return;
    }
    other_value(key, type == EF_TYPE_LIST ? "a list" : "a map");
  }

  void end_row() override {
    if (!row_.key) throw missing("record_field", options_.record_field);
    if (!row_.prediction) throw missing("output_field", options_.output_field);
    if (!options_.completion_tokens_field.empty() && !row_.completion_tokens) {
      throw missing("completion_tokens_field", options_.completion_tokens_field);
    }
    if (!options_.prompt_tokens_field.empty() && !row_.prompt_tokens) {
      throw missing("prompt_tokens_field", options_.prompt_tokens_field);
    }
    rows_.push_back(row_);
  }

  // Builds the key table and groups each key's outputs in file order. The arena is complete, so views
  // into it stay valid from here on.
  void finish() {
    size_t capacity = 16;
    while (capacity < 2 * rows_.size()) capacity *= 2;
    index_.slots_.assign(capacity, {});
    std::vector<int32_t> key_of_row(rows_.size());
    for (size_t row = 0; row < rows_.size(); ++row) {
      const std::string_view key = view(*rows_[row].key);
      const uint64_t hash = std::hash<std::string_view>{}(key);
      ReplayIndex::Slot& slot = index_.slots_[index_.slot_of(key, hash)];
      if (slot.key < 0) {
        slot = {hash, static_cast<int32_t>(index_.keys_.size())};
        index_.keys_.push_back({key, 0, 0});
      }
      key_of_row[row] = slot.key;
      ++index_.keys_[slot.key].count;
    }
    uint32_t first = 0;
    for (ReplayIndex::Key& key : index_.keys_) {
      key.first = first;
      first += key.count;
      key.count = 0;
    }
    index_.outputs_.resize(rows_.size());
    for (size_t row = 0; row < rows_.size(); ++row) {
      ReplayIndex::Key& key = index_.keys_[key_of_row[row]];
      const PendingOutput& pending = rows_[row];
      RecordedOutput& output = index_.outputs_[key.first + key.count++];
      output.prediction = view(*pending.prediction);
      if (pending.finish_reason) output.finish_reason = view(*pending.finish_reason);
      output.completion_tokens = pending.completion_tokens;
      output.prompt_tokens = pending.prompt_tokens;
    }
  }

 private:
  struct TextRef {
    size_t offset = 0;
    size_t size = 0;
  };
  struct PendingOutput {
    std::optional<TextRef> key;
    std::optional<TextRef> prediction;
    std::optional<TextRef> finish_reason;
    std::optional<int64_t> completion_tokens;
    std::optional<int64_t> prompt_tokens;
  };

  TextRef store(std::string_view text) {
    const TextRef ref{index_.arena_.size(), text.size()};
    index_.arena_.insert(index_.arena_.end(), text.begin(), text.end());
    return ref;
  }
  [[nodiscard]] std::string_view view(TextRef ref) const {
    return {index_.arena_.data() + ref.offset, ref.size};
  }

  void note(std::string_view key) { keys_on_line_.emplace_back(key); }

  void other_value(std::string_view key, const char* kind) {
    if (key == options_.completion_tokens_field || key == options_.prompt_tokens_field) wrong_type(key, kind);
    check_not_text_field(key, kind);
  }

  void check_not_text_field(std::string_view key, const char* kind) {
    if (key == options_.output_field || key == options_.finish_reason_field) wrong_type(key, kind);
    if (key == options_.record_field && std::string_view(kind) != "an integer") wrong_type(key, kind);
  }

  [[noreturn]] static void wrong_type(std::string_view key, const char* kind) {
    throw RowError("'" + std::string(key) + "' holds " + kind +
                   ": keys, outputs and finish reasons are strings (ids may be integers), token counts are "
                   "integers or lists of token ids; fix the line or choose another key in the options");
  }

  [[nodiscard]] RowError missing(const char* option, const std::string& key) const {
    std::string present;
    for (const std::string& name : keys_on_line_) present += (present.empty() ? "" : ", ") + name;
    return RowError(std::string(option) + " '" + key + "' is not on this line (its keys: " + present +
                    "): set " + option + " to the key that holds it");
  }

  const ReplayOptions& options_;
  ReplayIndex& index_;
  std::vector<std::string> keys_on_line_;
  std::string scratch_;
  PendingOutput row_;
  std::vector<PendingOutput> rows_;
};

ReplayIndex ReplayIndex::load(const ReplayOptions& options, const std::vector<std::filesystem::path>& paths) {
  ReplayIndex index;
  IndexBuilder builder(options, index);
  for (const auto& path : paths) data_io::read_jsonl_file(path, "path", builder);
  builder.finish();
  return index;
}

ReplayIndex ReplayIndex::from_text(const ReplayOptions& options, std::string_view text,
                                   std::string_view source_name) {
  ReplayIndex index;
  IndexBuilder builder(options, index);
  data_io::read_jsonl_text(text, source_name, builder);
  builder.finish();
  return index;
}

size_t ReplayIndex::slot_of(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.key < 0 || (slot.hash == hash && keys_[slot.key].text == key)) return i;
  }
}

std::span<const RecordedOutput> ReplayIndex::find(std::string_view key) const {
  const Slot& slot = slots_[slot_of(key, std::hash<std::string_view>{}(key))];
  if (slot.key < 0) return {};
  const Key& found = keys_[slot.key];
  return {outputs_.data() + found.first, found.count};
}

std::optional<std::string_view> first_user_content(std::string& messages_json) {
  namespace ondemand = simdjson::ondemand;
  thread_local ondemand::parser parser;
  const size_t size = messages_json.size();
  messages_json.append(simdjson::SIMDJSON_PADDING, '\0');
  ondemand::document document;
  ondemand::array messages;
  if (parser.iterate(messages_json.data(), size, messages_json.size()).get(document) != simdjson::SUCCESS ||
      document.get_array().get(messages) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  for (auto message_result : messages) {
    ondemand::object message;
    if (message_result.get_object().get(message) != simdjson::SUCCESS) return std::nullopt;
    std::string_view role;
    std::optional<std::string_view> content;
    for (auto field_result : message) {
      ondemand::field field;
      std::string_view key;
      if (std::move(field_result).get(field) != simdjson::SUCCESS ||
          field.unescaped_key().get(key) != simdjson::SUCCESS) {
        return std::nullopt;
      }
      std::string_view text;
      if (field.value().get_string().get(text) != simdjson::SUCCESS) continue;  // not text: not ours
      if (key == "role") role = text;
      if (key == "content") content = text;
    }
    if (role == "user") return content;
  }
  return std::nullopt;
}

std::string_view prompt_key(std::string_view prompt, const ReplayOptions& options) {
  if (!options.prompt_prefix.empty() && prompt.starts_with(options.prompt_prefix)) {
    prompt.remove_prefix(options.prompt_prefix.size());
  }
  if (!options.prompt_suffix.empty() && prompt.ends_with(options.prompt_suffix)) {
    prompt.remove_suffix(options.prompt_suffix.size());
  }
  return trim(prompt);
}

}  // namespace evalflow::replay
