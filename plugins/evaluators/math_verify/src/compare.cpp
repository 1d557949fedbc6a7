#include "compare.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "evaluate.hpp"

namespace evalflow::math_verify {
namespace {

constexpr double kConstantTolerance = 1e-12;  // endpoints of real sets
constexpr double kIdentityTolerance = 1e-8;   // a-b vanishing at sample points
constexpr int kSamplePoints = 4;

bool is_relation(const Node& node) {
  if (node.kind == Kind::kRelation) return true;
  if (node.kind != Kind::kAnd || node.args.empty()) return false;
  return std::all_of(node.args.begin(), node.args.end(),
                     [](const NodePtr& arg) { return arg->kind == Kind::kRelation; });
}

bool is_equation(const Node& node) {
  if (node.kind == Kind::kRelation) return node.relation == Relation::kEq;
  if (node.kind != Kind::kAnd || node.args.empty()) return false;
  return std::all_of(node.args.begin(), node.args.end(), [](const NodePtr& arg) {
    return arg->kind == Kind::kRelation && arg->relation == Relation::kEq;
  });
}

bool is_assignment(const Node& node) {
  if (node.kind == Kind::kRelation) return node.relation == Relation::kEq && is_only_symbols(*node.args[0]);
  return is_equation(node) && is_only_symbols(*node.args[0]->args[0]);
}

const NodePtr& first_relation(const NodePtr& node) {
  return node->kind == Kind::kAnd ? node->args.front() : node;
}
const NodePtr& last_relation(const NodePtr& node) {
  return node->kind == Kind::kAnd ? node->args.back() : node;
}

bool is_sympy_set(const Node& node) {
  return is_set_like(node);
}
bool is_set_or_tuple(const Node& node) {
  return is_set_like(node) || node.kind == Kind::kTuple;
}

bool is_zero(const Node& node) {
  return node.kind == Kind::kRational && node.rational.num == 0;
}

NodePtr difference(const NodePtr& a, const NodePtr& b) {
  if (is_zero(*b)) return a;
  return add_flat(a, negate(b));
}

std::optional<double> constant_real(const Node& node, Budget& budget) {
  if (!free_symbols(node).empty()) return std::nullopt;
  auto value = evaluate(node, {}, budget);
  if (!value || std::fabs(value->imag()) > 1e-12 * std::max(1.0, std::fabs(value->real())))
    return std::nullopt;
  return value->real();
}

bool is_negative_infinity(const Node& node) {
  return node.kind == Kind::kMul && node.args.size() == 2 && node.args[0]->kind == Kind::kRational &&
         node.args[0]->rational == Rational{-1, 1} && node.args[1]->kind == Kind::kInfinity;
}

// Deterministic sample values for free symbols: real symbols get reals of both signs away from 0.
std::vector<SymbolValue> sample_point(const std::vector<std::string>& names, const NodePtr& a,
                                      const NodePtr& b, int point) {
  std::vector<SymbolValue> values;
  std::function<bool(const Node&, const std::string&)> find_real = [&](const Node& node,
                                                                       const std::string& name) {
    if (node.kind == Kind::kSymbol && node.name == name) return node.is_real;
    for (const NodePtr& arg : node.args) {
      if (!find_real(*arg, name)) return false;
    }
    return true;
  };
  for (size_t i = 0; i < names.size(); ++i) {
    const size_t seed = std::hash<std::string>{}(names[i]) + static_cast<size_t>(point) * 7919u + i * 104729u;
    const double magnitude = 0.35 + static_cast<double>(seed % 1000) / 450.0;
    const double sign = (point + static_cast<int>(i)) % 3 == 2 ? -1.0 : 1.0;
    const bool real = find_real(*a, names[i]) && find_real(*b, names[i]);
    const double imaginary = real ? 0.0 : static_cast<double>((seed / 1000) % 1000) / 700.0 - 0.7;
    values.push_back({names[i], Complex(sign * magnitude, imaginary)});
  }
  return values;
}

bool close(Complex a, Complex b, double tolerance) {
  if (std::isinf(a.real()) || std::isinf(b.real())) return a == b;
  return std::abs(a - b) <= tolerance * std::max({1.0, std::abs(a), std::abs(b)});
}

class Comparator {
 public:
  Comparator(int float_rounding, Budget& budget) : float_rounding_(float_rounding), budget_(budget) {}

