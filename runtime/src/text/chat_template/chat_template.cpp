#include <evalflow/text/chat_template.hpp>

#include <fstream>
#include <sstream>

#include "chat_template/parser.hpp"
#include "chat_template/renderer.hpp"

namespace evalflow::text {
namespace {

// The special-token attributes of a transformers tokenizer, which apply_chat_template passes to templates.
constexpr const char* kSpecialTokenNames[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                              "pad_token", "cls_token", "mask_token"};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ChatTemplateError(path.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A special token is written either as a string or as an AddedToken object {"content": ..., ...}.
std::optional<std::string> token_text(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string())
    return value["content"].get<std::string>();
  return std::nullopt;
}

std::string select_template(const nlohmann::ordered_json& chat_template, const std::string& origin) {
  if (chat_template.is_string()) return chat_template.get<std::string>();
  if (chat_template.is_array()) {
    for (const auto& named : chat_template) {
      if (named.value("name", "") == "default" && named.contains("template") &&
          named["template"].is_string()) {
        return named["template"].get<std::string>();
      }
    }
    throw ChatTemplateError(origin + ": chat_template lists named templates but none is named \"default\"");
  }
  throw ChatTemplateError(origin + ": has no chat_template string");
}

nlohmann::ordered_json read_config(const std::filesystem::path& path) {
  nlohmann::ordered_json config;
  try {
    config = nlohmann::ordered_json::parse(read_file(path));
  } catch (const nlohmann::json::exception& error) {
    throw ChatTemplateError(path.string() + ": not valid JSON: " + error.what());
  }
  if (!config.is_object()) throw ChatTemplateError(path.string() + ": is not a JSON object");
  return config;
}

// The special tokens of a tokenizer_config.json, as template variables (absent or null ones stay undefined).
nlohmann::ordered_json special_tokens(const nlohmann::ordered_json& config) {
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
  for (const char* name : kSpecialTokenNames) {
    if (!config.contains(name)) continue;
    if (const auto text = token_text(config[name])) variables[name] = *text;
  }
  if (const auto additional = config.find("additional_special_tokens");
      additional != config.end() && additional->is_array()) {
    nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
    for (const auto& token : *additional) {
      if (const auto text = token_text(token)) tokens.push_back(*text);
    }
    variables["additional_special_tokens"] = std::move(tokens);
  }
  return variables;
}

}  // namespace

ChatTemplate ChatTemplate::parse_with_origin(const std::string& source, nlohmann::ordered_json variables,
                                             const std::string& origin) {
  try {
    return ChatTemplate(source, std::move(variables));
  } catch (const ChatTemplateError& error) {
    throw ChatTemplateError(origin + ": " + error.what());
  }
}

ChatTemplate::ChatTemplate(std::string_view source, nlohmann::ordered_json variables)
    : body_(std::make_shared<const jinja::Body>(jinja::parse(source, jinja::LexOptions{}))),
      variables_(std::move(variables)) {
  if (!variables_.is_object()) throw ChatTemplateError("chat template variables must be a JSON object");
}

ChatTemplate ChatTemplate::from_tokenizer_config(const std::filesystem::path& path) {
  const std::string origin = path.string();
  const nlohmann::ordered_json config = read_config(path);
  if (!config.contains("chat_template")) throw ChatTemplateError(origin + ": has no chat_template");
  return parse_with_origin(select_template(config["chat_template"], origin), special_tokens(config), origin);
}

ChatTemplate ChatTemplate::from_model_dir(const std::filesystem::path& dir) {
  const std::filesystem::path config_path = dir / "tokenizer_config.json";
  const std::filesystem::path jinja_path = dir / "chat_template.jinja";
  if (!std::filesystem::exists(jinja_path)) return from_tokenizer_config(config_path);
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
  if (std::filesystem::exists(config_path)) variables = special_tokens(read_config(config_path));
  return parse_with_origin(read_file(jinja_path), std::move(variables), jinja_path.string());
}

std::string ChatTemplate::render(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                                 const nlohmann::ordered_json& extra_variables) const {
  if (!messages.is_array())
    throw ChatTemplateError("messages must be a JSON array of {\"role\", \"content\"} objects");
  if (!extra_variables.is_object())
    throw ChatTemplateError("extra chat template variables must be a JSON object");
  jinja::Dict variables;
  const auto set = [&](const std::string& name, jinja::Value value) {
    for (auto& [existing, old] : variables) {
      if (existing == name) {
        old = std::move(value);
        return;
      }
    }
    variables.emplace_back(name, std::move(value));
  };
  set("tools", jinja::None{});
  set("documents", jinja::None{});
  for (const auto& [name, value] : variables_.items()) set(name, jinja::Value::from_json(value));
  set("messages", jinja::Value::from_json(messages));
  set("add_generation_prompt", add_generation_prompt);
  for (const auto& [name, value] : extra_variables.items()) set(name, jinja::Value::from_json(value));
  return jinja::render(*body_, variables);
}

}  // namespace evalflow::text
