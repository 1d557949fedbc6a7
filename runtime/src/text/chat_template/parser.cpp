#include "chat_template/parser.hpp"

#include <evalflow/text/chat_template.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>

namespace evalflow::text::jinja {
namespace {

[[noreturn]] void fail(int line, const std::string& message) {
  throw ChatTemplateError("chat template line " + std::to_string(line) + ": " + message);
}

ExprPtr make(Expr::Kind kind, int line, std::string name = {}) {
  auto expr = std::make_unique<Expr>();
  expr->kind = kind;
  expr->line = line;
  expr->name = std::move(name);
  return expr;
}

ExprPtr make(Expr::Kind kind, int line, std::string name, ExprPtr first, ExprPtr second = nullptr) {
  ExprPtr expr = make(kind, line, std::move(name));
  expr->operands.push_back(std::move(first));
  if (second) expr->operands.push_back(std::move(second));
  return expr;
}

// Python integers are unbounded; evalflow's are 64-bit, so a larger literal is refused.
std::int64_t integer_literal(const Token& token) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
  if (error != std::errc() || end != token.text.data() + token.text.size()) {
    fail(token.line, "integer literal " + token.text + " does not fit in 64 bits");
  }
  return value;
}

// Parses the tokens of one tag.
class ExpressionParser {
 public:
  explicit ExpressionParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  const Token& current() const { return tokens_[pos_]; }
  bool at_end() const { return current().kind == Token::Kind::kEnd; }
  bool is_op(std::string_view op) const {
    return current().kind == Token::Kind::kOperator && current().text == op;
  }
  bool is_name(std::string_view name) const {
    return current().kind == Token::Kind::kName && current().text == name;
  }
  bool skip_op(std::string_view op) { return is_op(op) ? (++pos_, true) : false; }
  bool skip_name(std::string_view name) { return is_name(name) ? (++pos_, true) : false; }

  [[noreturn]] void unexpected(std::string_view expected) const {
    const std::string found = at_end() ? "end of tag" : "'" + current().text + "'";
    fail(current().line, "expected " + std::string(expected) + ", found " + found);
  }
  void expect_op(std::string_view op) {
    if (!skip_op(op)) unexpected("'" + std::string(op) + "'");
  }
  std::string expect_name() {
    if (current().kind != Token::Kind::kName) unexpected("a name");
    return tokens_[pos_++].text;
  }
  void expect_end() {
    if (!at_end()) unexpected("end of tag");
  }

  ExprPtr expression() {
    ExprPtr value = or_expression();
    while (is_name("if")) {
      const int line = tokens_[pos_++].line;
      ExprPtr condition = or_expression();
      ExprPtr otherwise = skip_name("else") ? expression() : nullptr;
      ExprPtr conditional = make(Expr::Kind::kConditional, line, {}, std::move(value), std::move(condition));
      conditional->operands.push_back(std::move(otherwise));
      value = std::move(conditional);
    }
    return value;
  }

  // Comma-separated names, as after `for` and `set`.
  std::vector<std::string> targets() {
    std::vector<std::string> names{expect_name()};
    while (skip_op(",")) names.push_back(expect_name());
    return names;
  }

  ExprPtr or_expression() {
    ExprPtr left = and_expression();
    while (is_name("or")) {
      const int line = tokens_[pos_++].line;
      left = make(Expr::Kind::kOr, line, {}, std::move(left), and_expression());
    }
    return left;
  }

 private:
  ExprPtr and_expression() {
    ExprPtr left = not_expression();
    while (is_name("and")) {
      const int line = tokens_[pos_++].line;
      left = make(Expr::Kind::kAnd, line, {}, std::move(left), not_expression());
    }
    return left;
  }

  ExprPtr not_expression() {
    if (is_name("not")) {
      const int line = tokens_[pos_++].line;
      return make(Expr::Kind::kNot, line, {}, not_expression());
    }
    return comparison();
  }

  ExprPtr comparison() {
    const int line = current().line;
    ExprPtr first = additive();
    ExprPtr compare;
    while (true) {
      std::string op;
      if (current().kind == Token::Kind::kOperator &&
          (is_op("==") || is_op("!=") || is_op("<") || is_op("<=") || is_op(">") || is_op(">="))) {
        op = tokens_[pos_++].text;
      } else if (skip_name("in")) {
        op = "in";
      } else if (is_name("not") && tokens_[pos_ + 1].kind == Token::Kind::kName &&
                 tokens_[pos_ + 1].text == "in") {
        pos_ += 2;
        op = "not in";
      } else {
        break;
      }
      if (!compare) {
        compare = make(Expr::Kind::kCompare, line);
        compare->operands.push_back(std::move(first));
      }
      compare->ops.push_back(op);
      compare->operands.push_back(additive());
    }
    return compare ? std::move(compare) : std::move(first);
  }

