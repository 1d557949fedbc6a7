// Executes a parsed template against a set of variables and returns the text it produces.
#pragma once

#include <string>

#include "chat_template/ast.hpp"

namespace evalflow::text::jinja {

// Throws ChatTemplateError naming the line of the failing statement or expression.
std::string render(const Body& body, const Dict& variables);

}  // namespace evalflow::text::jinja
