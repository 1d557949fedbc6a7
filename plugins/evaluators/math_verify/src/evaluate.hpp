// Numeric evaluation of expression trees: exact rational arithmetic where sympy would evaluate
// (its doit()), and complex floating point with chosen values for the free symbols.
#ifndef EVALFLOW_MATH_VERIFY_EVALUATE_HPP
#define EVALFLOW_MATH_VERIFY_EVALUATE_HPP

#include <complex>
#include <optional>
#include <string>
#include <vector>

#include "budget.hpp"
#include "expr.hpp"

namespace evalflow::math_verify {

// A number as sympy's doit() leaves it: exact rational, or float once a Float took part.
struct ExactNumber {
  bool is_float = false;
  Rational rational;
  double value = 0;
  [[nodiscard]] double as_double() const { return is_float ? value : rational.to_double(); }
};

// The value of arithmetic over numbers (+, *, integer powers, perfect roots); nullopt otherwise.
std::optional<ExactNumber> exact_number(const Node& node);

using Complex = std::complex<double>;

struct SymbolValue {
  std::string name;
  Complex value;
};

// Null when the value is undefined (division by zero, an unknown construct) or not finite in a way
// that cannot be compared.
std::optional<Complex> evaluate(const Node& node, const std::vector<SymbolValue>& symbols, Budget& budget);

// Whether evaluate() knows the function (sin, log, Abs...); other names are undefined functions f(x).
bool is_known_function(const std::string& name);

// Matrix arithmetic carried out (sympy's doit on MatAdd/MatMul): sums, scalar multiples, products.
// Null when the node is not a matrix expression or the shapes do not fit.
NodePtr evaluate_matrix(const NodePtr& node);

// Names of the free symbols, sorted and unique.
std::vector<std::string> free_symbols(const Node& node);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_EVALUATE_HPP
