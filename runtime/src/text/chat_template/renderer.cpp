#include "chat_template/renderer.hpp"

#include <evalflow/text/chat_template.hpp>

#include <chrono>
#include <climits>
#include <cmath>
#include <ctime>
#include <stdexcept>
#include <unordered_map>

#include "chat_template/builtins.hpp"

namespace evalflow::text::jinja {
namespace {

constexpr std::uint64_t kMaxRepeatedBytes = std::uint64_t{1} << 26;

[[noreturn]] void fail(int line, const std::string& message) {
  throw ChatTemplateError("chat template line " + std::to_string(line) + ": " + message);
}

std::string undefined_message(const Value& value) {
  return "'" + value.undefined().name + "' is undefined";
}

class Renderer {
 public:
  explicit Renderer(const Dict& variables) {
    scopes_.emplace_back();
    for (const auto& [name, value] : variables) scopes_.back()[name] = value;
  }

  std::string run(const Body& body) {
    if (execute(body) != Flow::kNormal) fail(1, "'break' or 'continue' outside a loop");
    return std::move(out_);
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Flow execute(const Body& body) {
    for (const Node& node : body) {
      const Flow flow = execute(node);
      if (flow != Flow::kNormal) return flow;
    }
    return Flow::kNormal;
  }

  Flow execute(const Node& node) {
    switch (node.kind) {
      case Node::Kind::kText:
        out_ += node.text;
        return Flow::kNormal;
      case Node::Kind::kOutput:
        out_ += evaluate(*node.expr).str();
        return Flow::kNormal;
      case Node::Kind::kIf:
        for (const auto& [condition, branch] : node.branches) {
          if (!condition || evaluate(*condition).truthy()) return execute(branch);
        }
        return Flow::kNormal;
      case Node::Kind::kFor:
        return execute_for(node);
      case Node::Kind::kSet:
        assign(node, evaluate(*node.expr));
        return Flow::kNormal;
      case Node::Kind::kBreak:
        return Flow::kBreak;
      case Node::Kind::kContinue:
        return Flow::kContinue;
      case Node::Kind::kBlock:
        return execute(node.body);
    }
    return Flow::kNormal;
  }

  void bind(const std::vector<std::string>& targets, const Value& value, int line) {
    if (targets.size() == 1) {
      scopes_.back()[targets.front()] = value;
      return;
    }
    const List items = guarded(line, [&] { return iterate(value); });
    if (items.size() != targets.size()) {
      fail(line, "cannot unpack " + std::to_string(items.size()) + " values into " +
                     std::to_string(targets.size()) + " names");
    }
    for (std::size_t i = 0; i < targets.size(); ++i) scopes_.back()[targets[i]] = items[i];
  }

  void assign(const Node& node, const Value& value) {
    if (!node.sets_attribute) {
      bind(node.targets, value, node.line);
      return;
    }
    const Value target = lookup(node.targets[0]);
    if (!target.is_namespace()) {
      fail(node.line, "cannot assign attribute '" + node.targets[1] + "' of '" + node.targets[0] +
                          "', which is not a namespace");
    }
    Dict& attributes = target.as_namespace().attributes;
    for (auto& [name, existing] : attributes) {
      if (name == node.targets[1]) {
        existing = value;
        return;
      }
    }
    attributes.emplace_back(node.targets[1], value);
  }

  Flow execute_for(const Node& node) {
    const Value iterable = evaluate(*node.expr);
    if (iterable.is_undefined()) fail(node.line, undefined_message(iterable));
    List items = guarded(node.line, [&] { return iterate(iterable); });
    if (node.filter) {
      // The `if` of a for loop filters before loop.index and loop.length are counted.
      List kept;
      scopes_.emplace_back();
      for (const Value& item : items) {
        bind(node.targets, item, node.line);
        if (evaluate(*node.filter).truthy()) kept.push_back(item);
      }
      scopes_.pop_back();
      items = std::move(kept);
    }
    if (items.empty()) return execute(node.else_body);
    scopes_.emplace_back();
    const auto length = static_cast<std::int64_t>(items.size());
    for (std::int64_t i = 0; i < length; ++i) {
      Dict loop{{"index", i + 1},
                {"index0", i},
                {"revindex", length - i},
                {"revindex0", length - i - 1},
                {"first", i == 0},
                {"last", i == length - 1},
                {"length", length},
                {"depth", 1},
                {"depth0", 0},
                {"previtem", i > 0 ? items[i - 1] : Value(Undefined{"previtem"})},
                {"nextitem", i + 1 < length ? items[i + 1] : Value(Undefined{"nextitem"})}};
      // Each iteration starts from a fresh scope: a `set` in one iteration is not seen by the next.
      scopes_.back().clear();
      scopes_.back()["loop"] = Value(std::move(loop));
      bind(node.targets, items[i], node.line);
      if (execute(node.body) == Flow::kBreak) break;
    }
    scopes_.pop_back();
    return Flow::kNormal;
  }

  Value lookup(const std::string& name) const {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      if (const auto found = scope->find(name); found != scope->end()) return found->second;
    }
    return Undefined{name};
  }