  bool equal(NodePtr gold, NodePtr pred) {
    budget_.charge();
    const bool gold_assignment = is_assignment(*gold);
    const bool pred_assignment = is_assignment(*pred);
    const bool gold_equation = is_equation(*gold);
    const bool pred_equation = is_equation(*pred);
    if (gold_assignment) {
      gold = make_relation(Relation::kEq, first_relation(gold)->args[0], last_relation(gold)->args[1]);
    }
    if (pred_assignment) {
      pred = make_relation(Relation::kEq, first_relation(pred)->args[0], last_relation(pred)->args[1]);
    }
    if (pred_equation && !gold_equation) {
      pred = last_relation(pred)->args[1];
    } else if (gold_assignment && !pred_equation) {
      gold = last_relation(gold)->args[1];
    }
    if (is_relation(*gold) && is_sympy_set(*pred)) {
      if (NodePtr as_set = relation_as_set(gold)) gold = as_set;
    }
    if (gold->kind == Kind::kNaN) return false;  // sympy raises on nan: the comparison fails
    if (structurally_equal(*gold, *pred)) return true;
    if (is_relation(*gold) && is_relation(*pred)) return relations_equal(gold, pred);
    if (is_set_or_tuple(*gold) || is_set_or_tuple(*pred)) return sets_equal(gold, pred);
    if (gold->kind == Kind::kSymbol || pred->kind == Kind::kSymbol) return symbols_equal(*gold, *pred);
    return numerically_equal(gold, pred) || symbolically_equal(gold, pred);
  }

 private:
  // --- numbers and expressions -----------------------------------------------------------------
  static bool is_atomic_or_percent(const Node& node, bool float_only) {
    auto atomic = [float_only](const Node& n) { return float_only ? n.kind == Kind::kFloat : is_number(n); };
    if (atomic(node)) return true;
    return node.kind == Kind::kMul && node.args.size() == 2 && node.args[1]->kind == Kind::kRational &&
           node.args[1]->rational == Rational{1, 100} && atomic(*node.args[0]);
  }

  [[nodiscard]] bool rounded_equal(const ExactNumber& a, const ExactNumber& b) const {
    const double scale = std::pow(10.0, float_rounding_);
    return std::llround(a.as_double() * scale) == std::llround(b.as_double() * scale);
  }

  // Math-Verify's sympy_numeric_eq: only atomic numbers are compared numerically (rounded when a
  // float takes part, exactly otherwise); everything else is left to the symbolic check.
  bool numerically_equal(const NodePtr& a_input, const NodePtr& b_input) {
    // Matrix sums and products are carried out first, as sympy's doit() does.
    const NodePtr a_matrix = evaluate_matrix(a_input);
    const NodePtr b_matrix = evaluate_matrix(b_input);
    const NodePtr& a = a_matrix && b_matrix ? a_matrix : a_input;
    const NodePtr& b = a_matrix && b_matrix ? b_matrix : b_input;
    if (a->kind == Kind::kMatrix && b->kind == Kind::kMatrix) {
      if (a->rows != b->rows || a->cols != b->cols) return false;
      for (size_t i = 0; i < a->args.size(); ++i) {
        if (!numerically_equal(a->args[i], b->args[i])) return false;
      }
      return true;
    }
    if (!is_atomic_or_percent(*a, false) && !is_atomic_or_percent(*b, false)) return false;
    auto exact_a = exact_number(*a);
    auto exact_b = exact_number(*b);
    if (!exact_a || !exact_b) return false;
    if (is_atomic_or_percent(*a, true) || is_atomic_or_percent(*b, true))
      return rounded_equal(*exact_a, *exact_b);
    if (!exact_a->is_float && !exact_b->is_float) return exact_a->rational == exact_b->rational;
    return exact_a->as_double() == exact_b->as_double();
  }

  // A float under a root or inside a function is evaluated by sympy into a float that never cancels
  // against exact irrationals: 5*sqrt(2.12) - sqrt(53) does not simplify to zero.
  static bool has_opaque_float(const Node& node, bool inside) {
    if (node.kind == Kind::kFloat) return inside;
    if (node.kind == Kind::kPow) {
      const Node& exponent = *node.args[1];
      const bool integer_exponent = exponent.kind == Kind::kRational && exponent.rational.den == 1;
      return has_opaque_float(*node.args[0], inside || !integer_exponent) || has_opaque_float(exponent, true);
    }
    const bool opaque = inside || node.kind == Kind::kFunction;
    return std::any_of(node.args.begin(), node.args.end(),
                       [&](const NodePtr& arg) { return has_opaque_float(*arg, opaque); });
  }

