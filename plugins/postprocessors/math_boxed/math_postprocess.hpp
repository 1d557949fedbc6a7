// The math_boxed postprocessor's logic, independent of the plugin ABI.
#pragma once

#include <string>
#include <string_view>

namespace evalflow::math_boxed {

// AISBench's math_postprocess_v2: the content of the last \boxed{} (or \fbox{}), without one outer
// pair of braces; when that is missing or empty, normalize_final_answer of the first '.'-separated
// piece that contains "final answer" or "answer is" (any case), else of the first piece.
// Where AISBench raises (a last \fbox{}, "\boxed {x}") this answers: see math_text/boxed.hpp.
std::string math_postprocess_v2(std::string_view text);

}  // namespace evalflow::math_boxed