  template <typename Function>
  static auto guarded(int line, Function&& function) -> decltype(function()) {
    try {
      return function();
    } catch (const ChatTemplateError&) {
      throw;
    } catch (const std::exception& error) {
      fail(line, error.what());
    }
  }

  Arguments arguments_of(const Expr& expr, std::size_t first_operand) {
    Arguments arguments;
    for (std::size_t i = first_operand; i < expr.operands.size(); ++i)
      arguments.positional.push_back(evaluate(*expr.operands[i]));
    for (const auto& [name, value] : expr.keywords) arguments.keywords.emplace_back(name, evaluate(*value));
    return arguments;
  }

  static std::optional<std::int64_t> slice_bound(const Value& value, int line) {
    if (value.is_none() || value.is_undefined()) return std::nullopt;
    if (!value.is_number() || value.is_float()) fail(line, "slice indices must be integers or None");
    return value.as_int();
  }

  Value evaluate(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::kLiteral:
        return expr.literal;
      case Expr::Kind::kName:
        return lookup(expr.name);
      case Expr::Kind::kAttribute: {
        const Value object = evaluate(*expr.operands[0]);
        if (object.is_undefined()) fail(expr.line, undefined_message(object));
        return get_item(object, Value(expr.name));
      }
      case Expr::Kind::kItem: {
        const Value object = evaluate(*expr.operands[0]);
        if (object.is_undefined()) fail(expr.line, undefined_message(object));
        return get_item(object, evaluate(*expr.operands[1]));
      }
      case Expr::Kind::kSlice: {
        const Value object = evaluate(*expr.operands[0]);
        if (object.is_undefined()) fail(expr.line, undefined_message(object));
        std::optional<std::int64_t> bounds[3];
        for (int i = 0; i < 3; ++i) {
          if (expr.operands[i + 1]) bounds[i] = slice_bound(evaluate(*expr.operands[i + 1]), expr.line);
        }
        return guarded(expr.line, [&] { return get_slice(object, bounds[0], bounds[1], bounds[2]); });
      }
      case Expr::Kind::kCall:
        return call(expr);
      case Expr::Kind::kFilter: {
        const Value subject = evaluate(*expr.operands[0]);
        const Arguments arguments = arguments_of(expr, 1);
        return guarded(expr.line, [&] { return apply_filter(expr.name, subject, arguments); });
      }
      case Expr::Kind::kTest: {
        const Value subject = evaluate(*expr.operands[0]);
        const Arguments arguments = arguments_of(expr, 1);
        return guarded(expr.line, [&] { return apply_test(expr.name, subject, arguments); }) != expr.negated;
      }
      case Expr::Kind::kNegate: {
        const Value operand = evaluate(*expr.operands[0]);
        if (operand.is_float()) return -operand.as_double();
        if (operand.is_number()) {
          if (operand.as_int() == INT64_MIN) fail(expr.line, "integer overflow in unary -");
          return -operand.as_int();
        }
        fail(expr.line, "bad operand type for unary -: '" + std::string(operand.type_name()) + "'");
      }
      case Expr::Kind::kNot:
        return !evaluate(*expr.operands[0]).truthy();
      case Expr::Kind::kAnd: {
        Value left = evaluate(*expr.operands[0]);
        return left.truthy() ? evaluate(*expr.operands[1]) : left;
      }
      case Expr::Kind::kOr: {
        Value left = evaluate(*expr.operands[0]);
        return left.truthy() ? left : evaluate(*expr.operands[1]);
      }
      case Expr::Kind::kConditional:
        if (evaluate(*expr.operands[1]).truthy()) return evaluate(*expr.operands[0]);
        return expr.operands[2] ? evaluate(*expr.operands[2]) : Value(Undefined{"else"});
      case Expr::Kind::kBinary:
        return binary(expr, evaluate(*expr.operands[0]), evaluate(*expr.operands[1]));
      case Expr::Kind::kCompare:
        return compare(expr);
      case Expr::Kind::kList: {
        List list;
        for (const ExprPtr& item : expr.operands) list.push_back(evaluate(*item));
        return list;
      }
      case Expr::Kind::kDict: {
        Dict dict;
        for (std::size_t i = 0; i + 1 < expr.operands.size(); i += 2) {
          const Value key = evaluate(*expr.operands[i]);
          if (!key.is_string()) fail(expr.line, "dict keys must be strings in a chat template");
          dict.emplace_back(key.as_string(), evaluate(*expr.operands[i + 1]));
        }
        return dict;
      }
    }
    fail(expr.line, "unknown expression");
  }