  bool symbolically_equal(const NodePtr& a, const NodePtr& b) {
    if (a->kind == Kind::kMatrix || b->kind == Kind::kMatrix) {
      if (a->kind != b->kind || a->rows != b->rows || a->cols != b->cols) return false;
      for (size_t i = 0; i < a->args.size(); ++i) {
        if (!numerically_equal(a->args[i], b->args[i]) && !symbolically_equal(a->args[i], b->args[i])) {
          return false;
        }
      }
      return true;
    }
    if (has_opaque_float(*a, false) || has_opaque_float(*b, false)) {
      auto exact_a = exact_number(*a);
      auto exact_b = exact_number(*b);
      return exact_a && exact_b && close(Complex(exact_a->as_double()), Complex(exact_b->as_double()), 1e-15);
    }
    std::vector<std::string> names = free_symbols(*a);
    for (const std::string& name : free_symbols(*b)) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    int agreeing = 0;
    const int points = names.empty() ? 1 : kSamplePoints;
    for (int point = 0; point < points; ++point) {
      const std::vector<SymbolValue> values = sample_point(names, a, b, point);
      auto value_a = evaluate(*a, values, budget_);
      auto value_b = evaluate(*b, values, budget_);
      if (!value_a || !value_b) continue;
      if (!std::isfinite(value_a->real()) || !std::isfinite(value_b->real())) {
        if (*value_a != *value_b) return false;
        ++agreeing;
        continue;
      }
      if (!close(*value_a, *value_b, names.empty() ? 1e-10 : kIdentityTolerance)) return false;
      ++agreeing;
    }
    return names.empty() ? agreeing == 1 : agreeing >= 2;
  }

  // --- symbols ---------------------------------------------------------------------------------
  static bool symbols_equal(const Node& gold, const Node& pred) {
    auto is_e_symbol = [](const Node& n) {
      return n.kind == Kind::kSymbol && (n.name == "e" || n.name == "E");
    };
    if ((is_e_symbol(gold) && pred.kind == Kind::kE) || (is_e_symbol(pred) && gold.kind == Kind::kE))
      return true;
    auto lower = [](std::string text) {
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return text;
    };
    // abc parses as a*b*c: compare the letters joined (E counts as "e").
    auto concatenated = [&](const Node& product) -> std::optional<std::string> {
      if (product.kind != Kind::kMul) return std::nullopt;
      std::string joined;
      for (const NodePtr& arg : product.args) {
        if (arg->kind == Kind::kSymbol)
          joined += arg->name;
        else if (arg->kind == Kind::kE)
          joined += "e";
        else
          return std::nullopt;
      }
      return joined;
    };
    if (gold.kind == Kind::kSymbol) {
      if (auto joined = concatenated(pred)) return lower(gold.name) == lower(*joined);
    }
    if (pred.kind == Kind::kSymbol) {
      if (auto joined = concatenated(gold)) return lower(pred.name) == lower(*joined);
    }
    if (gold.kind == Kind::kSymbol && pred.kind == Kind::kSymbol) {
      const std::string g = gold.name.size() > 1 ? lower(gold.name) : gold.name;
      const std::string p = pred.name.size() > 1 ? lower(pred.name) : pred.name;
      return g == p;
    }
    return false;
  }

  // --- relations -------------------------------------------------------------------------------
  static std::optional<Relation> inverse(Relation relation) {
    switch (relation) {
      case Relation::kLt:
        return Relation::kGt;
      case Relation::kGt:
        return Relation::kLt;
      case Relation::kLe:
        return Relation::kGe;
      case Relation::kGe:
        return Relation::kLe;
      case Relation::kEq:
        return Relation::kEq;
      case Relation::kNe:
        return std::nullopt;
    }
    return std::nullopt;
  }

  bool relations_equal(const NodePtr& gold, const NodePtr& pred) {
    if (gold->kind == Kind::kAnd && pred->kind == Kind::kAnd) {
      // zip(): the shorter chain decides, as in Math-Verify.
      for (size_t i = 0; i < std::min(gold->args.size(), pred->args.size()); ++i) {
        if (!relations_equal(gold->args[i], pred->args[i])) return false;
      }
      return true;
    }
    if (gold->kind != Kind::kRelation || pred->kind != Kind::kRelation) return false;
    const NodePtr gold_difference = difference(gold->args[0], gold->args[1]);
    if (gold->relation == pred->relation &&
        equal(gold_difference, difference(pred->args[0], pred->args[1]))) {
      return true;
    }
    const auto flipped = inverse(gold->relation);
    if (!flipped) return false;  // Math-Verify has no inverse for != and its lookup fails
    if (*flipped == pred->relation && equal(gold_difference, difference(pred->args[1], pred->args[0])))
      return true;
    return same_solutions(gold, pred);
  }

