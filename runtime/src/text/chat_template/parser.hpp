// Parses the Jinja subset that chat templates use into statements and expressions. Anything outside the
// subset (macros, includes, unknown filters or tests ...) is refused with the template line that uses it.
#pragma once

#include <string_view>

#include "chat_template/ast.hpp"
#include "chat_template/lexer.hpp"

namespace evalflow::text::jinja {

// Throws ChatTemplateError ("chat template line N: ...").
Body parse(std::string_view source, const LexOptions& options);

// Names the renderer implements; the parser checks filters and tests against them.
bool is_known_filter(std::string_view name);
bool is_known_test(std::string_view name);

}  // namespace evalflow::text::jinja
