// The values a chat template computes with, with Python's semantics where Jinja borrows them: truthiness,
// str(), ==, ordering, and json.dumps for `tojson`.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace evalflow::text::jinja {

class Value;
using List = std::vector<Value>;
// Insertion-ordered, like a Python dict; the dicts of a chat are small, so lookup is a linear scan.
using Dict = std::vector<std::pair<std::string, Value>>;

// A name or attribute that does not exist. It renders as "" and is falsy; most other uses are errors.
struct Undefined {
  std::string name;
};
struct None {};
// `namespace(...)`: the one mutable object, whose attributes `set ns.x = ...` may change from inside loops.
struct Namespace {
  Dict attributes;
};

class Value {
 public:
  using Storage =
      std::variant<Undefined, None, bool, std::int64_t, double, std::string, std::shared_ptr<const List>,
                   std::shared_ptr<const Dict>, std::shared_ptr<Namespace>>;

  Value() : storage_(None{}) {}
  Value(Undefined undefined) : storage_(std::move(undefined)) {}
  Value(None none) : storage_(none) {}
  Value(bool flag) : storage_(flag) {}
  Value(std::int64_t number) : storage_(number) {}
  Value(int number) : storage_(static_cast<std::int64_t>(number)) {}
  Value(double number) : storage_(number) {}
  Value(std::string text) : storage_(std::move(text)) {}
  Value(const char* text) : storage_(std::string(text)) {}
  Value(List list) : storage_(std::make_shared<const List>(std::move(list))) {}
  Value(Dict dict) : storage_(std::make_shared<const Dict>(std::move(dict))) {}
  Value(std::shared_ptr<Namespace> ns) : storage_(std::move(ns)) {}

  // JSON objects keep their key order (ordered_json), as Python dicts read by json.loads do.
  static Value from_json(const nlohmann::ordered_json& json);

  [[nodiscard]] bool is_undefined() const { return std::holds_alternative<Undefined>(storage_); }
  [[nodiscard]] bool is_none() const { return std::holds_alternative<None>(storage_); }
  [[nodiscard]] bool is_bool() const { return std::holds_alternative<bool>(storage_); }
  [[nodiscard]] bool is_int() const { return std::holds_alternative<std::int64_t>(storage_); }
  [[nodiscard]] bool is_float() const { return std::holds_alternative<double>(storage_); }
  // Python counts bool as a number (True + 1 == 2).
  [[nodiscard]] bool is_number() const { return is_int() || is_float() || is_bool(); }
  [[nodiscard]] bool is_string() const { return std::holds_alternative<std::string>(storage_); }
  [[nodiscard]] bool is_list() const { return std::holds_alternative<std::shared_ptr<const List>>(storage_); }
  [[nodiscard]] bool is_dict() const { return std::holds_alternative<std::shared_ptr<const Dict>>(storage_); }
  [[nodiscard]] bool is_namespace() const {
    return std::holds_alternative<std::shared_ptr<Namespace>>(storage_);
  }

  [[nodiscard]] const Undefined& undefined() const { return std::get<Undefined>(storage_); }
  [[nodiscard]] bool as_bool() const { return std::get<bool>(storage_); }
  [[nodiscard]] std::int64_t as_int() const;  // bool or int
  [[nodiscard]] double as_double() const;     // bool, int or float
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(storage_); }
  [[nodiscard]] const List& as_list() const { return *std::get<std::shared_ptr<const List>>(storage_); }
  [[nodiscard]] const Dict& as_dict() const { return *std::get<std::shared_ptr<const Dict>>(storage_); }
  [[nodiscard]] Namespace& as_namespace() const { return *std::get<std::shared_ptr<Namespace>>(storage_); }

  // The member `key` of a dict or namespace, or nullptr.
  [[nodiscard]] const Value* find(std::string_view key) const;

  [[nodiscard]] bool truthy() const;
  // Python's str(): what `{{ value }}` prints (Undefined prints "").
  [[nodiscard]] std::string str() const;
  // Python's repr(), used by str() inside lists and dicts.
  [[nodiscard]] std::string repr() const;
  // Python's json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys), as transformers'
  // tojson.
  [[nodiscard]] std::string to_json(int indent, bool sort_keys) const;
  // The type's name for error messages, as Python spells it ("str", "list", "NoneType", ...).
  [[nodiscard]] std::string_view type_name() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  Storage storage_;
};

// Python's a < b for numbers, strings and lists; throws std::invalid_argument for other pairs.
bool less_than(const Value& a, const Value& b);

}  // namespace evalflow::text::jinja
