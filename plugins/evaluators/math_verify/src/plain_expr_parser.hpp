// Plain arithmetic such as "1/2" or "(3+4)*2^3", read the way sympy's parse_expr(evaluate=False)
// reads the expressions Math-Verify's expression extraction finds (digits and + - * / ^ ( ) only).
#ifndef EVALFLOW_MATH_VERIFY_PLAIN_EXPR_PARSER_HPP
#define EVALFLOW_MATH_VERIFY_PLAIN_EXPR_PARSER_HPP

#include <string_view>

#include "expr.hpp"

namespace evalflow::math_verify {

// Null when the text is not valid Python arithmetic (e.g. "2 3" or a "×" sign).
NodePtr parse_plain_expression(std::string_view text);

// sympy's Number(text) for a decimal literal: Integer without a point, Float with one; null for
// anything but ASCII digits with at most one point.
NodePtr number_from_decimal(std::string_view text);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_PLAIN_EXPR_PARSER_HPP