  // Two relations over the same variables have the same solutions when their sides' differences
  // are proportional (positively so for inequalities of the same direction).
  bool same_solutions(const NodePtr& gold, const NodePtr& pred) {
    const NodePtr dg = difference(gold->args[0], gold->args[1]);
    NodePtr dp = difference(pred->args[0], pred->args[1]);
    const std::vector<std::string> names = free_symbols(*dg);
    if (names.empty() || names != free_symbols(*dp)) return false;
    const bool is_equation = gold->relation == Relation::kEq && pred->relation == Relation::kEq;
    if (!is_equation) {
      if (names.size() != 1) return false;  // sympy cannot solve multivariate inequalities
      if (gold->relation != pred->relation && inverse(gold->relation) != pred->relation) return false;
      if (gold->relation != pred->relation) dp = negate(dp);
    }
    std::optional<Complex> ratio;
    int agreeing = 0;
    for (int point = 0; point < kSamplePoints; ++point) {
      const std::vector<SymbolValue> values = sample_point(names, dg, dp, point);
      auto value_g = evaluate(*dg, values, budget_);
      auto value_p = evaluate(*dp, values, budget_);
      if (!value_g || !value_p || std::abs(*value_p) < 1e-12) continue;
      const Complex current = *value_g / *value_p;
      if (ratio && !close(*ratio, current, kIdentityTolerance)) return false;
      ratio = current;
      ++agreeing;
    }
    if (!ratio || agreeing < 2 || std::abs(*ratio) < 1e-12) return false;
    return is_equation || (std::fabs(ratio->imag()) < 1e-12 && ratio->real() > 0);
  }

  // 1 < x < 2 as the interval (1, 2), so that it can match a set answer.
  NodePtr relation_as_set(const NodePtr& relation) {
    if (relation->kind == Kind::kAnd) {
      NodePtr result;
      for (const NodePtr& part : relation->args) {
        NodePtr piece = relation_as_set(part);
        if (!piece || piece->kind != Kind::kInterval) return nullptr;
        if (!result) {
          result = piece;
          continue;
        }
        auto lo_a = constant_real(*result->args[0], budget_);
        auto lo_b = constant_real(*piece->args[0], budget_);
        auto hi_a = constant_real(*result->args[1], budget_);
        auto hi_b = constant_real(*piece->args[1], budget_);
        if (!lo_a || !lo_b || !hi_a || !hi_b) return nullptr;
        const bool take_lo_b = *lo_b > *lo_a || (*lo_b == *lo_a && piece->left_open);
        const bool take_hi_b = *hi_b < *hi_a || (*hi_b == *hi_a && piece->right_open);
        result = make_interval(take_lo_b ? piece->args[0] : result->args[0],
                               take_hi_b ? piece->args[1] : result->args[1],
                               take_lo_b ? piece->left_open : result->left_open,
                               take_hi_b ? piece->right_open : result->right_open);
      }
      return result;
    }
    if (relation->kind != Kind::kRelation || relation->relation == Relation::kEq ||
        relation->relation == Relation::kNe) {
      return nullptr;
    }
    const NodePtr& lhs = relation->args[0];
    const NodePtr& rhs = relation->args[1];
    // The unknown: a symbol, or an undefined function f(x) (Math-Verify renames it to a symbol).
    auto is_unknown = [](const Node& node) {
      return node.kind == Kind::kSymbol || (node.kind == Kind::kFunction && !is_known_function(node.name));
    };
    Relation op = relation->relation;
    NodePtr bound;
    if (is_unknown(*lhs) && free_symbols(*rhs).empty()) {
      bound = rhs;
    } else if (is_unknown(*rhs) && free_symbols(*lhs).empty()) {
      bound = lhs;
      op = *inverse(op);
    } else {
      return nullptr;
    }
    const NodePtr infinity = make_constant(Kind::kInfinity);
    switch (op) {
      case Relation::kLt:
        return make_interval(negate(infinity), bound, true, true);
      case Relation::kLe:
        return make_interval(negate(infinity), bound, true, false);
      case Relation::kGt:
        return make_interval(bound, infinity, true, true);
      case Relation::kGe:
        return make_interval(bound, infinity, false, true);
      default:
        return nullptr;
    }
  }

