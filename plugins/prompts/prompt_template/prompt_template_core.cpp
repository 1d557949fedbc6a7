#include <evalflow/data_io/json_text.hpp>
#include <evalflow/plugin.hpp>

#include <algorithm>

#include "prompt_template.hpp"

namespace evalflow::prompt_template {
namespace {

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_identifier_char(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}

// The identifier of a placeholder starting at text[open] == '{', or empty if there is none.
std::string_view placeholder_at(std::string_view text, size_t open) {
  size_t end = open + 1;
  if (end >= text.size() || !is_identifier_start(text[end])) return {};
  while (end < text.size() && is_identifier_char(text[end])) ++end;
  if (end >= text.size() || text[end] != '}') return {};
  return text.substr(open + 1, end - open - 1);
}

// A message's JSON text up to its content's first character.
void open_message(std::string& out, std::string_view role) {
  out.append(R"({"role":")").append(role).append(R"(","content":")");
}

}  // namespace

std::optional<std::string_view> chat_role(std::string_view name) {
  if (name == "user" || name == "HUMAN") return "user";
  if (name == "assistant" || name == "BOT") return "assistant";
  if (name == "system" || name == "SYSTEM") return "system";
  return std::nullopt;
}

PromptTemplate PromptTemplate::from_options(const nlohmann::json& options) {
  std::optional<std::vector<std::string>> allowed_fields;
  if (auto fields = options.find("fields"); fields != options.end()) {
    allowed_fields = fields->get<std::vector<std::string>>();
  }
  PromptTemplate result;
  result.pieces_.push_back({"[", -1});
  const bool has_messages = options.contains("messages");
  if (has_messages == options.contains("template")) {
    throw sdk::invalid_argument(
        "give either `messages` (a list of {role, content}) or `template` (one user turn), not both or "
        "neither");
  }
  if (!has_messages) {
    result.add_message("user", options.at("template").get<std::string>(), allowed_fields);
  } else {
    const auto& messages = options.at("messages");
    if (!messages.is_array() || messages.empty()) {
      throw sdk::invalid_argument("`messages` must be a non-empty list of {role, content}");
    }
    for (size_t i = 0; i < messages.size(); ++i) {
      const auto& message = messages[i];
      const std::string where = "messages[" + std::to_string(i) + "]";
      if (message.contains("examples")) {
        if (!message["examples"].is_string()) {
          throw sdk::invalid_argument(where + ": `examples` names the list field of messages to place here");
        }
        result.add_turns(message["examples"].get<std::string>());
        continue;
      }
      const std::string role_name = message.value("role", std::string());
      const auto role = chat_role(role_name);
      if (!role) {
        std::string problem = where;
        problem.append(": unknown role '").append(role_name);
        problem += "': use system, user or assistant (AISBench's SYSTEM, HUMAN, BOT)";
        throw sdk::invalid_argument(problem);
      }
      const char* content_key = message.contains("content") ? "content" : "prompt";
      if (!message.contains(content_key) || !message[content_key].is_string()) {
        throw sdk::invalid_argument(where +
                                    ": `content` is missing or not a string: give the message's text");
      }
      result.add_message(*role, message[content_key].get_ref<const std::string&>(), allowed_fields);
    }
  }
  result.pieces_.back().escaped_literal += "]";
  return result;
}

int PromptTemplate::field_slot(std::string_view name, bool turns) {
  const auto it = std::find(fields_.begin(), fields_.end(), name);
  if (it != fields_.end()) {
    const auto slot = static_cast<size_t>(it - fields_.begin());
    if (turns_[slot] != turns) {
      throw sdk::invalid_argument(
          "field '" + std::string(name) +
          "' is both a placeholder and an `examples` list: give the list its own name");
    }
    return static_cast<int>(slot);
  }
  fields_.emplace_back(name);
  turns_.push_back(turns);
  return static_cast<int>(fields_.size() - 1);
}

// The list's messages stand where the entry is, as if written there: the literal before them already ends a
// message, and the next message opens with a comma.
void PromptTemplate::add_turns(const std::string& field) {
  std::string& literal = pieces_.back().escaped_literal;
  if (pieces_.size() > 1 || literal.size() > 1) literal.push_back(',');
  pieces_.back().field = field_slot(field, true);
  pieces_.emplace_back();
}

std::string PromptTemplate::turns_text(const nlohmann::json& turns, const std::string& field) {
  if (!turns.is_array() || turns.empty()) {
    throw sdk::invalid_argument(
        "field '" + field + "' (an `examples` entry) must be a non-empty list of {role, content} messages");
  }
  std::string text;
  for (size_t i = 0; i < turns.size(); ++i) {
    const auto& turn = turns[i];
    const auto role = turn.is_object() && turn.contains("role") && turn["role"].is_string()
                          ? chat_role(turn["role"].get_ref<const std::string&>())
                          : std::nullopt;
    if (!role || !turn.contains("content") || !turn["content"].is_string()) {
      throw sdk::invalid_argument("field '" + field + "' item " + std::to_string(i) +
                                  ": not a {role, content} message with a known role and a string content");
    }
    if (i > 0) text += ',';
    open_message(text, *role);
    data_io::append_json_escaped(text, turn["content"].get_ref<const std::string&>());
    text.append("\"}");
  }
  return text;
}

void PromptTemplate::add_message(std::string_view role, std::string_view content,
                                 const std::optional<std::vector<std::string>>& allowed_fields) {
  std::string* literal = &pieces_.back().escaped_literal;
  if (pieces_.size() > 1 || literal->size() > 1) literal->push_back(',');
  open_message(*literal, role);
  size_t literal_start = 0;
  for (size_t open = content.find('{'); open != std::string_view::npos; open = content.find('{', open + 1)) {
    const std::string_view name = placeholder_at(content, open);
    if (name.empty()) continue;
    if (allowed_fields &&
        std::find(allowed_fields->begin(), allowed_fields->end(), name) == allowed_fields->end()) {
      continue;
    }
    data_io::append_json_escaped(*literal, content.substr(literal_start, open - literal_start));
    pieces_.back().field = field_slot(name, false);
    literal = &pieces_.emplace_back().escaped_literal;
    literal_start = open + name.size() + 2;
    open = literal_start - 1;
  }
  data_io::append_json_escaped(*literal, content.substr(literal_start));
  literal->append("\"}");
}

void PromptTemplate::render(std::span<const std::string_view> values, std::string& out) const {
  for (const Piece& piece : pieces_) {
    out.append(piece.escaped_literal);
    if (piece.field < 0) continue;
    const auto field = static_cast<size_t>(piece.field);
    if (turns_[field]) {
      out.append(values[field]);
    } else {
      data_io::append_json_escaped(out, values[field]);
    }
  }
}

}  // namespace evalflow::prompt_template
