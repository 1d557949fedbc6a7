#include "expr.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace evalflow::math_verify {

std::optional<Rational> Rational::make(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  if (den < 0) {
    if (num == INT64_MIN || den == INT64_MIN) return std::nullopt;
    num = -num;
    den = -den;
  }
  const int64_t divisor = std::gcd(num, den);
  if (divisor > 1) {
    num /= divisor;
    den /= divisor;
  }
  return Rational{num, den};
}

std::optional<Rational> add(Rational a, Rational b) {
  int64_t left = 0;
  int64_t right = 0;
  int64_t den = 0;
  int64_t num = 0;
  if (__builtin_mul_overflow(a.num, b.den, &left) || __builtin_mul_overflow(b.num, a.den, &right) ||
      __builtin_add_overflow(left, right, &num) || __builtin_mul_overflow(a.den, b.den, &den)) {
    return std::nullopt;
  }
  return Rational::make(num, den);
}

std::optional<Rational> mul(Rational a, Rational b) {
  int64_t num = 0;
  int64_t den = 0;
  if (__builtin_mul_overflow(a.num, b.num, &num) || __builtin_mul_overflow(a.den, b.den, &den)) {
    return std::nullopt;
  }
  return Rational::make(num, den);
}

std::optional<Rational> pow(Rational base, int64_t exponent) {
  if (exponent < 0) {
    if (base.num == 0 || exponent == INT64_MIN) return std::nullopt;
    auto inverse = Rational::make(base.den, base.num);
    if (!inverse) return std::nullopt;
    return pow(*inverse, -exponent);
  }
  // Squaring: a huge exponent either overflows within 64 steps or has a base of 0 or +-1.
  Rational result{1, 1};
  while (exponent > 0) {
    if (exponent & 1) {
      auto next = mul(result, base);
      if (!next) return std::nullopt;
      result = *next;
    }
    exponent >>= 1;
    if (exponent > 0) {
      auto squared = mul(base, base);
      if (!squared) return std::nullopt;
      base = *squared;
    }
  }
  return result;
}

namespace {
std::shared_ptr<Node> blank(Kind kind) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  return node;
}
}  // namespace

NodePtr make_rational(Rational value) {
  auto node = blank(Kind::kRational);
  node->rational = value;
  return node;
}

NodePtr make_integer(int64_t value) {
  return make_rational(Rational{value, 1});
}

NodePtr make_float(double value) {
  auto node = blank(Kind::kFloat);
  node->real = value;
  return node;
}

NodePtr make_symbol(std::string name, bool is_real) {
  auto node = blank(Kind::kSymbol);
  node->name = std::move(name);
  node->is_real = is_real;
  return node;
}

NodePtr make_constant(Kind kind) {
  return blank(kind);
}

NodePtr make_node(Kind kind, std::vector<NodePtr> args) {
  auto node = blank(kind);
  node->args = std::move(args);
  return node;
}

NodePtr make_function(std::string name, std::vector<NodePtr> args) {
  auto node = blank(Kind::kFunction);
  node->name = std::move(name);
  node->args = std::move(args);
  return node;
}

NodePtr make_relation(Relation relation, NodePtr lhs, NodePtr rhs) {
  auto node = blank(Kind::kRelation);
  node->relation = relation;
  node->args = {std::move(lhs), std::move(rhs)};
  return node;
}

NodePtr make_interval(NodePtr start, NodePtr end, bool left_open, bool right_open) {
  auto node = blank(Kind::kInterval);
  node->args = {std::move(start), std::move(end)};
  node->left_open = left_open;
  node->right_open = right_open;
  return node;
}

NodePtr make_named_set(std::string name) {
  auto node = blank(Kind::kNamedSet);
  node->name = std::move(name);
  return node;
}

NodePtr make_matrix(int rows, int cols, std::vector<NodePtr> cells) {
  auto node = blank(Kind::kMatrix);
  node->rows = rows;
  node->cols = cols;
  node->args = std::move(cells);
  return node;
}

const NodePtr& matrix_cell(const Node& matrix, int row, int col) {
  return matrix.args[static_cast<size_t>(row) * static_cast<size_t>(matrix.cols) + static_cast<size_t>(col)];
}

namespace {
NodePtr flat(Kind kind, const NodePtr& lhs, const NodePtr& rhs) {
  std::vector<NodePtr> args;
  for (const NodePtr* side : {&lhs, &rhs}) {
    if ((*side)->kind == kind) {
      args.insert(args.end(), (*side)->args.begin(), (*side)->args.end());
    } else {
      args.push_back(*side);
    }
  }
  return make_node(kind, std::move(args));
}
}  // namespace

