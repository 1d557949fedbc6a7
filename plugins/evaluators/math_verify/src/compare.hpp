// Equivalence of two answers, as Math-Verify's verify()/sympy_expr_eq decide it: structural,
// relations (also flipped, also by solution set), sets/intervals/tuples element by element,
// symbols (abc = a*b*c), numbers rounded to float_rounding digits when a float is involved,
// numeric equality of constants, and a difference that vanishes at sample points.
#ifndef EVALFLOW_MATH_VERIFY_COMPARE_HPP
#define EVALFLOW_MATH_VERIFY_COMPARE_HPP

#include <vector>

#include "budget.hpp"
#include "expr.hpp"
#include "extract.hpp"

namespace evalflow::math_verify {

// sympy_expr_eq(gold, pred). Not symmetric: assignments and equations are unwrapped following the
// gold's shape. Throws BudgetExceeded.
bool expressions_equal(const NodePtr& gold, const NodePtr& pred, int float_rounding, Budget& budget);

// verify(gold, target): true when any (gold, target) pair matches. Expression pairs go through
// expressions_equal, string pairs compare stripped text; a pair that runs out of time is false.
bool verify(const std::vector<Answer>& gold, const std::vector<Answer>& target, int float_rounding,
            Budget& budget);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_COMPARE_HPP