  ExprPtr binary_level(std::initializer_list<std::string_view> ops, ExprPtr (ExpressionParser::*next)()) {
    ExprPtr left = (this->*next)();
    while (current().kind == Token::Kind::kOperator &&
           std::find(ops.begin(), ops.end(), current().text) != ops.end()) {
      const Token& op = tokens_[pos_++];
      left = make(Expr::Kind::kBinary, op.line, op.text, std::move(left), (this->*next)());
    }
    return left;
  }
  ExprPtr additive() { return binary_level({"+", "-"}, &ExpressionParser::concatenation); }
  ExprPtr concatenation() { return binary_level({"~"}, &ExpressionParser::multiplicative); }
  ExprPtr multiplicative() { return binary_level({"*", "/", "//", "%"}, &ExpressionParser::power); }
  ExprPtr power() { return binary_level({"**"}, &ExpressionParser::unary_with_filters); }
  ExprPtr unary_with_filters() { return unary(true); }

  ExprPtr unary(bool with_filters) {
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      const Token& op = tokens_[pos_++];
      node = unary(false);
      if (op.text == "-") node = make(Expr::Kind::kNegate, op.line, {}, std::move(node));
    } else {
      node = postfix(primary());
    }
    return with_filters ? filters_and_tests(std::move(node)) : std::move(node);
  }

  void call_arguments(Expr& call) {
    expect_op("(");
    bool first = true;
    while (!skip_op(")")) {
      if (!first) expect_op(",");
      first = false;
      if (skip_op(")")) break;  // a trailing comma
      if (current().kind == Token::Kind::kName && tokens_[pos_ + 1].kind == Token::Kind::kOperator &&
          tokens_[pos_ + 1].text == "=") {
        std::string keyword = expect_name();
        ++pos_;
        call.keywords.emplace_back(std::move(keyword), expression());
      } else {
        if (!call.keywords.empty()) fail(current().line, "positional argument after keyword argument");
        call.operands.push_back(expression());
      }
    }
  }

  ExprPtr postfix(ExprPtr node) {
    while (true) {
      if (is_op(".")) {
        const int line = tokens_[pos_++].line;
        if (current().kind == Token::Kind::kInteger) {
          ExprPtr index = make(Expr::Kind::kLiteral, line);
          index->literal = integer_literal(tokens_[pos_++]);
          node = make(Expr::Kind::kItem, line, {}, std::move(node), std::move(index));
        } else {
          node = make(Expr::Kind::kAttribute, line, expect_name(), std::move(node));
        }
      } else if (is_op("[")) {
        node = subscript(std::move(node));
      } else if (is_op("(")) {
        ExprPtr call = make(Expr::Kind::kCall, current().line, {}, std::move(node));
        call_arguments(*call);
        node = std::move(call);
      } else {
        return node;
      }
    }
  }

  ExprPtr subscript(ExprPtr node) {
    const int line = tokens_[pos_++].line;
    ExprPtr parts[3];
    int part = 0;
    bool is_slice = false;
    while (!skip_op("]")) {
      if (skip_op(":")) {
        is_slice = true;
        if (++part > 2) fail(line, "a slice has at most three parts");
        continue;
      }
      if (parts[part]) unexpected("':' or ']'");
      parts[part] = expression();
    }
    if (!is_slice) {
      if (!parts[0]) fail(line, "empty subscript");
      return make(Expr::Kind::kItem, line, {}, std::move(node), std::move(parts[0]));
    }
    ExprPtr slice = make(Expr::Kind::kSlice, line, {}, std::move(node));
    for (ExprPtr& bound : parts) slice->operands.push_back(std::move(bound));
    return slice;
  }

  ExprPtr filters_and_tests(ExprPtr node) {
    while (true) {
      if (is_op("|")) {
        const int line = tokens_[pos_++].line;
        std::string name = expect_name();
        if (!is_known_filter(name)) fail(line, "unsupported filter '" + name + "'");
        ExprPtr filter = make(Expr::Kind::kFilter, line, std::move(name), std::move(node));
        if (is_op("(")) call_arguments(*filter);
        node = std::move(filter);
      } else if (is_name("is")) {
        const int line = tokens_[pos_++].line;
        const bool negated = skip_name("not");
        std::string name = expect_name();
        if (!is_known_test(name)) fail(line, "unsupported test '" + name + "'");
        ExprPtr test = make(Expr::Kind::kTest, line, std::move(name), std::move(node));
        test->negated = negated;
        if (is_op("(")) {
          call_arguments(*test);
        } else if (starts_test_argument()) {
          test->operands.push_back(postfix(primary()));
        }
        node = std::move(test);
      } else {
        return node;
      }
    }
  }