  Value compare(const Expr& expr) {
    Value left = evaluate(*expr.operands[0]);
    for (std::size_t i = 0; i < expr.ops.size(); ++i) {
      Value right = evaluate(*expr.operands[i + 1]);
      const std::string& op = expr.ops[i];
      const bool holds = guarded(expr.line, [&] {
        if (op == "==") return left == right;
        if (op == "!=") return !(left == right);
        if (op == "<") return less_than(left, right);
        if (op == ">") return less_than(right, left);
        if (op == "<=") return !less_than(right, left);
        if (op == ">=") return !less_than(left, right);
        if (right.is_undefined()) throw std::invalid_argument(undefined_message(right));
        return contains(right, left) == (op == "in");
      });
      if (!holds) return false;
      left = std::move(right);
    }
    return true;
  }

  Value binary(const Expr& expr, const Value& left, const Value& right) {
    const std::string& op = expr.name;
    if (op == "~") return left.str() + right.str();
    for (const Value* operand : {&left, &right}) {
      if (operand->is_undefined()) fail(expr.line, undefined_message(*operand));
    }
    if (left.is_number() && right.is_number()) {
      const bool as_float = left.is_float() || right.is_float();
      if (op == "/") {
        if (right.as_double() == 0) fail(expr.line, "division by zero");
        return left.as_double() / right.as_double();
      }
      if (as_float) {
        const double a = left.as_double();
        const double b = right.as_double();
        if (op == "+") return a + b;
        if (op == "-") return a - b;
        if (op == "*") return a * b;
        if (op == "**") return std::pow(a, b);
        if (b == 0) fail(expr.line, "float division by zero");
        if (op == "//") return std::floor(a / b);
        if (op == "%") return a - b * std::floor(a / b);
      } else {
        const std::int64_t a = left.as_int();
        const std::int64_t b = right.as_int();
        // Python integers are unbounded; a result outside 64 bits is an error rather than a wrong number.
        std::int64_t result = 0;
        const auto checked = [&](bool overflowed) {
          if (overflowed) fail(expr.line, "integer overflow in " + op);
          return Value(result);
        };
        if (op == "+") return checked(__builtin_add_overflow(a, b, &result));
        if (op == "-") return checked(__builtin_sub_overflow(a, b, &result));
        if (op == "*") return checked(__builtin_mul_overflow(a, b, &result));
        if (op == "**") {
          const double power = std::pow(static_cast<double>(a), static_cast<double>(b));
          if (b < 0) return power;
          result = std::fabs(power) < 9.2e18 ? static_cast<std::int64_t>(std::llround(power)) : 0;
          return checked(!(std::fabs(power) < 9.2e18));
        }
        if (b == 0) fail(expr.line, "integer division or modulo by zero");
        if (a == INT64_MIN && b == -1) fail(expr.line, "integer overflow in " + op);
        const std::int64_t quotient =
            a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);  // floor division
        if (op == "//") return quotient;
        if (op == "%") return a - b * quotient;
      }
    }
    if (op == "+" && left.is_string() && right.is_string()) return left.as_string() + right.as_string();
    if (op == "+" && left.is_list() && right.is_list()) {
      List joined = left.as_list();
      joined.insert(joined.end(), right.as_list().begin(), right.as_list().end());
      return joined;
    }
    if (op == "*" && (left.is_string() || right.is_string()) && (left.is_int() || right.is_int())) {
      const std::string& text = left.is_string() ? left.as_string() : right.as_string();
      const std::int64_t times = left.is_int() ? left.as_int() : right.as_int();
      if (times > 0 && text.size() * static_cast<std::uint64_t>(times) > kMaxRepeatedBytes) {
        fail(expr.line, "string repetition would exceed " + std::to_string(kMaxRepeatedBytes) + " bytes");
      }
      std::string repeated;
      for (std::int64_t n = times; n > 0; --n) repeated += text;
      return repeated;
    }
    fail(expr.line, "unsupported operand type(s) for " + op + ": '" + std::string(left.type_name()) +
                        "' and '" + std::string(right.type_name()) + "'");
  }

