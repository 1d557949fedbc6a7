// Splits a Jinja template into text, {{ expression }} and {% statement %} pieces, applying jinja2's
// whitespace control the way transformers configures it for chat templates: `-` strips all whitespace on its
// side, trim_blocks drops the first newline after a block tag, lstrip_blocks drops the spaces and tabs
// before a block tag that starts its line, and a single trailing newline of the template is removed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evalflow::text::jinja {

struct Token {
  enum class Kind { kName, kString, kInteger, kFloat, kOperator, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;  // a string literal's value, escapes resolved
  int line = 0;
};

struct Chunk {
  enum class Kind { kText, kExpression, kStatement };
  Kind kind = Kind::kText;
  std::string text;           // kText
  std::vector<Token> tokens;  // kExpression and kStatement, ending with a kEnd token
  int line = 0;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
};

// Throws ChatTemplateError naming the line of an unterminated tag or string, or an unknown character.
std::vector<Chunk> lex(std::string_view source, const LexOptions& options);

}  // namespace evalflow::text::jinja