  // --- sets ------------------------------------------------------------------------------------
  static bool effectively_open(const Node& endpoint, bool open) {
    return open || endpoint.kind == Kind::kInfinity || is_negative_infinity(endpoint);
  }

  bool intervals_equal(const NodePtr& a, const NodePtr& b) {
    return effectively_open(*a->args[0], a->left_open) == effectively_open(*b->args[0], b->left_open) &&
           effectively_open(*a->args[1], a->right_open) == effectively_open(*b->args[1], b->right_open) &&
           equal(a->args[0], b->args[0]) && equal(a->args[1], b->args[1]);
  }

  struct Span {
    double lo;
    double hi;
    bool lo_open;
    bool hi_open;
  };

  std::optional<std::vector<Span>> real_spans(const Node& set) {
    std::vector<Span> spans;
    switch (set.kind) {
      case Kind::kInterval: {
        auto lo = endpoint_value(*set.args[0]);
        auto hi = endpoint_value(*set.args[1]);
        if (!lo || !hi) return std::nullopt;
        if (*lo < *hi || (*lo == *hi && !set.left_open && !set.right_open)) {
          spans.push_back({*lo, *hi, effectively_open(*set.args[0], set.left_open),
                           effectively_open(*set.args[1], set.right_open)});
        }
        break;
      }
      case Kind::kFiniteSet:
        for (const NodePtr& member : set.args) {
          auto value = constant_real(*member, budget_);
          if (!value) return std::nullopt;
          spans.push_back({*value, *value, false, false});
        }
        break;
      case Kind::kUnion:
        for (const NodePtr& member : set.args) {
          auto part = real_spans(*member);
          if (!part) return std::nullopt;
          spans.insert(spans.end(), part->begin(), part->end());
        }
        break;
      case Kind::kNamedSet:
        if (set.name == "Reals")
          spans.push_back({-HUGE_VAL, HUGE_VAL, true, true});
        else if (set.name != "EmptySet")
          return std::nullopt;
        break;
      default:
        return std::nullopt;
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
      return a.lo < b.lo || (a.lo == b.lo && !a.lo_open && b.lo_open);
    });
    std::vector<Span> merged;
    for (const Span& span : spans) {
      if (!merged.empty()) {
        Span& last = merged.back();
        const bool touches = span.lo < last.hi || (span.lo == last.hi && (!span.lo_open || !last.hi_open));
        if (touches) {
          if (span.hi > last.hi || (span.hi == last.hi && !span.hi_open)) {
            last.hi_open = span.hi == last.hi ? last.hi_open && span.hi_open : span.hi_open;
            last.hi = std::max(last.hi, span.hi);
          }
          continue;
        }
      }
      merged.push_back(span);
    }
    return merged;
  }

  std::optional<double> endpoint_value(const Node& node) {
    if (node.kind == Kind::kInfinity) return HUGE_VAL;
    if (is_negative_infinity(node)) return -HUGE_VAL;
    return constant_real(node, budget_);
  }

  static bool same_point(double a, double b) {
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::fabs(a - b) <= kConstantTolerance * std::max(1.0, std::fabs(a));
  }

  bool real_sets_equal(const Node& a, const Node& b) {
    auto spans_a = real_spans(a);
    auto spans_b = real_spans(b);
    if (!spans_a || !spans_b || spans_a->size() != spans_b->size()) return false;
    for (size_t i = 0; i < spans_a->size(); ++i) {
      const Span& x = (*spans_a)[i];
      const Span& y = (*spans_b)[i];
      if (!same_point(x.lo, y.lo) || !same_point(x.hi, y.hi) || x.lo_open != y.lo_open ||
          x.hi_open != y.hi_open) {
        return false;
      }
    }
    return true;
  }

  static std::vector<NodePtr> unique_members(const Node& set) {
    std::vector<NodePtr> members;
    for (const NodePtr& member : set.args) {
      const bool seen = std::any_of(members.begin(), members.end(),
                                    [&](const NodePtr& kept) { return structurally_equal(*kept, *member); });
      if (!seen) members.push_back(member);
    }
    return members;
  }

