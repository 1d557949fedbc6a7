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
  result.path = options.at("path").get<std::string>();
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

// Collects one RecordedOutput per line of the recording.
class IndexBuilder : public data_io::RowVisitor {
 public:
  IndexBuilder(const ReplayOptions& options, ReplayIndex& index) : options_(options), index_(index) {}

  void begin_row(size_t /*line*/) override {
    keys_on_line_.clear();
    key_.reset();
    has_output_ = false;
    has_completion_tokens_ = has_prompt_tokens_ = false;
    output_ = RecordedOutput{};
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
        key_ = std::string(id_key(id, scratch_));
      } else {
        key_ = std::string(trim(value));
      }
    }
    if (key == options_.output_field) {
      output_.prediction.assign(value);
      has_output_ = true;
    }
    if (key == options_.finish_reason_field) output_.finish_reason.assign(value);
    if (key == options_.completion_tokens_field || key == options_.prompt_tokens_field)
      wrong_type(key, "a string");
  }

  void int_value(std::string_view key, int64_t value) override {
    note(key);
    if (key == options_.record_field) key_ = std::string(id_key(value, scratch_));
    if (key == options_.completion_tokens_field)
      set_tokens(output_.completion_tokens, has_completion_tokens_, value);
    if (key == options_.prompt_tokens_field) set_tokens(output_.prompt_tokens, has_prompt_tokens_, value);
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
      if (is_completion) set_tokens(output_.completion_tokens, has_completion_tokens_, count);
      if (key == options_.prompt_tokens_field) set_tokens(output_.prompt_tokens, has_prompt_tokens_, count);
      return;
    }
    other_value(key, type == EF_TYPE_LIST ? "a list" : "a map");
  }

  void end_row() override {
    if (!key_) throw missing("record_field", options_.record_field);
    if (!has_output_) throw missing("output_field", options_.output_field);
    if (!options_.completion_tokens_field.empty() && !has_completion_tokens_) {
      throw missing("completion_tokens_field", options_.completion_tokens_field);
    }
    if (!options_.prompt_tokens_field.empty() && !has_prompt_tokens_) {
      throw missing("prompt_tokens_field", options_.prompt_tokens_field);
    }
    index_.outputs_[*key_].push_back(std::move(output_));
  }

 private:
  void note(std::string_view key) { keys_on_line_.emplace_back(key); }

  static void set_tokens(std::optional<int64_t>& slot, bool& seen, int64_t value) {
    slot = value;
    seen = true;
  }

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
  std::optional<std::string> key_;
  std::string scratch_;
  RecordedOutput output_;
  bool has_output_ = false;
  bool has_completion_tokens_ = false;
  bool has_prompt_tokens_ = false;
};

ReplayIndex ReplayIndex::load(const ReplayOptions& options, const std::filesystem::path& path) {
  ReplayIndex index;
  IndexBuilder builder(options, index);
  data_io::read_jsonl_file(path, "path", builder);
  return index;
}

ReplayIndex ReplayIndex::from_text(const ReplayOptions& options, std::string_view text,
                                   std::string_view source_name) {
  ReplayIndex index;
  IndexBuilder builder(options, index);
  data_io::read_jsonl_text(text, source_name, builder);
  return index;
}

const std::vector<RecordedOutput>* ReplayIndex::find(std::string_view key) const {
  const auto it = outputs_.find(key);
  return it == outputs_.end() ? nullptr : &it->second;
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
