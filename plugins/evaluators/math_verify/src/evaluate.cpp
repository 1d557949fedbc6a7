#include "evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace evalflow::math_verify {
namespace {

std::optional<int64_t> exact_root(int64_t value, int64_t degree) {
  if (value < 0 || degree <= 0) return std::nullopt;
  const double guess = std::round(std::pow(static_cast<double>(value), 1.0 / static_cast<double>(degree)));
  for (int64_t candidate = std::max<int64_t>(0, static_cast<int64_t>(guess) - 1);
       candidate <= static_cast<int64_t>(guess) + 1; ++candidate) {
    auto power = pow(Rational{candidate, 1}, degree);
    if (power && power->num == value) return candidate;
  }
  return std::nullopt;
}

std::optional<ExactNumber> combine(const ExactNumber& a, const ExactNumber& b, bool multiply) {
  if (!a.is_float && !b.is_float) {
    auto exact = multiply ? mul(a.rational, b.rational) : add(a.rational, b.rational);
    if (exact) return ExactNumber{false, *exact, 0};
  }
  const double value = multiply ? a.as_double() * b.as_double() : a.as_double() + b.as_double();
  return ExactNumber{true, {}, value};
}

}  // namespace

std::optional<ExactNumber> exact_number(const Node& node) {
  switch (node.kind) {
    case Kind::kRational:
      return ExactNumber{false, node.rational, 0};
    case Kind::kFloat:
      return ExactNumber{true, {}, node.real};
    case Kind::kAdd:
    case Kind::kMul: {
      std::optional<ExactNumber> total = ExactNumber{false, Rational{node.kind == Kind::kMul ? 1 : 0, 1}, 0};
      for (const NodePtr& arg : node.args) {
        auto value = exact_number(*arg);
        if (!value) return std::nullopt;
        total = combine(*total, *value, node.kind == Kind::kMul);
        if (!total) return std::nullopt;
      }
      return total;
    }
    case Kind::kPow: {
      auto base = exact_number(*node.args[0]);
      auto exponent = exact_number(*node.args[1]);
      if (!base || !exponent) return std::nullopt;
      if (base->is_float || exponent->is_float) {
        if (base->as_double() < 0 && exponent->is_float) return std::nullopt;
        const double value = std::pow(base->as_double(), exponent->as_double());
        if (!std::isfinite(value)) return std::nullopt;
        return ExactNumber{true, {}, value};
      }
      const Rational e = exponent->rational;
      if (e.den == 1) {
        auto value = pow(base->rational, e.num);
        if (!value) return std::nullopt;
        return ExactNumber{false, *value, 0};
      }
      // A rational power is a number only when the root is exact (sqrt(4) = 2; sqrt(8) is not).
      auto num_root = exact_root(base->rational.num, e.den);
      auto den_root = exact_root(base->rational.den, e.den);
      if (!num_root || !den_root) return std::nullopt;
      auto root = Rational::make(*num_root, *den_root);
      if (!root) return std::nullopt;
      auto value = pow(*root, e.num);
      if (!value) return std::nullopt;
      return ExactNumber{false, *value, 0};
    }
    case Kind::kFunction: {
      if (node.args.size() != 1) return std::nullopt;
      auto arg = exact_number(*node.args[0]);
      if (!arg) return std::nullopt;
      if (node.name == "Abs") {
        if (arg->is_float) return ExactNumber{true, {}, std::fabs(arg->value)};
        return ExactNumber{
            false,
            Rational{arg->rational.num < 0 ? -arg->rational.num : arg->rational.num, arg->rational.den}, 0};
      }
      if (node.name == "factorial" && !arg->is_float && arg->rational.den == 1 && arg->rational.num >= 0 &&
          arg->rational.num <= 20) {
        int64_t value = 1;
        for (int64_t i = 2; i <= arg->rational.num; ++i) value *= i;
        return ExactNumber{false, Rational{value, 1}, 0};
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

namespace {

Complex integer_power(Complex base, int64_t exponent) {
  if (exponent < 0) return Complex(1) / integer_power(base, -exponent);
  Complex result(1);
  while (exponent > 0) {
    if (exponent & 1) result *= base;
    base *= base;
    exponent >>= 1;
  }
  return result;
}

// Undefined functions f(x) get a fixed, name-dependent value, so that f(2) = f(2) and f(2) != g(2).
Complex opaque_function(const std::string& name, const std::vector<Complex>& args) {
  const size_t seed = std::hash<std::string>{}(name);
  Complex value(static_cast<double>(seed % 997) / 101.0 + 0.5, 0);
  for (size_t i = 0; i < args.size(); ++i) {
    const double scale = 0.37 + static_cast<double>((seed >> (i * 7 % 48)) % 89) / 53.0;
    value += std::sin(args[i] * scale + Complex(0.3 * static_cast<double>(i + 1), 0)) * (1.0 + scale);
  }
  return value;
}

bool is_real(Complex value) {
  return std::fabs(value.imag()) <= 1e-12 * std::max(1.0, std::abs(value.real()));
}

std::optional<Complex> apply_function(const std::string& name, const std::vector<Complex>& args) {
  if (args.size() == 1) {
    const Complex x = args[0];
    if (name == "sin") return std::sin(x);
    if (name == "cos") return std::cos(x);
    if (name == "tan") return std::tan(x);
    if (name == "cot") return Complex(1) / std::tan(x);
    if (name == "sec") return Complex(1) / std::cos(x);
    if (name == "csc") return Complex(1) / std::sin(x);
    if (name == "asin") return std::asin(x);
    if (name == "acos") return std::acos(x);
    if (name == "atan") return std::atan(x);
    if (name == "acot") return std::atan(Complex(1) / x);
    if (name == "asec") return std::acos(Complex(1) / x);
    if (name == "acsc") return std::asin(Complex(1) / x);
    if (name == "sinh") return std::sinh(x);
    if (name == "cosh") return std::cosh(x);
    if (name == "tanh") return std::tanh(x);
    if (name == "asinh") return std::asinh(x);
    if (name == "acosh") return std::acosh(x);
    if (name == "atanh") return std::atanh(x);
    if (name == "Abs") return Complex(std::abs(x));
    if (name == "floor" && is_real(x)) return Complex(std::floor(x.real()));
    if (name == "ceiling" && is_real(x)) return Complex(std::ceil(x.real()));
    if ((name == "gamma" || name == "factorial") && is_real(x)) {
      const double shifted = name == "factorial" ? x.real() + 1 : x.real();
      if (shifted <= 0 && shifted == std::floor(shifted)) return std::nullopt;
      return Complex(std::tgamma(shifted));
    }
  }
  if (args.size() == 2) {
    if (name == "log") return std::log(args[0]) / std::log(args[1]);
    if (name == "binomial" && is_real(args[0]) && is_real(args[1])) {
      const double n = args[0].real();
      const double k = args[1].real();
      return Complex(std::exp(std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1)));
    }
    if (name == "Mod" && is_real(args[0]) && is_real(args[1]) && args[1].real() != 0) {
      const double q = args[1].real();
      return Complex(args[0].real() - q * std::floor(args[0].real() / q));
    }
  }
  if ((name == "Max" || name == "Min") && !args.empty()) {
    double best = args[0].real();
    for (const Complex& arg : args) {
      if (!is_real(arg)) return std::nullopt;
      best = name == "Max" ? std::max(best, arg.real()) : std::min(best, arg.real());
    }
    return Complex(best);
  }
  if ((name == "gcd" || name == "lcm") && !args.empty()) {
    int64_t result = 0;
    for (const Complex& arg : args) {
      if (!is_real(arg) || arg.real() != std::floor(arg.real()) || std::fabs(arg.real()) > 1e15)
        return std::nullopt;
      const auto value = static_cast<int64_t>(std::llabs(static_cast<int64_t>(arg.real())));
      if (name == "gcd")
        result = std::gcd(result, value);
      else
        result = result == 0 ? value : std::lcm(result, value);
    }
    return Complex(static_cast<double>(result));
  }
  if (name == "EulerGamma" && args.empty()) return Complex(0.5772156649015329);
  if (name == "Not") return std::nullopt;
  return opaque_function(name, args);
}

}  // namespace

std::optional<Complex> evaluate(const Node& node, const std::vector<SymbolValue>& symbols, Budget& budget) {
  budget.charge();
  switch (node.kind) {
    case Kind::kRational:
      return Complex(node.rational.to_double());
    case Kind::kFloat:
      return Complex(node.real);
    case Kind::kSymbol:
      for (const SymbolValue& symbol : symbols) {
        if (symbol.name == node.name) return symbol.value;
      }
      return std::nullopt;
    case Kind::kPi:
      return Complex(M_PI);
    case Kind::kE:
      return Complex(M_E);
    case Kind::kImaginary:
      return Complex(0, 1);
    case Kind::kInfinity:
      return Complex(HUGE_VAL);
    case Kind::kAdd:
    case Kind::kMul: {
      Complex total(node.kind == Kind::kMul ? 1.0 : 0.0);
      for (const NodePtr& arg : node.args) {
        auto value = evaluate(*arg, symbols, budget);
        if (!value) return std::nullopt;
        total = node.kind == Kind::kMul ? total * *value : total + *value;
      }
      return total;
    }
    case Kind::kPow: {
      auto base = evaluate(*node.args[0], symbols, budget);
      auto exponent = evaluate(*node.args[1], symbols, budget);
      if (!base || !exponent) return std::nullopt;
      if (is_real(*exponent) && exponent->real() == std::floor(exponent->real()) &&
          std::fabs(exponent->real()) < 1e6) {
        if (*base == Complex(0) && exponent->real() < 0) return std::nullopt;
        return integer_power(*base, static_cast<int64_t>(exponent->real()));
      }
      if (is_real(*base) && base->real() >= 0 && is_real(*exponent)) {
        return Complex(std::pow(base->real(), exponent->real()));
      }
      return std::pow(*base, *exponent);
    }
    case Kind::kFunction: {
      std::vector<Complex> args;
      for (const NodePtr& arg : node.args) {
        auto value = evaluate(*arg, symbols, budget);
        if (!value) return std::nullopt;
        args.push_back(*value);
      }
      return apply_function(node.name, args);
    }
    default:
      return std::nullopt;
  }
}

bool is_known_function(const std::string& name) {
  static constexpr std::string_view kKnown[] = {
      "sin",      "cos",   "tan",  "cot",   "sec",     "csc",   "asin",       "acos",
      "atan",     "acot",  "asec", "acsc",  "sinh",    "cosh",  "tanh",       "asinh",
      "acosh",    "atanh", "Abs",  "floor", "ceiling", "gamma", "factorial",  "log",
      "binomial", "Mod",   "Max",  "Min",   "gcd",     "lcm",   "EulerGamma", "Not"};
  return std::find(std::begin(kKnown), std::end(kKnown), name) != std::end(kKnown);
}

NodePtr evaluate_matrix(const NodePtr& node) {
  if (node->kind == Kind::kMatrix) return node;
  if (node->kind == Kind::kAdd) {
    NodePtr sum;
    for (const NodePtr& term : node->args) {
      NodePtr matrix = evaluate_matrix(term);
      if (!matrix) return nullptr;
      if (!sum) {
        sum = matrix;
        continue;
      }
      if (sum->rows != matrix->rows || sum->cols != matrix->cols) return nullptr;
      std::vector<NodePtr> cells;
      for (size_t i = 0; i < sum->args.size(); ++i) cells.push_back(add_flat(sum->args[i], matrix->args[i]));
      sum = make_matrix(sum->rows, sum->cols, std::move(cells));
    }
    return sum;
  }
  if (node->kind == Kind::kMul) {
    NodePtr product;
    std::vector<NodePtr> scalars;
    for (const NodePtr& factor : node->args) {
      if (factor->kind != Kind::kMatrix && factor->kind != Kind::kAdd && factor->kind != Kind::kMul) {
        scalars.push_back(factor);
        continue;
      }
      NodePtr matrix = evaluate_matrix(factor);
      if (!matrix) return nullptr;
      if (!product) {
        product = matrix;
        continue;
      }
      if (product->cols != matrix->rows) return nullptr;
      std::vector<NodePtr> cells;
      for (int row = 0; row < product->rows; ++row) {
        for (int col = 0; col < matrix->cols; ++col) {
          NodePtr cell;
          for (int k = 0; k < product->cols; ++k) {
            NodePtr term = mul_flat(matrix_cell(*product, row, k), matrix_cell(*matrix, k, col));
            cell = cell ? add_flat(cell, term) : term;
          }
          cells.push_back(cell);
        }
      }
      product = make_matrix(product->rows, matrix->cols, std::move(cells));
    }
    if (!product) return nullptr;
    if (scalars.empty()) return product;
    std::vector<NodePtr> cells;
    for (const NodePtr& cell : product->args) {
      std::vector<NodePtr> factors = scalars;
      factors.push_back(cell);
      cells.push_back(make_node(Kind::kMul, std::move(factors)));
    }
    return make_matrix(product->rows, product->cols, std::move(cells));
  }
  return nullptr;
}

namespace {
void collect_symbols(const Node& node, std::vector<std::string>& names) {
  if (node.kind == Kind::kSymbol) names.push_back(node.name);
  for (const NodePtr& arg : node.args) collect_symbols(*arg, names);
}
}  // namespace

std::vector<std::string> free_symbols(const Node& node) {
  std::vector<std::string> names;
  collect_symbols(node, names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace evalflow::math_verify
