// The parsed form of a chat template: statements (text, output, if, for, set ...) holding expressions.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat_template/value.hpp"

namespace evalflow::text::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kLiteral,      // literal
    kName,         // name
    kAttribute,    // operands[0].name
    kItem,         // operands[0][operands[1]]
    kSlice,        // operands[0][operands[1]:operands[2]:operands[3]], absent parts null
    kCall,         // operands[0](operands[1..], keywords)
    kFilter,       // operands[0] | name(operands[1..], keywords)
    kTest,         // operands[0] is [not] name(operands[1..])
    kNegate,       // -operands[0]
    kNot,          // not operands[0]
    kBinary,       // operands[0] name operands[1], name one of + - * / // % ** ~
    kCompare,      // operands[0] ops[0] operands[1] ops[1] operands[2] ...
    kAnd,          // operands[0] and operands[1]
    kOr,           // operands[0] or operands[1]
    kConditional,  // operands[0] if operands[1] else operands[2] (else part may be null)
    kList,         // [operands...]; also tuples, which templates use like lists
    kDict,         // {operands[0]: operands[1], ...}
  };
  Kind kind = Kind::kLiteral;
  int line = 0;
  Value literal;
  std::string name;
  bool negated = false;  // kTest: "is not"
  std::vector<ExprPtr> operands;
  std::vector<std::pair<std::string, ExprPtr>> keywords;
  std::vector<std::string> ops;  // kCompare: "==", "!=", "<", "<=", ">", ">=", "in", "not in"
};

struct Node;
using Body = std::vector<Node>;

struct Node {
  enum class Kind {
    kText,    // text
    kOutput,  // {{ expr }}
    kIf,      // branches: (condition, body)...; a final branch with a null condition is the else
    kFor,     // for targets in expr [if filter]: body [else: else_body]
    kSet,     // set targets = expr; targets is [name], [name, name...] (unpacking) or [namespace, attribute]
    kBreak,
    kContinue,
    kBlock,  // a body rendered as it is ({% generation %} of transformers' assistant-mask extension)
  };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr filter;
  std::vector<std::string> targets;
  bool sets_attribute = false;  // kSet: targets is [namespace, attribute]
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
};

}  // namespace evalflow::text::jinja
