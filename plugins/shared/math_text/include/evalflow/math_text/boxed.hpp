// The last \boxed{...} of a model output, found the way AISBench (and OpenCompass before it) finds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace evalflow::math_text {

// AISBench's last_boxed_only_string: from the last "\boxed" (or, only when there is none, the last
// "\fbox") to the '}' where the brace count first returns to zero. nullopt when there is no such
// command or its braces never balance. Braces are counted from the command on, so "\boxed 5}" never
// balances (the count goes to -1 first).
std::optional<std::string_view> last_boxed_only_string(std::string_view text);

// AISBench's extract_boxed_answer: last_boxed_only_string without its "\boxed{" and final '}'; with
// strip_double_curly_brace, a result of the form "{...}" also loses that outer pair (Python's
// `re.match(r'^\{(.*)\}$', answer)`, where '.' stops at newlines and '$' may sit before a final
// newline).
//
// Differences from AISBench, where AISBench raises instead of answering: "\fbox{x}" gives "x", and a
// command that is not directly followed by '{' ("\boxed {x}", "\boxed 5}") gives nullopt, as
// OpenCompass did before AISBench turned that case into an error.
std::optional<std::string> extract_boxed_answer(std::string_view text, bool strip_double_curly_brace);

}  // namespace evalflow::math_text