  // `x is equalto 3`: a test may take one argument without parentheses.
  bool starts_test_argument() const {
    const Token& token = current();
    if (token.kind == Token::Kind::kString || token.kind == Token::Kind::kInteger ||
        token.kind == Token::Kind::kFloat) {
      return true;
    }
    if (token.kind == Token::Kind::kOperator) return token.text == "[" || token.text == "{";
    return token.kind == Token::Kind::kName && token.text != "else" && token.text != "or" &&
           token.text != "and" && token.text != "if" && token.text != "is";
  }

  ExprPtr primary() {
    const Token& token = current();
    const int line = token.line;
    switch (token.kind) {
      case Token::Kind::kName: {
        ++pos_;
        ExprPtr literal = make(Expr::Kind::kLiteral, line);
        if (token.text == "true" || token.text == "True") {
          literal->literal = true;
        } else if (token.text == "false" || token.text == "False") {
          literal->literal = false;
        } else if (token.text == "none" || token.text == "None") {
          literal->literal = None{};
        } else {
          return make(Expr::Kind::kName, line, token.text);
        }
        return literal;
      }
      case Token::Kind::kString: {
        std::string text;
        while (current().kind == Token::Kind::kString) text += tokens_[pos_++].text;  // "a" "b" is "ab"
        ExprPtr literal = make(Expr::Kind::kLiteral, line);
        literal->literal = std::move(text);
        return literal;
      }
      case Token::Kind::kInteger:
      case Token::Kind::kFloat: {
        ++pos_;
        ExprPtr literal = make(Expr::Kind::kLiteral, line);
        if (token.kind == Token::Kind::kInteger) {
          literal->literal = integer_literal(token);
        } else {
          literal->literal =
              std::strtod(token.text.c_str(), nullptr);  // overflows to inf, as Python's float()
        }
        return literal;
      }
      case Token::Kind::kOperator:
        if (skip_op("(")) {
          if (skip_op(")")) return make(Expr::Kind::kList, line);
          ExprPtr first = expression();
          if (skip_op(")")) return first;
          ExprPtr tuple = make(Expr::Kind::kList, line, {}, std::move(first));
          while (skip_op(",") && !is_op(")")) tuple->operands.push_back(expression());
          expect_op(")");
          return tuple;
        }
        if (skip_op("[")) {
          ExprPtr list = make(Expr::Kind::kList, line);
          while (!skip_op("]")) {
            if (!list->operands.empty()) expect_op(",");
            if (skip_op("]")) break;
            list->operands.push_back(expression());
          }
          return list;
        }
        if (skip_op("{")) {
          ExprPtr dict = make(Expr::Kind::kDict, line);
          while (!skip_op("}")) {
            if (!dict->operands.empty()) expect_op(",");
            if (skip_op("}")) break;
            dict->operands.push_back(expression());
            expect_op(":");
            dict->operands.push_back(expression());
          }
          return dict;
        }
        break;
      default:
        break;
    }
    unexpected("an expression");
  }

  const std::vector<Token>& tokens_;
  std::size_t pos_ = 0;
};

// Builds the statement tree from the chunks of the template.
class StatementParser {
 public:
  explicit StatementParser(std::vector<Chunk> chunks) : chunks_(std::move(chunks)) {}

  Body parse_template() {
    Body body = parse_body({});
    if (pos_ < chunks_.size()) {
      fail(chunks_[pos_].line, "unexpected '" + chunks_[pos_].tokens.front().text + "'");
    }
    return body;
  }

 private:
  // Parses until a statement whose keyword is in `terminators` (left unconsumed) or the end.
  Body parse_body(std::initializer_list<std::string_view> terminators) {
    Body body;
    while (pos_ < chunks_.size()) {
      Chunk& chunk = chunks_[pos_];
      if (chunk.kind == Chunk::Kind::kText) {
        body.push_back(Node{Node::Kind::kText, chunk.line, std::move(chunk.text)});
        ++pos_;
      } else if (chunk.kind == Chunk::Kind::kExpression) {
        ExpressionParser parser(chunk.tokens);
        Node node{Node::Kind::kOutput, chunk.line};
        node.expr = parser.expression();
        parser.expect_end();
        body.push_back(std::move(node));
        ++pos_;
      } else {
        const std::string& keyword = chunk.tokens.front().text;
        if (std::find(terminators.begin(), terminators.end(), keyword) != terminators.end()) return body;
        body.push_back(statement());
      }
    }
    if (terminators.size() > 0) {
      const int line = chunks_.empty() ? 1 : chunks_.back().line;
      fail(line,
           "template ended inside a block: expected '" + std::string(*std::prev(terminators.end())) + "'");
    }
    return body;
  }