  std::vector<NodePtr> sorted_members(const Node& set) {
    std::vector<NodePtr> members = set.kind == Kind::kFiniteSet ? unique_members(set) : set.args;
    std::vector<std::pair<std::pair<int, double>, std::string>> keys;
    std::vector<size_t> order(members.size());
    for (size_t i = 0; i < members.size(); ++i) {
      NodePtr key_source = members[i];
      if (is_assignment(*key_source)) key_source = last_relation(key_source)->args[1];
      auto value = constant_real(*key_source, budget_);
      keys.push_back({{value ? 0 : 1, value.value_or(0)}, to_text(*key_source)});
      order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
    std::vector<NodePtr> sorted;
    sorted.reserve(order.size());
    for (size_t i : order) sorted.push_back(members[i]);
    return sorted;
  }

  bool members_equal(const NodePtr& gold, const NodePtr& pred) {
    const std::vector<NodePtr> gold_members =
        gold->kind == Kind::kFiniteSet ? unique_members(*gold) : gold->args;
    const std::vector<NodePtr> pred_members =
        pred->kind == Kind::kFiniteSet ? unique_members(*pred) : pred->args;
    if (gold_members.size() != pred_members.size()) return false;
    std::vector<NodePtr> gold_order = gold_members;
    std::vector<NodePtr> pred_order = pred_members;
    if (gold->kind == Kind::kFiniteSet) {
      gold_order = sorted_members(*gold);
      pred_order = sorted_members(*pred);
    } else if (pred->kind == Kind::kFiniteSet && gold->kind != Kind::kTuple) {
      pred_order = sorted_members(*pred);
    }
    for (size_t i = 0; i < gold_order.size(); ++i) {
      if (!equal(gold_order[i], pred_order[i])) return false;
    }
    return true;
  }

  bool sets_equal(const NodePtr& gold, const NodePtr& pred) {
    const NodePtr a = is_set_or_tuple(*gold) ? gold : make_node(Kind::kFiniteSet, {gold});
    const NodePtr b = is_set_or_tuple(*pred) ? pred : make_node(Kind::kFiniteSet, {pred});
    if (a->kind == Kind::kInterval && b->kind == Kind::kInterval) return intervals_equal(a, b);
    if (structurally_equal(*a, *b)) return true;
    if (is_sympy_set(*a) && is_sympy_set(*b) && real_sets_equal(*a, *b)) return true;
    auto listy = [](const Node& n) { return n.kind == Kind::kFiniteSet || n.kind == Kind::kTuple; };
    if (listy(*a) && listy(*b)) return members_equal(a, b);
    auto open_pair = [](const Node& interval) {
      return interval.kind == Kind::kInterval && interval.left_open && interval.right_open;
    };
    if (open_pair(*a) && listy(*b) && unique_members(*b).size() == 2) {
      return members_equal(make_node(Kind::kTuple, a->args), b);
    }
    if (open_pair(*b) && listy(*a) && unique_members(*a).size() == 2) {
      return members_equal(a, make_node(Kind::kTuple, b->args));
    }
    return false;
  }

  int float_rounding_;
  Budget& budget_;
};

bool strings_equal(const std::string& a, const std::string& b) {
  auto strip = [](const std::string& text) {
    const size_t begin = text.find_first_not_of(" \t\r\n\f\v");
    if (begin == std::string::npos) return std::string();
    return text.substr(begin, text.find_last_not_of(" \t\r\n\f\v") - begin + 1);
  };
  const std::string left = strip(a);
  return !left.empty() && left == strip(b);
}

}  // namespace

bool expressions_equal(const NodePtr& gold, const NodePtr& pred, int float_rounding, Budget& budget) {
  return Comparator(float_rounding, budget).equal(gold, pred);
}

bool verify(const std::vector<Answer>& gold, const std::vector<Answer>& target, int float_rounding,
            Budget& budget) {
  for (const Answer& g : gold) {
    for (const Answer& t : target) {
      const auto* gold_node = std::get_if<NodePtr>(&g);
      const auto* target_node = std::get_if<NodePtr>(&t);
      if (gold_node && target_node) {
        try {
          if (expressions_equal(*gold_node, *target_node, float_rounding, budget)) return true;
        } catch (const BudgetExceeded&) {
        }
      } else if (!gold_node && !target_node) {
        if (strings_equal(std::get<std::string>(g), std::get<std::string>(t))) return true;
      }
    }
  }
  return false;
}

}  // namespace evalflow::math_verify
