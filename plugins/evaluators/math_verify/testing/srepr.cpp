#include "srepr.hpp"

#include <cctype>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace evalflow::math_verify::testing {
namespace {

// A parsed srepr term: a call Name(args, key=value), a string, a number, a list or a bare name.
struct Term {
  enum class Kind { kCall, kString, kNumber, kList, kName } kind;
  std::string text;
  std::vector<Term> args;
  std::map<std::string, Term> keywords;
  std::vector<Term> applied;  // Function('f')(x): the second argument list
};

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  Term read() {
    Term term = term_();
    skip();
    if (pos_ != text_.size()) fail("trailing text");
    return term;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("srepr: " + what + " at " + std::to_string(pos_) + " in " + std::string(text_));
  }
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::vector<Term> arguments(std::map<std::string, Term>* keywords, char closer) {
    std::vector<Term> args;
    if (accept(closer)) return args;
    do {
      skip();
      const size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
        ++pos_;
      if (keywords != nullptr && pos_ > start && pos_ < text_.size() && text_[pos_] == '=') {
        const std::string key(text_.substr(start, pos_ - start));
        ++pos_;
        (*keywords)[key] = term_();
        continue;
      }
      pos_ = start;
      args.push_back(term_());
    } while (accept(','));
    if (!accept(closer)) fail(std::string("expected '") + closer + "'");
    return args;
  }
  Term term_() {
    skip();
    if (pos_ >= text_.size()) fail("unexpected end");
    const char c = text_[pos_];
    if (c == '\'' || c == '"') {
      const size_t end = text_.find(c, pos_ + 1);
      if (end == std::string_view::npos) fail("unterminated string");
      std::string content(text_.substr(pos_ + 1, end - pos_ - 1));
      // Python string escapes: srepr writes a backslash as two.
      for (size_t at = content.find("\\\\"); at != std::string::npos; at = content.find("\\\\", at + 1)) {
        content.erase(at, 1);
      }
      Term term{Term::Kind::kString, content, {}, {}, {}};
      pos_ = end + 1;
      return term;
    }
    if (c == '[') {
      ++pos_;
      return Term{Term::Kind::kList, "", arguments(nullptr, ']'), {}, {}};
    }
    if (text_.substr(pos_, 3) == "-oo") {
      pos_ += 3;
      return Term{Term::Kind::kName, "-oo", {}, {}, {}};
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      const size_t start = pos_++;
      while (pos_ < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.'))
        ++pos_;
      return Term{Term::Kind::kNumber, std::string(text_.substr(start, pos_ - start)), {}, {}, {}};
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '.')) {
      ++pos_;
    }
    if (start == pos_) fail("unexpected character");
    Term term{Term::Kind::kName, std::string(text_.substr(start, pos_ - start)), {}, {}, {}};
    if (accept('(')) {
      term.kind = Term::Kind::kCall;
      term.args = arguments(&term.keywords, ')');
      if (accept('(')) term.applied = arguments(nullptr, ')');
    }
    return term;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

NodePtr convert(const Term& term);

std::vector<NodePtr> convert_all(const std::vector<Term>& terms) {
  std::vector<NodePtr> nodes;
  for (const Term& term : terms) nodes.push_back(convert(term));
  return nodes;
}

const std::map<std::string, Relation>& relations() {
  static const std::map<std::string, Relation> map = {
      {"Equality", Relation::kEq},       {"Eq", Relation::kEq},       {"Unequality", Relation::kNe},
      {"StrictLessThan", Relation::kLt}, {"LessThan", Relation::kLe}, {"StrictGreaterThan", Relation::kGt},
      {"GreaterThan", Relation::kGe}};
  return map;
}

NodePtr convert(const Term& term) {
  const std::string& name = term.text;
  if (term.kind == Term::Kind::kNumber) {
    if (name.find('.') != std::string::npos) return make_float(std::strtod(name.c_str(), nullptr));
    return make_integer(std::stoll(name));
  }
  if (term.kind == Term::Kind::kName) {
    if (name == "pi") return make_constant(Kind::kPi);
    if (name == "E") return make_constant(Kind::kE);
    if (name == "I") return make_constant(Kind::kImaginary);
    if (name == "oo") return make_constant(Kind::kInfinity);
    if (name == "-oo") return negate(make_constant(Kind::kInfinity));
    if (name == "zoo" || name == "nan") return make_constant(Kind::kNaN);
    if (name == "EmptySet" || name == "Reals" || name == "Integers" || name == "Naturals" ||
        name == "Rationals" || name == "Complexes") {
      return make_named_set(name);
    }
    throw std::runtime_error("srepr: unknown name " + name);
  }
  if (term.kind != Term::Kind::kCall) throw std::runtime_error("srepr: unexpected term " + name);
  const auto& args = term.args;
  if (name == "Integer") return make_integer(std::stoll(args.at(0).text));
  if (name == "Rational") {
    return make_rational(*Rational::make(std::stoll(args.at(0).text), std::stoll(args.at(1).text)));
  }
  if (name == "Float") return make_float(std::strtod(args.at(0).text.c_str(), nullptr));
  if (name == "Symbol") return make_symbol(args.at(0).text, true);
  if (name == "Function") return make_function(args.at(0).text, convert_all(term.applied));
  if (name == "Add" || name == "Mul" || name == "Pow" || name == "FiniteSet" || name == "Tuple" ||
      name == "Union" || name == "Intersection" || name == "Complement" || name == "And") {
    static const std::map<std::string, Kind> kinds = {{"Add", Kind::kAdd},
                                                      {"Mul", Kind::kMul},
                                                      {"Pow", Kind::kPow},
                                                      {"FiniteSet", Kind::kFiniteSet},
                                                      {"Tuple", Kind::kTuple},
                                                      {"Union", Kind::kUnion},
                                                      {"Intersection", Kind::kIntersection},
                                                      {"Complement", Kind::kComplement},
                                                      {"And", Kind::kAnd}};
    return make_node(kinds.at(name), convert_all(args));
  }
  if (auto relation = relations().find(name); relation != relations().end()) {
    return make_relation(relation->second, convert(args.at(0)), convert(args.at(1)));
  }
  if (name == "Interval") {
    const bool left_open = args.size() > 2 && args[2].text == "true";
    const bool right_open = args.size() > 3 && args[3].text == "true";
    return make_interval(convert(args.at(0)), convert(args.at(1)), left_open, right_open);
  }
  if (name == "UnevaluatedExpr") return convert(args.at(0));
  if (name == "exp") return make_node(Kind::kPow, {make_constant(Kind::kE), convert(args.at(0))});
  if (name == "log") {
    NodePtr base = args.size() > 1 ? convert(args[1]) : make_constant(Kind::kE);
    return make_function("log", {convert(args.at(0)), base});
  }
  if (name == "ImmutableDenseMatrix" || name == "MutableDenseMatrix" || name == "Matrix") {
    const Term& rows = args.at(0);
    std::vector<NodePtr> cells;
    for (const Term& row : rows.args) {
      for (const Term& cell : row.args) cells.push_back(convert(cell));
    }
    const int row_count = static_cast<int>(rows.args.size());
    const int col_count = row_count == 0 ? 0 : static_cast<int>(rows.args[0].args.size());
    return make_matrix(row_count, col_count, std::move(cells));
  }
  static const char* kFunctions[] = {
      "Abs",  "floor", "ceiling", "Max",   "Min",       "Mod",      "sin",   "cos",  "tan",  "cot",
      "sec",  "csc",   "asin",    "acos",  "atan",      "acot",     "asec",  "acsc", "sinh", "cosh",
      "tanh", "asinh", "acosh",   "atanh", "factorial", "binomial", "gamma", "gcd",  "lcm"};
  for (const char* function : kFunctions) {
    if (name == function) return make_function(name, convert_all(args));
  }
  throw std::runtime_error("srepr: unsupported constructor " + name);
}

}  // namespace

NodePtr parse_srepr(std::string_view text) {
  return convert(Reader(text).read());
}

}  // namespace evalflow::math_verify::testing