  // The keyword of the statement at pos_, consumed, with a parser positioned after it.
  std::string_view keyword_at_cursor() const { return chunks_[pos_].tokens.front().text; }

  Node statement() {
    const Chunk& chunk = chunks_[pos_];
    ExpressionParser parser(chunk.tokens);
    if (chunk.tokens.front().kind != Token::Kind::kName)
      fail(chunk.line, "a statement must start with a keyword");
    const std::string keyword = parser.expect_name();
    ++pos_;
    Node node{Node::Kind::kText, chunk.line};
    if (keyword == "if") {
      node.kind = Node::Kind::kIf;
      ExprPtr condition = parser.expression();
      parser.expect_end();
      while (true) {
        Body branch = parse_body({"elif", "else", "endif"});
        node.branches.emplace_back(std::move(condition), std::move(branch));
        const std::string_view next = keyword_at_cursor();
        ExpressionParser end_parser(chunks_[pos_++].tokens);
        end_parser.expect_name();
        if (next == "elif") {
          condition = end_parser.expression();
          end_parser.expect_end();
        } else if (next == "else") {
          end_parser.expect_end();
          node.branches.emplace_back(nullptr, parse_body({"endif"}));
          ExpressionParser(chunks_[pos_++].tokens).expect_name();
          break;
        } else {
          end_parser.expect_end();
          break;
        }
      }
    } else if (keyword == "for") {
      node.kind = Node::Kind::kFor;
      node.targets = parser.targets();
      if (!parser.skip_name("in")) parser.unexpected("'in'");
      node.expr = parser.or_expression();
      if (parser.skip_name("if")) node.filter = parser.expression();
      if (parser.skip_name("recursive")) fail(chunk.line, "recursive loops are not supported");
      parser.expect_end();
      node.body = parse_body({"else", "endfor"});
      if (keyword_at_cursor() == "else") {
        ++pos_;
        node.else_body = parse_body({"endfor"});
      }
      ++pos_;
    } else if (keyword == "set") {
      node.kind = Node::Kind::kSet;
      node.targets.push_back(parser.expect_name());
      if (parser.skip_op(".")) {
        node.sets_attribute = true;
        node.targets.push_back(parser.expect_name());
      } else {
        while (parser.skip_op(",")) node.targets.push_back(parser.expect_name());
      }
      if (!parser.skip_op("="))
        fail(chunk.line, "block assignments ({% set x %}...{% endset %}) are not supported");
      node.expr = parser.expression();
      parser.expect_end();
    } else if (keyword == "break" || keyword == "continue") {
      node.kind = keyword == "break" ? Node::Kind::kBreak : Node::Kind::kContinue;
      parser.expect_end();
    } else if (keyword == "generation") {
      node.kind = Node::Kind::kBlock;
      parser.expect_end();
      node.body = parse_body({"endgeneration"});
      ++pos_;
    } else {
      fail(chunk.line, "unsupported statement '" + keyword + "'");
    }
    return node;
  }

  std::vector<Chunk> chunks_;
  std::size_t pos_ = 0;
};

constexpr std::string_view kFilters[] = {
    "abs",     "capitalize", "count",      "d",      "default", "first",  "float", "indent",     "int",
    "items",   "join",       "last",       "length", "list",    "lower",  "map",   "rejectattr", "replace",
    "reverse", "safe",       "selectattr", "string", "title",   "tojson", "trim",  "unique",     "upper"};
constexpr std::string_view kTests[] = {
    "boolean", "defined", "divisibleby", "eq",       "equalto",  "even",   "false", "float",     "ge",
    "gt",      "in",      "integer",     "iterable", "le",       "lower",  "lt",    "mapping",   "ne",
    "none",    "number",  "odd",         "sameas",   "sequence", "string", "true",  "undefined", "upper"};

}  // namespace

bool is_known_filter(std::string_view name) {
  return std::find(std::begin(kFilters), std::end(kFilters), name) != std::end(kFilters);
}
bool is_known_test(std::string_view name) {
  return std::find(std::begin(kTests), std::end(kTests), name) != std::end(kTests);
}

Body parse(std::string_view source, const LexOptions& options) {
  return StatementParser(lex(source, options)).parse_template();
}

}  // namespace evalflow::text::jinja