  Value call(const Expr& expr) {
    const Expr& callee = *expr.operands[0];
    const Arguments arguments = arguments_of(expr, 1);
    if (callee.kind == Expr::Kind::kAttribute) {
      const Value object = evaluate(*callee.operands[0]);
      if (object.is_undefined()) fail(expr.line, undefined_message(object));
      return guarded(expr.line, [&] { return call_method(object, callee.name, arguments); });
    }
    if (callee.kind != Expr::Kind::kName) fail(expr.line, "only functions and methods can be called");
    const std::string& name = callee.name;
    if (name == "raise_exception") {
      const Value* message = arguments.get(0, "message");
      fail(expr.line, "the template raised an exception: " + (message ? message->str() : std::string()));
    }
    if (name == "namespace" || name == "dict") {
      Dict attributes;
      for (const Value& mapping : arguments.positional) {
        if (!mapping.is_dict()) fail(expr.line, name + "() takes keyword arguments or a dict");
        attributes.insert(attributes.end(), mapping.as_dict().begin(), mapping.as_dict().end());
      }
      attributes.insert(attributes.end(), arguments.keywords.begin(), arguments.keywords.end());
      if (name == "dict") return attributes;
      return std::make_shared<Namespace>(Namespace{std::move(attributes)});
    }
    if (name == "range") return range(arguments, expr.line);
    if (name == "strftime_now") {
      const Value* format = arguments.get(0, "format");
      if (format == nullptr || !format->is_string()) fail(expr.line, "strftime_now() needs a format string");
      const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
      std::tm local{};
      localtime_r(&now, &local);
      char buffer[256];
      const std::size_t size = std::strftime(buffer, sizeof buffer, format->as_string().c_str(), &local);
      return std::string(buffer, size);
    }
    fail(expr.line, "unsupported function '" + name + "'");
  }

  static Value range(const Arguments& arguments, int line) {
    std::vector<std::int64_t> bounds;
    for (const Value& value : arguments.positional) {
      if (!value.is_int()) fail(line, "range() takes integers");
      bounds.push_back(value.as_int());
    }
    if (bounds.empty() || bounds.size() > 3) fail(line, "range() takes 1 to 3 arguments");
    const std::int64_t start = bounds.size() == 1 ? 0 : bounds[0];
    const std::int64_t stop = bounds.size() == 1 ? bounds[0] : bounds[1];
    const std::int64_t step = bounds.size() == 3 ? bounds[2] : 1;
    if (step == 0) fail(line, "range() step must not be zero");
    // jinja2's sandbox (which transformers renders in) refuses ranges longer than this.
    constexpr double kMaxRange = 100000;
    if ((static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step) > kMaxRange) {
      fail(line, "range too big: jinja2's sandbox allows 100000 items");
    }
    List numbers;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) numbers.emplace_back(i);
    return numbers;
  }

  std::vector<std::unordered_map<std::string, Value>> scopes_;
  std::string out_;
};

}  // namespace

std::string render(const Body& body, const Dict& variables) {
  return Renderer(variables).run(body);
}

}  // namespace evalflow::text::jinja
