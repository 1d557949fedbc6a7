// A model's chat template (the Jinja template in its tokenizer_config.json) rendered exactly as
// transformers' `apply_chat_template(messages, tokenize=False, add_generation_prompt=...)` renders it:
// jinja2 with trim_blocks and lstrip_blocks, transformers' `tojson` and `raise_exception`, and the special
// tokens (bos_token, eos_token, ...) as variables.
//
// The Jinja subset: {{ }}, if/elif/else, for (with loop.*, else, an `if` filter, break/continue), set
// (names, unpacking, namespace attributes), namespace(), range(), filters (trim, length, tojson, default,
// join, map, selectattr ... see chat_template/parser.cpp), tests (defined, none, string, equalto ...),
// string methods (strip, split, startswith, endswith, replace ...), dict methods (items, keys, values,
// get), indexing and slicing with Python's semantics. Anything else is refused when the template is parsed,
// naming the template line.
//
// A ChatTemplate is immutable after construction; render() may be called from many threads at once.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::text {

namespace jinja {
struct Node;
}

// A template that cannot be parsed or rendered (including the template's own raise_exception), or a
// tokenizer_config.json without a usable chat_template. The message names the template line.
class ChatTemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ChatTemplate {
 public:
  // Parses `source`. `variables` (an object) are visible to every render, e.g. {"bos_token": "<s>"}.
  explicit ChatTemplate(std::string_view source,
                        nlohmann::ordered_json variables = nlohmann::ordered_json::object());

  // The chat_template of a tokenizer_config.json (a string, or a list of {name, template} from which the
  // one named "default" is used), with its special tokens (bos_token, eos_token, unk_token, pad_token, ...;
  // plain strings or AddedToken objects) as variables.
  static ChatTemplate from_tokenizer_config(const std::filesystem::path& path);

  // A model folder as transformers reads it: the special tokens of `dir`/tokenizer_config.json, and the
  // template of `dir`/chat_template.jinja when that file exists (newer model folders keep it there, and
  // it takes precedence), else the tokenizer_config.json's chat_template.
  static ChatTemplate from_model_dir(const std::filesystem::path& dir);

  // The prompt text for `messages` (a list of {"role", "content", ...}). `extra_variables` (an object) adds
  // or overrides variables, e.g. {"enable_thinking": false} or {"tools": [...]}; `tools` and `documents`
  // are None unless given, as in transformers.
  [[nodiscard]] std::string render(
      const nlohmann::ordered_json& messages, bool add_generation_prompt,
      const nlohmann::ordered_json& extra_variables = nlohmann::ordered_json::object()) const;

  [[nodiscard]] const nlohmann::ordered_json& variables() const { return variables_; }

 private:
  // Parses `source`, naming `origin` (the file it came from) in errors.
  static ChatTemplate parse_with_origin(const std::string& source, nlohmann::ordered_json variables,
                                        const std::string& origin);

  std::shared_ptr<const std::vector<jinja::Node>> body_;
  nlohmann::ordered_json variables_;
};

}  // namespace evalflow::text