NodePtr add_flat(const NodePtr& lhs, const NodePtr& rhs) {
  return flat(Kind::kAdd, lhs, rhs);
}
NodePtr mul_flat(const NodePtr& lhs, const NodePtr& rhs) {
  return flat(Kind::kMul, lhs, rhs);
}

NodePtr negate(const NodePtr& value) {
  if (value->kind == Kind::kRational && value->rational.num != INT64_MIN) {
    return make_rational(Rational{-value->rational.num, value->rational.den});
  }
  if (value->kind == Kind::kFloat) return make_float(-value->real);
  return mul_flat(make_integer(-1), value);
}

NodePtr reciprocal(const NodePtr& value) {
  return make_node(Kind::kPow, {value, make_integer(-1)});
}

NodePtr percent_of(const NodePtr& value) {
  return make_node(Kind::kMul, {value, make_rational(Rational{1, 100})});
}

bool is_number(const Node& node) {
  return node.kind == Kind::kRational || node.kind == Kind::kFloat;
}

bool is_relation_like(const Node& node) {
  return node.kind == Kind::kRelation || node.kind == Kind::kAnd;
}

bool is_set_like(const Node& node) {
  switch (node.kind) {
    case Kind::kFiniteSet:
    case Kind::kInterval:
    case Kind::kUnion:
    case Kind::kIntersection:
    case Kind::kComplement:
    case Kind::kNamedSet:
      return true;
    default:
      return false;
  }
}

bool is_only_symbols(const Node& node) {
  if (node.kind == Kind::kSymbol) return true;
  if (node.args.empty()) return false;
  for (const NodePtr& arg : node.args) {
    // x/y is x * y**-1: the -1 exponent does not count.
    const bool inverse_exponent = node.kind == Kind::kPow && arg == node.args[1] &&
                                  arg->kind == Kind::kRational && arg->rational == Rational{-1, 1};
    if (!inverse_exponent && !is_only_symbols(*arg)) return false;
  }
  return true;
}

