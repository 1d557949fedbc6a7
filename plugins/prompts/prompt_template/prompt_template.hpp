// AISBench's prompt templates: chat messages with roles whose content holds `{field}` placeholders.
// Parsed once at create into literal runs (already JSON-escaped) and field slots, so that rendering a
// record is appends into one reused buffer.
#ifndef EVALFLOW_PROMPT_TEMPLATE_PROMPT_TEMPLATE_HPP
#define EVALFLOW_PROMPT_TEMPLATE_PROMPT_TEMPLATE_HPP

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::prompt_template {

// "system", "user", "assistant"; AISBench's SYSTEM, HUMAN and BOT map to them. nullopt when unknown.
std::optional<std::string_view> chat_role(std::string_view name);

class PromptTemplate {
 public:
  // Options: `messages` (a list of {role, content}; AISBench's `prompt` is accepted for `content`) or
  // `template` (one user turn), and optionally `fields`: the only names substituted. Without `fields`,
  // every `{identifier}` names a field. Any other brace is literal text (`\boxed{}` stays).
  // Throws sdk::Error(EF_INVALID_ARGUMENT) naming the message and what to do.
  static PromptTemplate from_options(const nlohmann::json& options);

  // The fields the placeholders name, each once, in order of first use; then those of `{examples: FIELD}`
  // entries (a list of messages, few_shot's `turns`, placed among the turns).
  [[nodiscard]] const std::vector<std::string>& fields() const { return fields_; }
  [[nodiscard]] bool is_turns(size_t field) const { return turns_[field]; }

  // Appends the messages as a JSON list of {"role", "content"}; values[i] is the text of fields()[i], for a
  // turns field its turns_text().
  void render(std::span<const std::string_view> values, std::string& out) const;

  // A list field of messages as the JSON text render() splices in: every item {role, content} with a known
  // role and a string content, at least one. Throws sdk::Error(EF_INVALID_ARGUMENT) naming the field.
  static std::string turns_text(const nlohmann::json& turns, const std::string& field);

 private:
  struct Piece {
    std::string escaped_literal;  // JSON-escaped text that precedes the field
    int field = -1;               // index into fields_, or -1 after the last placeholder
  };

  void add_message(std::string_view role, std::string_view content,
                   const std::optional<std::vector<std::string>>& allowed_fields);
  void add_turns(const std::string& field);
  int field_slot(std::string_view name, bool turns);

  std::vector<std::string> fields_;
  std::vector<bool> turns_;
  // All messages as one sequence: a message's opening ({"role": ..., "content": ") and closing text are
  // folded into the literals, so rendering never looks at message boundaries.
  std::vector<Piece> pieces_;
};

}  // namespace evalflow::prompt_template

#endif  // EVALFLOW_PROMPT_TEMPLATE_PROMPT_TEMPLATE_HPP
