#include "latex_parser.hpp"

#include <numeric>
#include <optional>

#include "evaluate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>

namespace evalflow::math_verify {
namespace {

constexpr int kMaxDepth = 200;

bool is_integer(const NodePtr& node) {
  return node->kind == Kind::kRational && node->rational.den == 1;
}

// Numbers as latex2sympy2_extended reads them: commas dropped, leading zeros of integers dropped.
NodePtr parse_number_text(std::string text) {
  std::erase(text, ',');
  std::erase(text, ' ');
  const bool has_point = text.find('.') != std::string::npos || text.find('E') != std::string::npos;
  if (!has_point) {
    size_t first = text.find_first_not_of('0');
    text = first == std::string::npos ? "0" : text.substr(first);
    if (text.size() <= 18) return make_integer(std::stoll(text));
  }
  return make_float(std::strtod(text.c_str(), nullptr));
}

std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// latex2sympy's get_symbol: greek names, lower-casing, pi and gamma as constants.
NodePtr symbol_from_text(std::string name, bool is_real) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "pi") return make_constant(Kind::kPi);
  if (name == "gamma") return make_function("EulerGamma", {});
  return make_symbol(std::move(name), is_real);
}

// ^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$ : a number with thousands separators.
bool is_comma_number(std::string_view text) {
  size_t i = 0;
  auto digit = [&](size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '9'; };
  auto space = [&](size_t at) {
    return at < text.size() && std::isspace(static_cast<unsigned char>(text[at]));
  };
  while (space(i)) ++i;
  if (i < text.size() && text[i] == '-') ++i;
  size_t lead = 0;
  while (digit(i) && lead < 4) ++i, ++lead;
  if (lead == 0 || lead > 3) return false;
  size_t groups = 0;
  while (i < text.size() && text[i] == ',' && digit(i + 1) && digit(i + 2) && digit(i + 3)) {
    i += 4;
    ++groups;
  }
  if (groups == 0 || digit(i)) return false;
  if (i < text.size() && text[i] == '.' && digit(i + 1)) {
    ++i;
    while (digit(i)) ++i;
  }
  while (space(i)) ++i;
  return i == text.size();
}

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens, bool is_real, Budget& budget)
      : source_(source), tokens_(std::move(tokens)), is_real_(is_real), budget_(budget) {}

  NodePtr math() {
    // Cheap predictions keep the speculative alternatives (and their exceptions) off the common path.
    if (has_token(Tok::kIn) || has_token(Tok::kAssign)) {
      if (auto result = attempt([&] { return set_elements_relation(); }, true)) return result;
    }
    if (auto result = attempt([&] { return set_elements(); }, true)) return result;
    pos_ = 0;
    NodePtr result = set_relation();
    expect(Tok::kEnd);
    return result;
  }

 private:
  using Elements = std::vector<std::vector<NodePtr>>;

  // --- token helpers -------------------------------------------------------------------------
  [[nodiscard]] const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  [[nodiscard]] bool at(Tok kind) const { return peek().kind == kind; }
  bool accept(Tok kind) {
    if (!at(kind)) return false;
    ++pos_;
    return true;
  }
  const Token& advance() {
    const Token& token = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return token;
  }
  void expect(Tok kind) {
    if (!accept(kind)) fail("unexpected token '" + peek().raw + "'");
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError("LaTeX parser: " + what + " at token " + std::to_string(pos_));
  }

  [[nodiscard]] bool has_token(Tok kind) const {
    return std::any_of(tokens_.begin(), tokens_.end(),
                       [kind](const Token& token) { return token.kind == kind; });
  }

  static bool is_opener(Tok kind) {
    return kind == Tok::kLParen || kind == Tok::kLBracket || kind == Tok::kLBrace ||
           kind == Tok::kLBraceVisual || kind == Tok::kLParenVisual || kind == Tok::kLBrack ||
           kind == Tok::kLGroup || kind == Tok::kLBraceCmd;
  }
  static bool is_closer(Tok kind) {
    return kind == Tok::kRParen || kind == Tok::kRBracket || kind == Tok::kRBrace ||
           kind == Tok::kRBraceVisual || kind == Tok::kRParenVisual || kind == Tok::kRBrack ||
           kind == Tok::kRGroup || kind == Tok::kRBraceCmd;
  }

  // Whether the group opening here holds a comma at its own level, as an interval must.
  [[nodiscard]] bool group_has_comma() const {
    int depth = 0;
    for (size_t i = pos_; i < tokens_.size(); ++i) {
      const Tok kind = tokens_[i].kind;
      if (is_opener(kind))
        ++depth;
      else if (is_closer(kind) && --depth <= 0)
        return false;
      else if (kind == Tok::kComma && depth == 1)
        return true;
    }
    return false;
  }

  // A letter followed (after optional scripts) by ( or [ may be a function call f(x).
  [[nodiscard]] bool may_be_function_call() const {
    size_t i = pos_ + 1;
    for (int scripts = 0; scripts < 2; ++scripts) {
      if (i >= tokens_.size() || (tokens_[i].kind != Tok::kUnderscore && tokens_[i].kind != Tok::kCaret))
        break;
      ++i;
      if (i < tokens_.size() && tokens_[i].kind == Tok::kLBrace) {
        int depth = 0;
        for (; i < tokens_.size(); ++i) {
          if (tokens_[i].kind == Tok::kLBrace) ++depth;
          if (tokens_[i].kind == Tok::kRBrace && --depth == 0) break;
        }
      }
      ++i;
    }
    if (i >= tokens_.size()) return false;
    const Tok next = tokens_[i].kind;
    if (next == Tok::kLParen || next == Tok::kLBracket) return true;
    return next == Tok::kLBrace && i + 1 < tokens_.size() &&
           (tokens_[i + 1].kind == Tok::kLParen || tokens_[i + 1].kind == Tok::kLBracket);
  }

  // Runs a parse alternative; on ParseError restores the position and returns null.
  NodePtr attempt(const std::function<NodePtr()>& alternative, bool whole_input) {
    const size_t start = pos_;
    budget_.charge();
    try {
      NodePtr result = alternative();
      if (!whole_input || at(Tok::kEnd)) return result;
    } catch (const ParseError&) {
    }
    pos_ = start;
    return nullptr;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& parser) : parser_(parser) {
      if (++parser_.depth_ > kMaxDepth) parser_.fail("nesting too deep");
      parser_.budget_.charge();
    }
    ~DepthGuard() { --parser_.depth_; }
    Parser& parser_;
  };

  // --- sets and elements ---------------------------------------------------------------------
  NodePtr set_elements_relation() {
    NodePtr target = atom_expr_list();
    if (!at(Tok::kIn) && !at(Tok::kAssign)) fail("not an element relation");
    advance();
    Elements elements = semicolon_elements(false);
    return make_relation(Relation::kEq, target, elements_to_set_or_tuple(elements));
  }

  NodePtr set_elements() {
    Elements elements = semicolon_elements(true);
    if (!at(Tok::kEnd)) fail("trailing tokens");
    // 1,000 is one number, not the set {1, 0}.
    if (is_comma_number(source_)) {
      std::string text(source_);
      std::erase(text, ' ');
      const bool negative = !text.empty() && text[0] == '-';
      if (negative) text.erase(0, 1);
      NodePtr number = parse_number_text(text);
      return negative ? negate(number) : number;
    }
    return elements_to_set_or_tuple(elements);
  }

  static NodePtr elements_to_set_or_tuple(const Elements& elements) {
    if (elements.size() == 1) {
      if (elements[0].size() == 1) return elements[0][0];
      return make_node(Kind::kFiniteSet, elements[0]);
    }
    bool all_single = true;
    for (const auto& group : elements) all_single = all_single && group.size() == 1;
    std::vector<NodePtr> members;
    for (const auto& group : elements) {
      members.push_back(all_single ? group[0] : make_node(Kind::kTuple, group));
    }
    return make_node(Kind::kFiniteSet, std::move(members));
  }

  static std::vector<NodePtr> flatten(const Elements& elements) {
    std::vector<NodePtr> flat;
    for (const auto& group : elements) flat.insert(flat.end(), group.begin(), group.end());
    return flat;
  }

  Elements semicolon_elements(bool allow_relation) {
    Elements elements;
    do {
      std::vector<NodePtr> group;
      do {
        std::vector<NodePtr> element_values = element(allow_relation);
        group.insert(group.end(), element_values.begin(), element_values.end());
      } while (accept(Tok::kComma));
      elements.push_back(std::move(group));
    } while (accept(Tok::kSemicolon));
    return elements;
  }

  [[nodiscard]] bool at_element_end() const {
    switch (peek().kind) {
      case Tok::kComma:
      case Tok::kSemicolon:
      case Tok::kEnd:
      case Tok::kRParen:
      case Tok::kRParenVisual:
      case Tok::kRBracket:
      case Tok::kRBrace:
      case Tok::kRBraceVisual:
      case Tok::kRBrack:
      case Tok::kRBraceCmd:
        return true;
      default:
        return false;
    }
  }

  [[nodiscard]] bool at_set_atom_start() const {
    switch (peek().kind) {
      case Tok::kLParen:
      case Tok::kLParenVisual:
      case Tok::kLBracket:
      case Tok::kLBrack:
      case Tok::kLGroup:
      case Tok::kLBrace:
      case Tok::kLBraceVisual:
      case Tok::kBoxed:
      case Tok::kNamedSet:
        return true;
      default:
        return false;
    }
  }

  // element: plus_minus_expr | set_atom | relation (relation only where allowed)
  std::vector<NodePtr> element(bool allow_relation) {
    DepthGuard guard(*this);
    if (accept(Tok::kPlusMinus)) {
      NodePtr value = expr();
      return {negate(value), value};
    }
    if (at_set_atom_start()) {
      const size_t start = pos_;
      try {
        NodePtr atom = set_atom();
        if (at_element_end()) return {atom};
      } catch (const ParseError&) {
      }
      pos_ = start;
    }
    NodePtr first = expr();
    if (accept(Tok::kPlusMinus)) {
      NodePtr second = expr();
      return {add_flat(first, second), add_flat(first, negate(second))};
    }
    if (!allow_relation) return {first};
    return {relation_from(first)};
  }

  NodePtr set_atom() {
    DepthGuard guard(*this);
    if (at(Tok::kNamedSet)) return make_named_set(advance().text);
    if (at(Tok::kLBrace) && peek(1).kind == Tok::kRBrace) {
      pos_ += 2;
      return make_named_set("EmptySet");
    }
    const Tok opener = peek().kind;
    if (opener == Tok::kLParen || opener == Tok::kLBracket || opener == Tok::kLParenVisual ||
        opener == Tok::kLBrack || opener == Tok::kLGroup) {
      if (group_has_comma()) {
        if (NodePtr result = attempt([&] { return interval(); }, false)) return result;
      }
    }
    if (opener == Tok::kLParen || opener == Tok::kLParenVisual || opener == Tok::kLBracket) {
      advance();
      Elements elements = semicolon_elements(true);
      const Tok closer = opener == Tok::kLParen     ? Tok::kRParen
                         : opener == Tok::kLBracket ? Tok::kRBracket
                                                    : Tok::kRParenVisual;
      expect(closer);
      if (elements.size() == 1 && elements[0].size() == 1) return elements[0][0];
      return make_node(Kind::kTuple, flatten(elements));
    }
    if (opener == Tok::kLBrace || opener == Tok::kLBraceVisual || opener == Tok::kBoxed) {
      advance();
      if (opener == Tok::kBoxed) expect(Tok::kLBrace);
      Elements elements = semicolon_elements(true);
      expect(opener == Tok::kLBraceVisual ? Tok::kRBraceVisual : Tok::kRBrace);
      if (opener == Tok::kBoxed) return elements_to_set_or_tuple(elements);
      return make_node(Kind::kFiniteSet, flatten(elements));
    }
    fail("not a set");
  }

  NodePtr interval() {
    const Tok opener = advance().kind;
    NodePtr start = expr();
    expect(Tok::kComma);
    NodePtr end = expr();
    const Tok closer = advance().kind;
    if (closer != Tok::kRBracket && closer != Tok::kRParen && closer != Tok::kRParenVisual &&
        closer != Tok::kRBrack && closer != Tok::kRGroup) {
      fail("not an interval");
    }
    const bool left_open = opener == Tok::kLParen || opener == Tok::kLGroup || opener == Tok::kLParenVisual;
    const bool right_open = closer == Tok::kRParen || closer == Tok::kRGroup || closer == Tok::kRParenVisual;
    // An interval that would be empty is read as a pair, as latex2sympy does.
    if (auto a = numeric_value(*start), b = numeric_value(*end); a && b) {
      if ((left_open && right_open && *b <= *a) || (!left_open && !right_open && *b < *a)) {
        return make_node(Kind::kTuple, {start, end});
      }
    }
    return make_interval(start, end, left_open, right_open);
  }

  // A real value for plain numbers and infinities, enough for the empty-interval check.
  static std::optional<double> numeric_value(const Node& node) {
    if (node.kind == Kind::kRational) return node.rational.to_double();
    if (node.kind == Kind::kFloat) return node.real;
    if (node.kind == Kind::kInfinity) return HUGE_VAL;
    if (node.kind == Kind::kMul && node.args.size() == 2 && node.args[0]->kind == Kind::kRational &&
        node.args[0]->rational == Rational{-1, 1} && node.args[1]->kind == Kind::kInfinity) {
      return -HUGE_VAL;
    }
    return std::nullopt;
  }

  NodePtr set_relation() {
    const bool may_relate = has_token(Tok::kIn) || has_token(Tok::kAssign) || has_token(Tok::kNotIn);
    if (may_relate) {
      if (NodePtr result = attempt(
              [&] {
                NodePtr target = atom_expr_list();
                const Tok op = advance().kind;
                if (op != Tok::kIn && op != Tok::kAssign && op != Tok::kNotIn) fail("not a set relation");
                NodePtr value = set_relation();
                NodePtr equation = make_relation(Relation::kEq, target, value);
                return op == Tok::kNotIn ? make_function("Not", {equation}) : equation;
              },
              false)) {
        return result;
      }
    }
    NodePtr left = minus_expr();
    if (at(Tok::kSubset) || at(Tok::kSupset)) fail("subset relations are not supported");
    return left;
  }

  NodePtr minus_expr() {
    NodePtr left = union_expr();
    while (accept(Tok::kSetMinus)) left = make_node(Kind::kComplement, {left, union_expr()});
    return left;
  }

  static NodePtr as_set(const NodePtr& node) {
    return node->kind == Kind::kTuple ? make_node(Kind::kFiniteSet, node->args) : node;
  }

  NodePtr union_expr() {
    NodePtr left = intersection_expr();
    while (accept(Tok::kUnion)) left = make_node(Kind::kUnion, {as_set(left), as_set(intersection_expr())});
    return left;
  }

  NodePtr intersection_expr() {
    NodePtr left = set_group();
    while (accept(Tok::kIntersection)) {
      left = make_node(Kind::kIntersection, {as_set(left), as_set(set_group())});
    }
    return left;
  }

  NodePtr set_group() {
    DepthGuard guard(*this);
    if (at(Tok::kLParen)) {
      if (NodePtr result = attempt(
              [&] {
                advance();
                NodePtr inner = minus_expr();
                expect(Tok::kRParen);
                return inner;
              },
              false)) {
        return result;
      }
    }
    return set_atom();
  }

  NodePtr atom_expr_list() {
    if (accept(Tok::kLParen)) {
      std::vector<NodePtr> atoms{atom_expr()};
      while (accept(Tok::kComma)) atoms.push_back(atom_expr());
      expect(Tok::kRParen);
      return atoms.size() == 1 ? atoms[0] : make_node(Kind::kTuple, std::move(atoms));
    }
    return atom_expr();
  }

  // --- relations and arithmetic ----------------------------------------------------------------
  static std::optional<Relation> relation_of(Tok kind) {
    switch (kind) {
      case Tok::kAssign:
      case Tok::kEqual:
        return Relation::kEq;
      case Tok::kLt:
        return Relation::kLt;
      case Tok::kLe:
        return Relation::kLe;
      case Tok::kGt:
        return Relation::kGt;
      case Tok::kGe:
        return Relation::kGe;
      case Tok::kNe:
        return Relation::kNe;
      default:
        return std::nullopt;
    }
  }

  NodePtr relation_from(NodePtr left) {
    while (true) {
      if (accept(Tok::kApprox)) {
        NodePtr right = expr();
        // An approximation keeps the exact side; x \approx 3.1 names a value.
        if (is_only_symbols(*left)) left = right;
        continue;
      }
      if (at(Tok::kIn)) fail("unrecognized relation \\in");
      const auto found = relation_of(peek().kind);
      if (!found) return left;
      const Relation relation = *found;
      advance();
      NodePtr right = expr();
      if (left->kind == Kind::kAnd) {
        std::vector<NodePtr> chain = left->args;
        chain.push_back(make_relation(relation, chain.back()->args[1], right));
        left = make_node(Kind::kAnd, std::move(chain));
      } else if (left->kind == Kind::kRelation) {
        left = make_node(Kind::kAnd, {left, make_relation(relation, left->args[1], right)});
      } else {
        left = make_relation(relation, left, right);
      }
    }
  }

  NodePtr expr() {
    DepthGuard guard(*this);
    NodePtr left = mp(false);
    while (at(Tok::kAdd) || at(Tok::kSub)) {
      const bool subtract = advance().kind == Tok::kSub;
      NodePtr right = mp(false);
      if (subtract) right = is_number(*right) ? negate(right) : mul_flat(make_integer(-1), right);
      left = add_flat(left, right);
    }
    return left;
  }

  NodePtr mp(bool no_func) {
    NodePtr left = unary(no_func);
    while (true) {
      const Tok op = peek().kind;
      if (op != Tok::kMul && op != Tok::kDiv && op != Tok::kColon && op != Tok::kMod) return left;
      advance();
      NodePtr right = unary(no_func);
      if (op == Tok::kMul) {
        left = mul_flat(left, right);
      } else if (op == Tok::kMod) {
        left = make_function("Mod", {left, right});
      } else {
        left = divide(left, right);
      }
    }
  }

  static NodePtr divide(const NodePtr& top, const NodePtr& bottom) {
    if (is_integer(top) && is_integer(bottom)) {
      if (bottom->rational.num == 0) return make_constant(Kind::kNaN);
      if (auto value = Rational::make(top->rational.num, bottom->rational.num)) return make_rational(*value);
    }
    return make_node(Kind::kMul, {top, reciprocal(bottom)});
  }

  NodePtr unary(bool no_func) {
    DepthGuard guard(*this);
    if (accept(Tok::kAdd)) return unary(no_func);
    if (accept(Tok::kSub)) {
      NodePtr value = unary(no_func);
      return is_number(*value) ? negate(value) : mul_flat(make_integer(-1), value);
    }
    std::vector<NodePtr> factors{postfix(true)};
    while (can_start_factor()) {
      const size_t start = pos_;
      try {
        factors.push_back(postfix(!no_func));
      } catch (const ParseError&) {
        pos_ = start;
        break;
      }
    }
    return implicit_product(factors, 0);
  }

  // Implicit products associate to the right; an integer followed by a positive rational is a
  // mixed number (2 \frac{1}{2} = 5/2), exactly as latex2sympy2_extended reads it.
  static NodePtr implicit_product(const std::vector<NodePtr>& factors, size_t index) {
    const NodePtr& first = factors[index];
    if (index + 1 == factors.size()) return first;
    NodePtr rest = implicit_product(factors, index + 1);
    if (is_integer(first) && rest->kind == Kind::kRational && rest->rational.num > 0) {
      const Rational whole = first->rational;
      const Rational part = rest->rational;
      int64_t scaled = 0;
      int64_t total = 0;
      if (!__builtin_mul_overflow(whole.num, part.den, &scaled) &&
          !(whole.num < 0 ? __builtin_sub_overflow(scaled, part.num, &total)
                          : __builtin_add_overflow(scaled, part.num, &total))) {
        if (auto value = Rational::make(total, part.den)) return make_rational(*value);
      }
    }
    return mul_flat(first, rest);
  }

  [[nodiscard]] bool can_start_factor() const {
    switch (peek().kind) {
      case Tok::kNumber:
      case Tok::kENotation:
      case Tok::kPercentNumber:
      case Tok::kLetter:
      case Tok::kExpE:
      case Tok::kENotationE:
      case Tok::kDifferential:
      case Tok::kGreek:
      case Tok::kOtherSymbol:
      case Tok::kAccent:
      case Tok::kInfinity:
      case Tok::kLParen:
      case Tok::kLBrace:
      case Tok::kLBracket:
      case Tok::kLBraceVisual:
      case Tok::kLBraceCmd:
      case Tok::kLBrack:
      case Tok::kLGroup:
      case Tok::kPhantom:
      case Tok::kBoxed:
      case Tok::kBar:
      case Tok::kLVert:
      case Tok::kVert:
      case Tok::kNorm:
      case Tok::kLFloor:
      case Tok::kLCeil:
      case Tok::kFuncSingle:
      case Tok::kFuncMulti:
      case Tok::kFuncSqrt:
      case Tok::kFrac:
      case Tok::kBinom:
      case Tok::kMatrixStart:
        return true;
      default:
        return false;
    }
  }

  NodePtr postfix(bool allow_func) {
    NodePtr value = power(allow_func);
    while (true) {
      if (accept(Tok::kBang)) {
        value = make_function("factorial", {value});
      } else if (accept(Tok::kTranspose)) {
        if (value->kind == Kind::kMatrix) value = transpose(*value);
      } else if (accept(Tok::kDegree)) {
        // Degrees are not converted (convert_degrees=False): 90^\circ is 90.
      } else {
        return value;
      }
    }
  }

  static NodePtr transpose(const Node& matrix) {
    std::vector<NodePtr> cells;
    for (int col = 0; col < matrix.cols; ++col) {
      for (int row = 0; row < matrix.rows; ++row) {
        cells.push_back(matrix_cell(matrix, row, col));
      }
    }
    return make_matrix(matrix.cols, matrix.rows, std::move(cells));
  }

  NodePtr power(bool allow_func) {
    NodePtr base = comp(allow_func);
    while (accept(Tok::kCaret)) {
      NodePtr exponent = braced_or_atom();
      if (at(Tok::kUnderscore)) subscript_text();
      base = make_node(Kind::kPow, {base, exponent});
    }
    return base;
  }

  // A script's content: {expr} or one bare atom (x^2_3 is x_3 squared, not x to the 2_3).
  NodePtr braced_or_atom() {
    if (accept(Tok::kLBrace)) {
      NodePtr value = expr();
      expect(Tok::kRBrace);
      return value;
    }
    return atom(false);
  }

  NodePtr delimited(Tok closer) {
    advance();
    NodePtr value = expr();
    expect(closer);
    return value;
  }

  [[nodiscard]] bool at_function() const {
    switch (peek().kind) {
      case Tok::kFuncSingle:
      case Tok::kFuncMulti:
      case Tok::kFuncSqrt:
      case Tok::kExpE:
      case Tok::kOperatorName:
      case Tok::kFuncUnsupported:
        return true;
      default:
        return false;
    }
  }

  NodePtr comp(bool allow_func) {
    DepthGuard guard(*this);
    // After \sin x, further factors may not be functions: \sin a \cos b is sin(a)*cos(b).
    if (!allow_func && at_function()) fail("a function cannot follow here");
    switch (peek().kind) {
      case Tok::kLParen:
        return delimited(Tok::kRParen);
      case Tok::kLBracket:
        return delimited(Tok::kRBracket);
      case Tok::kLBraceVisual:
        return delimited(Tok::kRBraceVisual);
      case Tok::kLBraceCmd:
        return delimited(Tok::kRBraceCmd);
      case Tok::kLBrack:
        return delimited(Tok::kRBrack);
      case Tok::kLGroup:
        return delimited(Tok::kRGroup);
      case Tok::kLBrace: {
        advance();
        NodePtr value = expr();
        if (accept(Tok::kChoose)) {
          NodePtr lower = expr();
          expect(Tok::kRBrace);
          return binomial(value, lower);
        }
        expect(Tok::kRBrace);
        return value;
      }
      case Tok::kPhantom:
      case Tok::kBoxed:
        advance();
        return delimited(Tok::kRBrace);
      case Tok::kBar:
        return make_function("Abs", {delimited(Tok::kBar)});
      case Tok::kLVert:
        return make_function("Abs", {delimited(Tok::kRVert)});
      case Tok::kVert:
        return make_function("Abs", {delimited(Tok::kVert)});
      case Tok::kNorm:
        return make_function("Abs", {delimited(Tok::kNorm)});
      case Tok::kLFloor:
        return make_function("floor", {delimited(Tok::kRFloor)});
      case Tok::kLCeil:
        return make_function("ceiling", {delimited(Tok::kRCeil)});
      case Tok::kFuncSingle:
        return single_arg_function();
      case Tok::kFuncMulti:
        return multi_arg_function();
      case Tok::kOperatorName:
        return operator_name();
      case Tok::kFuncSqrt:
        return square_root();
      case Tok::kExpE: {
        advance();
        if (accept(Tok::kCaret)) {
          return make_node(Kind::kPow, {make_constant(Kind::kE), braced_or_atom()});
        }
        return make_constant(Kind::kE);
      }
      case Tok::kFrac:
        return fraction();
      case Tok::kBinom: {
        advance();
        NodePtr upper = braced_expr();
        NodePtr lower = braced_expr();
        return binomial(upper, lower);
      }
      case Tok::kMatrixStart:
        return matrix();
      case Tok::kLetter:
      case Tok::kGreek:
      case Tok::kOtherSymbol:
      case Tok::kAccent:
        if (allow_func && may_be_function_call()) {
          if (NodePtr call = attempt([&] { return function_call(); }, false)) return call;
        }
        return atom();
      default:
        return atom();
    }
  }

  NodePtr braced_expr() {
    expect(Tok::kLBrace);
    NodePtr value = expr();
    expect(Tok::kRBrace);
    return value;
  }

  static NodePtr binomial(const NodePtr& upper, const NodePtr& lower) {
    // sympy evaluates binomial(n, k) for integers at construction.
    if (is_integer(upper) && is_integer(lower)) {
      const int64_t n = upper->rational.num;
      const int64_t k = lower->rational.num;
      if (k < 0 || n < 0 || k > n) return make_integer(0);
      Rational value{1, 1};
      bool overflow = false;
      for (int64_t i = 1; i <= std::min(k, n - k) && !overflow; ++i) {
        auto next = mul(value, Rational{n - std::min(k, n - k) + i, i});
        if (!next)
          overflow = true;
        else
          value = *next;
      }
      if (!overflow) return make_rational(value);
    }
    return make_function("binomial", {upper, lower});
  }

  NodePtr fraction() {
    advance();
    // \frac{d}{dx}: derivatives are calculus, not answers; latex2sympy fails on the bare operator too.
    const bool upper_is_d =
        (peek(1).kind == Tok::kLetter && peek(1).text == "d") || peek(1).kind == Tok::kDifferential;
    if (upper_is_d && peek(2).kind == Tok::kRBrace && peek(3).kind == Tok::kLBrace &&
        peek(4).kind == Tok::kDifferential && peek(5).kind == Tok::kRBrace) {
      fail("derivatives are not supported");
    }
    NodePtr top = braced_expr();
    NodePtr bottom = braced_expr();
    return divide(top, bottom);
  }

  NodePtr square_root() {
    advance();
    NodePtr root;
    if (accept(Tok::kLBracket)) {
      root = expr();
      expect(Tok::kRBracket);
    }
    NodePtr base = braced_expr();
    if (!root) return make_node(Kind::kPow, {base, make_rational(Rational{1, 2})});
    if (is_integer(root) && root->rational.num != 0) {
      return make_node(Kind::kPow, {base, make_rational(*Rational::make(1, root->rational.num))});
    }
    return make_node(Kind::kPow, {base, reciprocal(root)});
  }

  struct Scripts {
    NodePtr subscript;
    NodePtr superscript;
  };

  Scripts function_scripts() {
    Scripts scripts;
    for (int i = 0; i < 2; ++i) {
      if (!scripts.subscript && accept(Tok::kUnderscore))
        scripts.subscript = braced_or_atom();
      else if (!scripts.superscript && accept(Tok::kCaret))
        scripts.superscript = braced_or_atom();
    }
    return scripts;
  }

  NodePtr single_arg_function() {
    std::string name = advance().text;
    // \gamma with nothing to apply to is the letter gamma.
    if (name == "gamma" && !can_start_factor() && !at(Tok::kCaret) && !at(Tok::kUnderscore)) {
      return make_symbol("gamma", is_real_);
    }
    Scripts scripts = function_scripts();
    NodePtr argument;
    if (at(Tok::kLParen)) {
      argument = attempt(
          [&] {
            advance();
            NodePtr inner = expr();
            expect(Tok::kRParen);
            return inner;
          },
          false);
    }
    if (!argument) argument = mp(true);
    NodePtr power = scripts.superscript;
    const bool inverse = power && power->kind == Kind::kRational && power->rational == Rational{-1, 1};
    static constexpr std::string_view kInvertible[] = {"sin", "cos",  "tan",  "csc", "sec",
                                                       "cot", "sinh", "cosh", "tanh"};
    if (inverse && std::find(std::begin(kInvertible), std::end(kInvertible), name) != std::end(kInvertible)) {
      name = "a" + name;
      power = nullptr;
    }
    NodePtr value;
    if (name == "log" || name == "ln") {
      NodePtr base = scripts.subscript ? scripts.subscript
                     : name == "log"   ? make_integer(10)
                                       : make_constant(Kind::kE);
      value = make_function("log", {argument, base});
    } else if (name == "exp") {
      value = make_node(Kind::kPow, {make_constant(Kind::kE), argument});
    } else {
      value = make_function(name, {argument});
    }
    if (power) value = make_node(Kind::kPow, {value, power});
    return value;
  }

  NodePtr multi_arg_function() {
    const std::string name = advance().text;
    Scripts scripts = function_scripts();
    std::vector<NodePtr> arguments;
    if (accept(Tok::kLParen)) {
      arguments.push_back(expr());
      while (accept(Tok::kComma)) arguments.push_back(expr());
      expect(Tok::kRParen);
    } else {
      arguments.push_back(mp(true));
    }
    NodePtr value = (name == "gcd" || name == "lcm") ? gcd_lcm(name, arguments)
                    : arguments.size() == 1          ? arguments[0]  // Max(x) is x
                                                     : make_function(name, arguments);
    if (scripts.superscript) value = make_node(Kind::kPow, {value, scripts.superscript});
    return value;
  }

  // sympy evaluates gcd and lcm of numbers at once (floats made rational first): gcd(6, 1.5) = 3/2.
  static NodePtr gcd_lcm(const std::string& name, const std::vector<NodePtr>& arguments) {
    std::optional<Rational> result;
    for (const NodePtr& argument : arguments) {
      auto value = rational_value(*argument);
      if (!value) return make_function(name, arguments);
      if (!result) {
        result = Rational{value->num < 0 ? -value->num : value->num, value->den};
        continue;
      }
      // gcd(a/b, c/d) = gcd(a, c) / lcm(b, d); lcm(a/b, c/d) = lcm(a, c) / gcd(b, d).
      const int64_t num =
          name == "gcd" ? std::gcd(result->num, value->num) : std::lcm(result->num, value->num);
      const int64_t den =
          name == "gcd" ? std::lcm(result->den, value->den) : std::gcd(result->den, value->den);
      auto next = Rational::make(num, den == 0 ? 1 : den);
      if (!next) return make_function(name, arguments);
      result = next;
    }
    return result ? make_rational(*result) : make_function(name, arguments);
  }

  static std::optional<Rational> rational_value(const Node& node) {
    auto value = exact_number(node);
    if (!value) return std::nullopt;
    if (!value->is_float) return value->rational;
    // nsimplify of a float: the shortest decimal fraction that gives it back.
    for (int64_t den = 1; den <= 1000000000; den *= 10) {
      const double scaled = value->value * static_cast<double>(den);
      if (std::fabs(scaled) > 9e15) return std::nullopt;
      if (scaled == std::round(scaled)) return Rational::make(static_cast<int64_t>(scaled), den);
    }
    return std::nullopt;
  }

  // \operatorname{floor}(x), \operatorname{gcd}(a, b) and the other names the grammar lists.
  NodePtr operator_name() {
    advance();
    expect(Tok::kLBrace);
    std::string name;
    while (!at(Tok::kRBrace)) {
      if (at(Tok::kEnd)) fail("unterminated \\operatorname");
      name += advance().raw;
    }
    advance();
    static constexpr std::pair<std::string_view, std::string_view> kSingle[] = {
        {"floor", "floor"},  {"ceil", "ceiling"},  {"arsinh", "asinh"}, {"arcsinh", "asinh"},
        {"arcosh", "acosh"}, {"arccosh", "acosh"}, {"artanh", "atanh"}, {"arctanh", "atanh"}};
    for (const auto& [latex_name, function] : kSingle) {
      if (name != latex_name) continue;
      NodePtr argument = at(Tok::kLParen) ? delimited(Tok::kRParen) : mp(true);
      return make_function(std::string(function), {argument});
    }
    if (name == "gcd" || name == "lcm") {
      std::vector<NodePtr> arguments;
      if (accept(Tok::kLParen)) {
        arguments.push_back(expr());
        while (accept(Tok::kComma)) arguments.push_back(expr());
        expect(Tok::kRParen);
      } else {
        arguments.push_back(mp(true));
      }
      return gcd_lcm(name, arguments);
    }
    fail("unsupported operator name '" + name + "'");
  }

  // f(x), g(1, 2): a letter (with optional subscript) applied to arguments, chosen over a product
  // whenever the arguments parse, as latex2sympy's grammar does (so x(5) is a function call).
  NodePtr function_call() {
    std::string name = peek().raw;
    advance();
    if (at(Tok::kUnderscore)) name += "_" + subscript_text();
    NodePtr power;
    if (accept(Tok::kCaret)) power = braced_or_atom();
    Tok closer;
    bool braced = false;
    if (accept(Tok::kLParen)) {
      closer = Tok::kRParen;
    } else if (accept(Tok::kLBracket)) {
      closer = Tok::kRBracket;
    } else if (at(Tok::kLBrace) && (peek(1).kind == Tok::kLParen || peek(1).kind == Tok::kLBracket)) {
      advance();
      closer = advance().kind == Tok::kLParen ? Tok::kRParen : Tok::kRBracket;
      braced = true;
    } else {
      fail("not a function call");
    }
    std::vector<NodePtr> arguments;
    if (NodePtr single = attempt(
            [&] {
              NodePtr value = atom();
              if (!at(closer)) fail("not a single atom");
              return value;
            },
            false)) {
      arguments.push_back(single);
    } else {
      arguments.push_back(expr());
      expect(Tok::kComma);
      while (!at(closer)) {
        arguments.push_back(expr());
        if (!accept(Tok::kComma)) break;
      }
    }
    expect(closer);
    if (braced) expect(Tok::kRBrace);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    NodePtr call = make_function(name, std::move(arguments));
    return power ? make_node(Kind::kPow, {call, power}) : call;
  }

  // The text of a subscript, without spaces: x_{n+1} has subscript "n+1".
  std::string subscript_text() {
    expect(Tok::kUnderscore);
    const size_t start = pos_;
    if (accept(Tok::kLBrace)) {
      int depth = 1;
      while (depth > 0) {
        if (at(Tok::kEnd)) fail("unterminated subscript");
        const Tok kind = advance().kind;
        if (kind == Tok::kLBrace) ++depth;
        if (kind == Tok::kRBrace) --depth;
      }
      std::string text;
      for (size_t i = start + 1; i + 1 < pos_; ++i) text += tokens_[i].raw;
      std::erase(text, ' ');
      return text;
    }
    atom(false);
    std::string text;
    for (size_t i = start; i < pos_; ++i) text += tokens_[i].raw;
    std::erase(text, ' ');
    return text;
  }

  NodePtr matrix() {
    advance();
    std::vector<std::vector<NodePtr>> rows;
    while (true) {
      std::vector<NodePtr> row{expr()};
      while (accept(Tok::kColSep)) row.push_back(expr());
      rows.push_back(std::move(row));
      if (accept(Tok::kRowSep)) {
        if (accept(Tok::kMatrixEnd)) break;
        continue;
      }
      expect(Tok::kMatrixEnd);
      break;
    }
    const size_t cols = rows[0].size();
    std::vector<NodePtr> cells;
    for (auto& row : rows) {
      if (row.size() != cols) fail("matrix rows of different lengths");
      cells.insert(cells.end(), row.begin(), row.end());
    }
    return make_matrix(static_cast<int>(rows.size()), static_cast<int>(cols), std::move(cells));
  }

  // --- atoms ---------------------------------------------------------------------------------
  NodePtr atom_expr(bool with_scripts = true) {
    const Token& token = peek();
    if (token.kind != Tok::kLetter && token.kind != Tok::kGreek && token.kind != Tok::kOtherSymbol &&
        token.kind != Tok::kAccent) {
      fail("expected a symbol");
    }
    advance();
    std::string subscript;
    NodePtr power;
    for (int i = 0; i < 2 && with_scripts; ++i) {
      if (subscript.empty() && at(Tok::kUnderscore)) {
        std::string text = subscript_text();
        subscript = text.size() > 1 ? "_{" + text + "}" : "_" + text;
      } else if (!power && accept(Tok::kCaret)) {
        power = braced_or_atom();
      }
    }
    if (token.kind == Tok::kLetter && token.text == "I") return make_constant(Kind::kImaginary);
    NodePtr symbol = symbol_from_text(symbol_name(token) + subscript, is_real_);
    return power ? make_node(Kind::kPow, {symbol, power}) : symbol;
  }

  static std::string symbol_name(const Token& token) {
    if (token.kind != Tok::kAccent) return token.text;
    const std::string& accent = token.text;
    std::string content = token.extra;
    std::erase(content, ' ');
    std::string kind;
    if (accent == "bar" || accent == "overline")
      kind = "bar";
    else if (accent == "vec" || accent == "overrightarrow")
      kind = "vec";
    else if (accent == "tilde" || accent == "widetilde")
      kind = "tilde";
    else if (accent.find("text") != std::string::npos || accent.find("mbox") != std::string::npos) {
      std::erase(content, '(');
      std::erase(content, ')');
      return content;
    } else if (accent.find("math") != std::string::npos)
      kind = "math";
    else
      kind = accent;
    return kind + "{" + content + "}";
  }

  NodePtr atom(bool with_scripts = true) {
    const Token& token = peek();
    switch (token.kind) {
      case Tok::kLetter:
      case Tok::kGreek:
      case Tok::kOtherSymbol:
      case Tok::kAccent:
        return atom_expr(with_scripts);
      case Tok::kNumber: {
        advance();
        NodePtr number = parse_number_text(token.text);
        if (with_scripts && at(Tok::kUnderscore)) subscript_text();  // 52_8: the base is ignored
        return number;
      }
      case Tok::kVariable: {
        advance();
        NodePtr symbol = make_symbol(lower_case(token.text), is_real_);
        return token.extra == "%" ? percent_of(symbol) : symbol;
      }
      case Tok::kENotation:
        advance();
        return make_float(std::strtod(token.text.c_str(), nullptr));
      case Tok::kPercentNumber:
        advance();
        return percent_of(parse_number_text(token.text));
      case Tok::kENotationE:
        advance();
        return make_symbol("e", is_real_);
      case Tok::kDifferential:
        advance();
        return make_symbol("d" + token.text, is_real_);
      case Tok::kInfinity:
        advance();
        return make_constant(Kind::kInfinity);
      default:
        fail("unexpected token '" + token.raw + "'");
    }
  }

  std::string_view source_;
  std::vector<Token> tokens_;
  bool is_real_;
  Budget& budget_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

NodePtr parse_latex(std::string_view latex, bool is_real, Budget& budget) {
  Parser parser(latex, tokenize_latex(latex), is_real, budget);
  return parser.math();
}

}  // namespace evalflow::math_verify
