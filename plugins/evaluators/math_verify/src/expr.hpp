// The expression tree every other part of math_verify works on: numbers, symbols, arithmetic,
// functions, relations, sets, intervals, tuples and matrices. Nodes are immutable and shared.
#ifndef EVALFLOW_MATH_VERIFY_EXPR_HPP
#define EVALFLOW_MATH_VERIFY_EXPR_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace evalflow::math_verify {

// An exact rational with 64-bit parts. Arithmetic that would overflow returns nullopt, and callers
// fall back to floating point: answers with such numbers are rare, and the float path stays correct.
struct Rational {
  int64_t num = 0;
  int64_t den = 1;

  static std::optional<Rational> make(int64_t num, int64_t den);
  [[nodiscard]] bool is_integer() const { return den == 1; }
  [[nodiscard]] double to_double() const { return static_cast<double>(num) / static_cast<double>(den); }
  friend bool operator==(const Rational&, const Rational&) = default;
};
std::optional<Rational> add(Rational a, Rational b);
std::optional<Rational> mul(Rational a, Rational b);
std::optional<Rational> pow(Rational base, int64_t exponent);

enum class Kind : uint8_t {
  kRational,  // exact number (integers included)
  kFloat,     // a decimal literal, like sympy's Float
  kSymbol,    // name
  kPi,
  kE,
  kImaginary,  // sympy's I (only an upper-case I in LaTeX)
  kInfinity,
  kNaN,  // an undefined value (zoo / nan)
  kAdd,
  kMul,
  kPow,       // args: base, exponent
  kFunction,  // name(args...): known ones are evaluated, others stay opaque
  kRelation,  // args: lhs, rhs
  kAnd,       // a chain of relations, a < b < c
  kFiniteSet,
  kTuple,
  kInterval,  // args: start, end
  kUnion,
  kIntersection,
  kComplement,
  kNamedSet,  // name: Reals, Integers, ... EmptySet
  kMatrix,    // args row-major, rows x cols
};

enum class Relation : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  Kind kind;
  Relation relation = Relation::kEq;
  bool left_open = false;
  bool right_open = false;
  bool is_real = true;  // for symbols: declared real (Math-Verify's is_real)
  Rational rational;
  double real = 0;
  std::string name;
  std::vector<NodePtr> args;
  int rows = 0;
  int cols = 0;
};

NodePtr make_rational(Rational value);
NodePtr make_integer(int64_t value);
NodePtr make_float(double value);
NodePtr make_symbol(std::string name, bool is_real);
NodePtr make_constant(Kind kind);
NodePtr make_node(Kind kind, std::vector<NodePtr> args);
NodePtr make_function(std::string name, std::vector<NodePtr> args);
NodePtr make_relation(Relation relation, NodePtr lhs, NodePtr rhs);
NodePtr make_interval(NodePtr start, NodePtr end, bool left_open, bool right_open);
NodePtr make_named_set(std::string name);
NodePtr make_matrix(int rows, int cols, std::vector<NodePtr> cells);
// The cell at (row, col) of a matrix node (cells are stored row-major).
const NodePtr& matrix_cell(const Node& matrix, int row, int col);

// Flattening constructors, like latex2sympy's add_flat/mul_flat (no evaluation).
NodePtr add_flat(const NodePtr& lhs, const NodePtr& rhs);
NodePtr mul_flat(const NodePtr& lhs, const NodePtr& rhs);
NodePtr negate(const NodePtr& value);      // -number stays a number, otherwise -1 * value
NodePtr reciprocal(const NodePtr& value);  // value ** -1
NodePtr percent_of(const NodePtr& value);  // value * 1/100, Math-Verify's percentage form

bool is_number(const Node& node);  // kRational or kFloat
bool is_relation_like(const Node& node);
bool is_set_like(const Node& node);  // sets and intervals (not tuples)
// latex2sympy's is_expr_of_only_symbols: x, xy, x/y (the left side of an assignment).
bool is_only_symbols(const Node& node);

// Structural equality; commutative arguments may come in any order.
bool structurally_equal(const Node& a, const Node& b);

// A readable text, sympy-like: "3/4", "2*sqrt(3)", "{1, 2}", "Interval.open(0, 1)", "x = 2".
std::string to_text(const Node& node);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_EXPR_HPP