namespace {
bool is_commutative(Kind kind) {
  return kind == Kind::kAdd || kind == Kind::kMul || kind == Kind::kFiniteSet || kind == Kind::kUnion ||
         kind == Kind::kIntersection;
}

bool args_equal_unordered(const std::vector<NodePtr>& a, const std::vector<NodePtr>& b) {
  if (a.size() != b.size()) return false;
  std::vector<bool> used(b.size(), false);
  for (const NodePtr& left : a) {
    bool found = false;
    for (size_t j = 0; j < b.size(); ++j) {
      if (!used[j] && structurally_equal(*left, *b[j])) {
        used[j] = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}
}  // namespace

bool structurally_equal(const Node& a, const Node& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::kRational:
      return a.rational == b.rational;
    case Kind::kFloat:
      return a.real == b.real;
    case Kind::kSymbol:
    case Kind::kNamedSet:
      return a.name == b.name;
    case Kind::kRelation:
      if (a.relation != b.relation) return false;
      break;
    case Kind::kInterval:
      if (a.left_open != b.left_open || a.right_open != b.right_open) return false;
      break;
    case Kind::kFunction:
      if (a.name != b.name) return false;
      break;
    case Kind::kMatrix:
      if (a.rows != b.rows || a.cols != b.cols) return false;
      break;
    default:
      break;
  }
  if (is_commutative(a.kind)) return args_equal_unordered(a.args, b.args);
  if (a.args.size() != b.args.size()) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!structurally_equal(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

namespace {
std::string format_double(double value) {
  if (std::isinf(value)) return value > 0 ? "oo" : "-oo";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
    return buffer;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
}

std::string join(const std::vector<NodePtr>& args, const char* separator) {
  std::string text;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) text += separator;
    text += to_text(*args[i]);
  }
  return text;
}

bool needs_parentheses(const Node& node) {
  if (node.kind == Kind::kAdd || node.kind == Kind::kRelation) return true;
  if (node.kind == Kind::kRational) return node.rational.den != 1 || node.rational.num < 0;
  if (node.kind == Kind::kFloat) return node.real < 0;
  return false;
}

std::string wrapped(const Node& node) {
  return needs_parentheses(node) ? "(" + to_text(node) + ")" : to_text(node);
}

const char* relation_text(Relation relation) {
  switch (relation) {
    case Relation::kEq:
      return " = ";
    case Relation::kNe:
      return " != ";
    case Relation::kLt:
      return " < ";
    case Relation::kLe:
      return " <= ";
    case Relation::kGt:
      return " > ";
    case Relation::kGe:
      return " >= ";
  }
  return " ? ";
}

std::string mul_text(const Node& node) {
  std::string text;
  for (size_t i = 0; i < node.args.size(); ++i) {
    const Node& factor = *node.args[i];
    if (i == 0 && factor.kind == Kind::kRational && factor.rational == Rational{-1, 1} &&
        node.args.size() > 1) {
      text += "-";
      continue;
    }
    if (!text.empty() && text != "-") text += "*";
    const bool is_reciprocal = factor.kind == Kind::kPow && factor.args[1]->kind == Kind::kRational &&
                               factor.args[1]->rational == Rational{-1, 1} && i > 0;
    if (is_reciprocal) {
      text.back() = '/';
      const Node& denominator = *factor.args[0];
      text += denominator.kind == Kind::kMul ? "(" + to_text(denominator) + ")" : wrapped(denominator);
      continue;
    }
    text += wrapped(factor);
  }
  return text;
}
}  // namespace

std::string to_text(const Node& node) {
  switch (node.kind) {
    case Kind::kRational:
      return node.rational.den == 1
                 ? std::to_string(node.rational.num)
                 : std::to_string(node.rational.num) + "/" + std::to_string(node.rational.den);
    case Kind::kFloat:
      return format_double(node.real);
    case Kind::kSymbol:
      return node.name;
    case Kind::kPi:
      return "pi";
    case Kind::kE:
      return "E";
    case Kind::kImaginary:
      return "I";
    case Kind::kInfinity:
      return "oo";
    case Kind::kNaN:
      return "nan";
    case Kind::kAdd: {
      std::string text;
      for (size_t i = 0; i < node.args.size(); ++i) {
        std::string term = to_text(*node.args[i]);
        if (i > 0)
          text += (!term.empty() && term[0] == '-') ? " - " + term.substr(1) : " + " + term;
        else
          text += term;
      }
      return text;
    }
    case Kind::kMul:
      return mul_text(node);
    case Kind::kPow: {
      const Node& exponent = *node.args[1];
      if (exponent.kind == Kind::kRational && exponent.rational == Rational{1, 2}) {
        return "sqrt(" + to_text(*node.args[0]) + ")";
      }
      const bool simple_base = node.args[0]->kind == Kind::kSymbol ||
                               (node.args[0]->kind == Kind::kRational && node.args[0]->rational.den == 1 &&
                                node.args[0]->rational.num >= 0);
      std::string base = simple_base ? to_text(*node.args[0]) : "(" + to_text(*node.args[0]) + ")";
      const bool simple_exponent =
          exponent.kind == Kind::kSymbol ||
          (exponent.kind == Kind::kRational && exponent.rational.den == 1 && exponent.rational.num >= 0);
      return base + "**" + (simple_exponent ? to_text(exponent) : "(" + to_text(exponent) + ")");
    }
    case Kind::kFunction:
      return node.name + "(" + join(node.args, ", ") + ")";
    case Kind::kRelation:
      return to_text(*node.args[0]) + relation_text(node.relation) + to_text(*node.args[1]);
    case Kind::kAnd:
      return join(node.args, " & ");
    case Kind::kFiniteSet:
      return "{" + join(node.args, ", ") + "}";
    case Kind::kTuple:
      return "(" + join(node.args, ", ") + (node.args.size() == 1 ? ",)" : ")");
    case Kind::kInterval: {
      std::string text = node.left_open ? "(" : "[";
      text += to_text(*node.args[0]) + ", " + to_text(*node.args[1]);
      return text + (node.right_open ? ")" : "]");
    }
    case Kind::kUnion:
      return join(node.args, " U ");
    case Kind::kIntersection:
      return join(node.args, " n ");
    case Kind::kComplement:
      return join(node.args, " \\ ");
    case Kind::kNamedSet:
      return node.name;
    case Kind::kMatrix: {
      std::string text = "Matrix([";
      for (int row = 0; row < node.rows; ++row) {
        if (row > 0) text += ", ";
        text += "[";
        for (int col = 0; col < node.cols; ++col) {
          if (col > 0) text += ", ";
          text += to_text(*matrix_cell(node, row, col));
        }
        text += "]";
      }
      return text + "])";
    }
  }
  return "?";
}

}  // namespace evalflow::math_verify
