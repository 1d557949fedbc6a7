#include "plain_expr_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

namespace evalflow::math_verify {

NodePtr number_from_decimal(std::string_view text) {
  // Python's \d also matches other scripts' digits; those we do not read (null, not an exception).
  const bool ascii = !text.empty() && std::all_of(text.begin(), text.end(),
                                                  [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!ascii || std::count(text.begin(), text.end(), '.') > 1 || text == ".") return nullptr;
  if (text.find('.') == std::string_view::npos) {
    const size_t first = text.find_first_not_of('0');
    const std::string_view trimmed =
        first == std::string_view::npos ? std::string_view("0") : text.substr(first);
    int64_t value = 0;
    if (trimmed.size() <= 18 &&
        std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value).ec == std::errc()) {
      return make_integer(value);
    }
  }
  return make_float(std::strtod(std::string(text).c_str(), nullptr));
}

namespace {

// Python precedence: + - < * / < unary - < ** (right associative, binds tighter than unary on its left).
class PlainParser {
 public:
  explicit PlainParser(std::string_view text) : text_(text) {}

  NodePtr parse() {
    NodePtr value = sum();
    skip_space();
    if (!value || pos_ != text_.size()) return nullptr;
    return value;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  NodePtr sum() {
    NodePtr left = product();
    while (left) {
      if (accept("+")) {
        NodePtr right = product();
        if (!right) return nullptr;
        left = make_node(Kind::kAdd, {left, right});
      } else if (accept("-")) {
        NodePtr right = product();
        if (!right) return nullptr;
        left = make_node(Kind::kAdd, {left, mul_flat(make_integer(-1), right)});
      } else {
        break;
      }
    }
    return left;
  }

  NodePtr product() {
    NodePtr left = unary();
    while (left) {
      skip_space();
      if (text_.substr(pos_, 2) == "**") break;
      if (accept("*")) {
        NodePtr right = unary();
        if (!right) return nullptr;
        left = make_node(Kind::kMul, {left, right});
      } else if (accept("/")) {
        NodePtr right = unary();
        if (!right) return nullptr;
        left = make_node(Kind::kMul, {left, reciprocal(right)});
      } else {
        break;
      }
    }
    return left;
  }

  NodePtr unary() {
    if (++depth_ > 200) return nullptr;
    NodePtr value;
    if (accept("-")) {
      NodePtr inner = unary();
      value = inner ? (is_number(*inner) ? negate(inner) : mul_flat(make_integer(-1), inner)) : nullptr;
    } else if (accept("+")) {
      value = unary();
    } else {
      value = power();
    }
    --depth_;
    return value;
  }

  NodePtr power() {
    NodePtr base = primary();
    if (base && accept("**")) {
      NodePtr exponent = unary();
      if (!exponent) return nullptr;
      return make_node(Kind::kPow, {base, exponent});
    }
    return base;
  }

  NodePtr primary() {
    skip_space();
    if (accept("(")) {
      NodePtr inner = sum();
      if (!inner || !accept(")")) return nullptr;
      return inner;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
      ++pos_;
    }
    return number_from_decimal(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

NodePtr parse_plain_expression(std::string_view text) {
  return PlainParser(text).parse();
}

}  // namespace evalflow::math_verify
