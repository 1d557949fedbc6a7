// Jinja's filters and tests, the Python methods templates call on strings and dicts, and Python's rules
// for indexing and slicing (negative indices, steps), all on jinja::Value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat_template/value.hpp"

namespace evalflow::text::jinja {

struct Arguments {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keywords;

  // The argument at `index` or named `name`, if given.
  [[nodiscard]] const Value* get(std::size_t index, std::string_view name) const;
};

// Each throws std::invalid_argument (or std::out_of_range) with a Python-like message; the renderer adds
// the template line.
Value apply_filter(std::string_view name, const Value& subject, const Arguments& arguments);
bool apply_test(std::string_view name, const Value& subject, const Arguments& arguments);
Value call_method(const Value& object, std::string_view name, const Arguments& arguments);

// object[key] with jinja's leniency: a missing key or an index out of range gives Undefined.
Value get_item(const Value& object, const Value& key);
Value get_slice(const Value& object, const std::optional<std::int64_t>& start,
                const std::optional<std::int64_t>& stop, const std::optional<std::int64_t>& step);
// Python's `needle in haystack`.
bool contains(const Value& haystack, const Value& needle);
// What a for loop iterates: list items, dict keys, string characters.
List iterate(const Value& value);
std::size_t length_of(const Value& value);

}  // namespace evalflow::text::jinja
