// The two string normalisations of AISBench's MATHEvaluator (datasets/math.py), exactly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace evalflow::math_string {

// MATHEvaluator._strip_string (version v1, from Hendrycks' MATH code). nullopt where Python raises:
// "\text{ " occurring more than once, or "\sqrt" with nothing after it.
std::optional<std::string> strip_string_v1(std::string_view string);

// MATHEvaluator._strip_string_v2. Never raises.
std::string strip_string_v2(std::string_view string);

// The helpers both versions share, exposed for their unit tests.
// _fix_fracs: "\frac12" -> "\frac{1}{2}", "\frac1{2}" -> "\frac{1}{2}"; unchanged when a "\frac" has
// fewer than two characters after it.
std::string fix_fracs(std::string_view string);
// _fix_a_slash_b: "3/4" -> "\frac{3}{4}" when both sides are integers written the way Python prints
// them.
std::string fix_a_slash_b(std::string_view string);

}  // namespace evalflow::math_string
