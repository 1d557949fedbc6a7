// LaTeX normalisation before parsing, as latex2sympy2_extended's normalize_latex does it: boxed
// extraction, basic clean-up (\left, \displaystyle, $...), unit removal, small fixes, and the repair
// of malformed operators (\frac12, \sqrt2) where configured.
#ifndef EVALFLOW_MATH_VERIFY_NORMALIZE_HPP
#define EVALFLOW_MATH_VERIFY_NORMALIZE_HPP

#include <string>
#include <string_view>

namespace evalflow::math_verify {

enum class BoxedMode { kNone, kLast, kAll };

struct NormalizationConfig {
  bool basic_latex = true;
  bool units = false;
  bool malformed_operators = false;
  bool nits = false;
  BoxedMode boxed = BoxedMode::kAll;
  bool equations = false;
};

std::string normalize_latex(std::string_view text, const NormalizationConfig& config);

// The contents of the last \boxed{...}/\fbox{...} (kLast: with nearby boxes joined by commas; kAll:
// every box). Text without a box comes back unchanged; an unclosed last box gives its raw tail.
std::string extract_boxed_content(std::string_view text, BoxedMode mode);

// Splits a = b = c and keeps the last side, unless the text holds a comma or semicolon.
std::string last_equation_side(std::string_view latex);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_NORMALIZE_HPP
