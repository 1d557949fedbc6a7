// LaTeX to expression tree, following latex2sympy2_extended's grammar and conversion rules (implicit
// products, mixed fractions 2\frac{1}{2}, f(x) as a function call, comma numbers 1,000 as one number,
// a,b as a set, (a,b) as an open interval, chained relations as an And).
#ifndef EVALFLOW_MATH_VERIFY_LATEX_PARSER_HPP
#define EVALFLOW_MATH_VERIFY_LATEX_PARSER_HPP

#include <string_view>

#include "budget.hpp"
#include "expr.hpp"
#include "latex_lexer.hpp"

namespace evalflow::math_verify {

// Parses normalised LaTeX. is_real declares the symbols real (Math-Verify does so unless the text
// looks complex). Throws ParseError when the grammar rejects the text, BudgetExceeded on timeout.
NodePtr parse_latex(std::string_view latex, bool is_real, Budget& budget);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_LATEX_PARSER_HPP
