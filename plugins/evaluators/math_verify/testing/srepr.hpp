// Reads sympy's srepr() text (the expected values in Math-Verify's and latex2sympy2_extended's test
// suites) into our expression tree, so that the case suite can compare against it.
#ifndef EVALFLOW_MATH_VERIFY_SREPR_HPP
#define EVALFLOW_MATH_VERIFY_SREPR_HPP

#include <string_view>

#include "expr.hpp"

namespace evalflow::math_verify::testing {

// Throws std::runtime_error for constructs the tree has no equivalent of.
NodePtr parse_srepr(std::string_view text);

}  // namespace evalflow::math_verify::testing

#endif  // EVALFLOW_MATH_VERIFY_SREPR_HPP
