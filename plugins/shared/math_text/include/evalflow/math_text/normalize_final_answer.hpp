// normalize_final_answer of AISBench's datasets/math.py (from Minerva / OpenCompass), exactly.
#pragma once

#include <string>
#include <string_view>

namespace evalflow::math_text {

// Deletes spaces, units and filler words, unwraps \text{}, \textbf{}, \overline{} and \boxed{}, keeps
// what follows "finalansweris" / "answeris", the last "oxed{...}" and the last "$...$", and repairs
// \frac and \sqrt shorthand ("\frac12" -> "\frac{1}{2}"). Every step has Python's exact semantics
// (non-overlapping str.replace, re.sub and re.findall on characters, not bytes). Never fails.
std::string normalize_final_answer(std::string_view final_answer);

}  // namespace evalflow::math_text
