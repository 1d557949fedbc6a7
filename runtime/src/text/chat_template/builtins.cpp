#include "chat_template/builtins.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tokenizer/utf8.hpp"

namespace evalflow::text::jinja {
namespace {

[[noreturn]] void type_error(const std::string& message) {
  throw std::invalid_argument(message);
}

// The characters (code points) of UTF-8 text, as byte ranges: Python indexes strings by code point.
std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> result;
  result.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    detail::next_code_point(text, pos);
    result.push_back(text.substr(start, pos - start));
  }
  return result;
}

// Python's str.isspace() for one character.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

char32_t code_point_of(std::string_view character) {
  std::size_t pos = 0;
  return detail::next_code_point(character, pos);
}

// str.strip / lstrip / rstrip: `chars` absent or None strips whitespace.
std::string strip(const std::string& text, const Value* chars, bool left, bool right) {
  const std::vector<std::string_view> all = characters(text);
  std::vector<std::string_view> set;
  const bool whitespace = chars == nullptr || chars->is_none();
  if (!whitespace) {
    if (!chars->is_string()) type_error("strip arg must be None or str");
    set = characters(chars->as_string());
  }
  const auto strippable = [&](std::string_view c) {
    return whitespace ? is_python_space(code_point_of(c)) : std::find(set.begin(), set.end(), c) != set.end();
  };
  std::size_t begin = 0;
  std::size_t end = all.size();
  while (left && begin < end && strippable(all[begin])) ++begin;
  while (right && end > begin && strippable(all[end - 1])) --end;
  if (begin == end) return "";
  const char* first = all[begin].data();
  const char* last = all[end - 1].data() + all[end - 1].size();
  return std::string(first, last);
}

List split(const std::string& text, const Value* separator, const Value* max_splits) {
  std::int64_t remaining = max_splits && !max_splits->is_none() ? max_splits->as_int() : -1;
  List parts;
  if (separator == nullptr || separator->is_none()) {
    const std::vector<std::string_view> all = characters(text);
    std::size_t i = 0;
    while (true) {
      while (i < all.size() && is_python_space(code_point_of(all[i]))) ++i;
      if (i == all.size()) break;
      if (remaining == 0) {
        std::string rest(all[i].data(), text.data() + text.size());
        parts.push_back(strip(rest, nullptr, false, true));
        break;
      }
      const std::size_t start = i;
      while (i < all.size() && !is_python_space(code_point_of(all[i]))) ++i;
      parts.push_back(std::string(all[start].data(), all[i - 1].data() + all[i - 1].size()));
      --remaining;
    }
    return parts;
  }
  if (!separator->is_string()) type_error("must be str or None, not " + std::string(separator->type_name()));
  const std::string& sep = separator->as_string();
  if (sep.empty()) type_error("empty separator");
  std::size_t start = 0;
  while (remaining != 0) {
    const std::size_t found = text.find(sep, start);
    if (found == std::string::npos) break;
    parts.push_back(text.substr(start, found - start));
    start = found + sep.size();
    --remaining;
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string ascii_case(std::string text, bool upper) {
  for (char& c : text)
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                : std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string capitalize(const std::string& text) {
  std::string lowered = ascii_case(text, false);
  if (!lowered.empty()) lowered[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(lowered[0])));
  return lowered;
}

std::string title(const std::string& text) {
  std::string result = text;
  bool word_start = true;
  for (char& c : result) {
    const auto byte = static_cast<unsigned char>(c);
    const bool letter = std::isalpha(byte) != 0;
    c = static_cast<char>(letter ? (word_start ? std::toupper(byte) : std::tolower(byte)) : c);
    word_start = !letter && !std::isdigit(byte) && c != '\'';
  }
  return result;
}

std::string replace(const std::string& text, const std::string& old, const std::string& replacement,
                    std::int64_t count) {
  if (old.empty()) type_error("replacing an empty string is not supported");
  std::string result;
  std::size_t start = 0;
  while (count != 0) {
    const std::size_t found = text.find(old, start);
    if (found == std::string::npos) break;
    result.append(text, start, found - start).append(replacement);
    start = found + old.size();
    --count;
  }
  return result.append(text, start);
}

bool affix_matches(const std::string& text, const Value& affix, bool prefix) {
  if (affix.is_list()) {
    return std::any_of(affix.as_list().begin(), affix.as_list().end(),
                       [&](const Value& one) { return affix_matches(text, one, prefix); });
  }
  if (!affix.is_string())
    type_error(std::string(prefix ? "startswith" : "endswith") + " first arg must be str or a tuple of str");
  const std::string& s = affix.as_string();
  return s.size() <= text.size() && (prefix ? text.compare(0, s.size(), s) == 0
                                            : text.compare(text.size() - s.size(), s.size(), s) == 0);
}

std::string join(const Value& items, const std::string& separator, const Value* attribute) {
  std::string result;
  bool first = true;
  for (const Value& item : iterate(items)) {
    if (!first) result += separator;
    first = false;
    result += (attribute ? get_item(item, *attribute) : item).str();
  }
  return result;
}

const Value& required(const Arguments& arguments, std::size_t index, std::string_view name,
                      std::string_view function) {
  const Value* value = arguments.get(index, name);
  if (value == nullptr) type_error(std::string(function) + "() missing argument '" + std::string(name) + "'");
  return *value;
}

const std::string& string_argument(const Arguments& arguments, std::size_t index, std::string_view name,
                                   std::string_view function) {
  const Value& value = required(arguments, index, name, function);
  if (!value.is_string())
    type_error(std::string(function) + "() argument '" + std::string(name) + "' must be str, not " +
               std::string(value.type_name()));
  return value.as_string();
}

// selectattr / rejectattr: items whose attribute passes the test (truthiness when no test is named).
Value select_by_attribute(const Value& items, const Arguments& arguments, bool keep_passing) {
  const Value& attribute = required(arguments, 0, "attribute", "selectattr");
  Arguments test_arguments;
  for (std::size_t i = 2; i < arguments.positional.size(); ++i)
    test_arguments.positional.push_back(arguments.positional[i]);
  List selected;
  for (const Value& item : iterate(items)) {
    const Value field = get_item(item, attribute);
    const bool passes =
        arguments.positional.size() >= 2
            ? apply_test(string_argument(arguments, 1, "test", "selectattr"), field, test_arguments)
            : field.truthy();
    if (passes == keep_passing) selected.push_back(item);
  }
  return selected;
}

std::string indent(const std::string& text, const Value* width_value, bool first, bool blank) {
  const std::string padding = width_value == nullptr ? "    "
                              : width_value->is_string()
                                  ? width_value->as_string()
                                  : std::string(static_cast<std::size_t>(width_value->as_int()), ' ');
  std::string result;
  std::size_t start = 0;
  bool first_line = true;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const bool pad = first_line ? first : (blank || !line.empty());
    result += (pad ? padding : "") + line;
    if (end == std::string::npos) break;
    result += '\n';
    start = end + 1;
    first_line = false;
  }
  return result;
}

bool flag_argument(const Arguments& arguments, std::size_t index, std::string_view name) {
  const Value* value = arguments.get(index, name);
  return value != nullptr && value->truthy();
}

}  // namespace

const Value* Arguments::get(std::size_t index, std::string_view name) const {
  for (const auto& [keyword, value] : keywords) {
    if (keyword == name) return &value;
  }
  return index < positional.size() ? &positional[index] : nullptr;
}

List iterate(const Value& value) {
  if (value.is_list()) return value.as_list();
  if (value.is_dict()) {
    List keys;
    for (const auto& [key, item] : value.as_dict()) keys.emplace_back(key);
    return keys;
  }
  if (value.is_string()) {
    List chars;
    for (const std::string_view c : characters(value.as_string())) chars.emplace_back(std::string(c));
    return chars;
  }
  if (value.is_undefined()) return {};
  type_error("'" + std::string(value.type_name()) + "' object is not iterable");
}

std::size_t length_of(const Value& value) {
  if (value.is_string()) return characters(value.as_string()).size();
  if (value.is_list()) return value.as_list().size();
  if (value.is_dict()) return value.as_dict().size();
  if (value.is_undefined()) return 0;
  type_error("object of type '" + std::string(value.type_name()) + "' has no len()");
}

Value get_item(const Value& object, const Value& key) {
  if (object.is_dict() || object.is_namespace()) {
    if (!key.is_string()) return Undefined{key.str()};
    const Value* found = object.find(key.as_string());
    return found ? *found : Value(Undefined{key.as_string()});
  }
  if ((object.is_list() || object.is_string()) && key.is_number() && !key.is_float()) {
    const std::int64_t size = static_cast<std::int64_t>(length_of(object));
    std::int64_t index = key.as_int();
    if (index < 0) index += size;
    if (index < 0 || index >= size) return Undefined{key.str()};
    if (object.is_list()) return object.as_list()[static_cast<std::size_t>(index)];
    return std::string(characters(object.as_string())[static_cast<std::size_t>(index)]);
  }
  return Undefined{key.str()};
}

Value get_slice(const Value& object, const std::optional<std::int64_t>& start_arg,
                const std::optional<std::int64_t>& stop_arg, const std::optional<std::int64_t>& step_arg) {
  const std::int64_t step = step_arg.value_or(1);
  if (step == 0) type_error("slice step cannot be zero");
  List items = object.is_string() ? List{} : iterate(object);
  const std::vector<std::string_view> chars =
      object.is_string() ? characters(object.as_string()) : std::vector<std::string_view>{};
  const auto size = static_cast<std::int64_t>(object.is_string() ? chars.size() : items.size());
  // Python's slice.indices(): clamp each bound into range, by the direction of the step.
  const auto clamp = [&](const std::optional<std::int64_t>& bound, std::int64_t fallback) {
    if (!bound) return fallback;
    std::int64_t index = *bound < 0 ? *bound + size : *bound;
    if (step > 0) return std::clamp<std::int64_t>(index, 0, size);
    return std::clamp<std::int64_t>(index, -1, size - 1);
  };
  const std::int64_t start = clamp(start_arg, step > 0 ? 0 : size - 1);
  const std::int64_t stop = clamp(stop_arg, step > 0 ? size : -1);
  List list_result;
  std::string string_result;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (object.is_string()) {
      string_result += chars[static_cast<std::size_t>(i)];
    } else {
      list_result.push_back(items[static_cast<std::size_t>(i)]);
    }
  }
  if (object.is_string()) return string_result;
  return list_result;
}

bool contains(const Value& haystack, const Value& needle) {
  if (haystack.is_string()) {
    if (!needle.is_string())
      type_error("'in <string>' requires string as left operand, not " + std::string(needle.type_name()));
    return haystack.as_string().find(needle.as_string()) != std::string::npos;
  }
  if (haystack.is_list())
    return std::find(haystack.as_list().begin(), haystack.as_list().end(), needle) !=
           haystack.as_list().end();
  if (haystack.is_dict()) return needle.is_string() && haystack.find(needle.as_string()) != nullptr;
  type_error("argument of type '" + std::string(haystack.type_name()) + "' is not iterable");
}

Value apply_filter(std::string_view name, const Value& subject, const Arguments& arguments) {
  if (name == "length" || name == "count") return static_cast<std::int64_t>(length_of(subject));
  if (name == "trim") return strip(subject.str(), arguments.get(0, "chars"), true, true);
  if (name == "tojson") {
    const Value* indent_value = arguments.get(0, "indent");
    const int indent_width =
        indent_value && !indent_value->is_none() ? static_cast<int>(indent_value->as_int()) : -1;
    if (arguments.get(99, "separators") != nullptr) type_error("tojson(separators=...) is not supported");
    return subject.to_json(indent_width, flag_argument(arguments, 99, "sort_keys"));
  }
  if (name == "string") return subject.str();
  if (name == "safe") return subject;
  if (name == "lower" || name == "upper") return ascii_case(subject.str(), name == "upper");
  if (name == "capitalize") return capitalize(subject.str());
  if (name == "title") return title(subject.str());
  if (name == "default" || name == "d") {
    const Value* fallback = arguments.get(0, "default_value");
    const bool use_fallback =
        flag_argument(arguments, 1, "boolean") ? !subject.truthy() : subject.is_undefined();
    return use_fallback ? (fallback ? *fallback : Value(std::string())) : subject;
  }
  if (name == "first" || name == "last") {
    const List items = iterate(subject);
    if (items.empty()) return Undefined{std::string(name)};
    return name == "first" ? items.front() : items.back();
  }
  if (name == "join") {
    const Value* separator = arguments.get(0, "d");
    return join(subject, separator ? separator->str() : "", arguments.get(1, "attribute"));
  }
  if (name == "replace") {
    const Value* count = arguments.get(2, "count");
    return replace(subject.str(), string_argument(arguments, 0, "old", "replace"),
                   string_argument(arguments, 1, "new", "replace"),
                   count && !count->is_none() ? count->as_int() : -1);
  }
  if (name == "list") return iterate(subject);
  if (name == "unique") {
    List unique;
    for (const Value& item : iterate(subject)) {
      if (std::find(unique.begin(), unique.end(), item) == unique.end()) unique.push_back(item);
    }
    return unique;
  }
  if (name == "reverse") {
    if (subject.is_string()) return get_slice(subject, std::nullopt, std::nullopt, -1);
    List items = iterate(subject);
    std::reverse(items.begin(), items.end());
    return items;
  }
  if (name == "items") {
    List pairs;
    if (subject.is_dict()) {
      for (const auto& [key, item] : subject.as_dict()) pairs.emplace_back(List{Value(key), item});
    } else if (!subject.is_undefined()) {
      type_error("items() needs a mapping, got " + std::string(subject.type_name()));
    }
    return pairs;
  }
  if (name == "int") {
    const Value* fallback = arguments.get(0, "default");
    if (subject.is_number())
      return static_cast<std::int64_t>(subject.is_float() ? std::trunc(subject.as_double())
                                                          : subject.as_int());
    try {
      return static_cast<std::int64_t>(std::stoll(subject.str()));
    } catch (const std::exception&) {
      return fallback ? *fallback : Value(0);
    }
  }
  if (name == "float") {
    const Value* fallback = arguments.get(0, "default");
    if (subject.is_number()) return subject.as_double();
    try {
      return std::stod(subject.str());
    } catch (const std::exception&) {
      return fallback ? *fallback : Value(0.0);
    }
  }
  if (name == "abs") {
    if (subject.is_float()) return std::fabs(subject.as_double());
    if (subject.is_number()) return static_cast<std::int64_t>(std::llabs(subject.as_int()));
    type_error("bad operand type for abs(): '" + std::string(subject.type_name()) + "'");
  }
  if (name == "selectattr" || name == "rejectattr")
    return select_by_attribute(subject, arguments, name == "selectattr");
  if (name == "map") {
    List mapped;
    const Value* attribute = arguments.get(99, "attribute");
    for (const Value& item : iterate(subject)) {
      if (attribute) {
        const Value field = get_item(item, *attribute);
        const Value* fallback = arguments.get(99, "default");
        mapped.push_back(field.is_undefined() && fallback ? *fallback : field);
      } else {
        Arguments rest;
        rest.positional.assign(arguments.positional.begin() + (arguments.positional.empty() ? 0 : 1),
                               arguments.positional.end());
        mapped.push_back(apply_filter(string_argument(arguments, 0, "filter", "map"), item, rest));
      }
    }
    return mapped;
  }
  if (name == "indent") {
    return indent(subject.str(), arguments.get(0, "width"), flag_argument(arguments, 1, "first"),
                  flag_argument(arguments, 2, "blank"));
  }
  type_error("unsupported filter '" + std::string(name) + "'");
}

bool apply_test(std::string_view name, const Value& subject, const Arguments& arguments) {
  if (name == "defined") return !subject.is_undefined();
  if (name == "undefined") return subject.is_undefined();
  if (name == "none") return subject.is_none();
  if (name == "string") return subject.is_string();
  if (name == "boolean") return subject.is_bool();
  if (name == "true") return subject.is_bool() && subject.as_bool();
  if (name == "false") return subject.is_bool() && !subject.as_bool();
  if (name == "integer") return subject.is_int();
  if (name == "float") return subject.is_float();
  if (name == "number") return subject.is_number();
  if (name == "mapping") return subject.is_dict() || subject.is_namespace();
  if (name == "iterable") return subject.is_list() || subject.is_dict() || subject.is_string();
  if (name == "sequence") return subject.is_list() || subject.is_dict() || subject.is_string();
  if (name == "lower")
    return subject.is_string() && ascii_case(subject.as_string(), false) == subject.as_string();
  if (name == "upper")
    return subject.is_string() && ascii_case(subject.as_string(), true) == subject.as_string();
  if (name == "odd" || name == "even") {
    if (!subject.is_number()) type_error("odd/even need a number, got " + std::string(subject.type_name()));
    return (subject.as_int() % 2 != 0) == (name == "odd");
  }
  const Value& other = required(arguments, 0, "value", name);
  if (name == "eq" || name == "equalto" || name == "sameas") return subject == other;
  if (name == "ne") return !(subject == other);
  if (name == "lt") return less_than(subject, other);
  if (name == "le") return !less_than(other, subject);
  if (name == "gt") return less_than(other, subject);
  if (name == "ge") return !less_than(subject, other);
  if (name == "in") return contains(other, subject);
  if (name == "divisibleby") return other.as_int() != 0 && subject.as_int() % other.as_int() == 0;
  type_error("unsupported test '" + std::string(name) + "'");
}

Value call_method(const Value& object, std::string_view name, const Arguments& arguments) {
  if (object.is_string()) {
    const std::string& text = object.as_string();
    if (name == "strip") return strip(text, arguments.get(0, "chars"), true, true);
    if (name == "lstrip") return strip(text, arguments.get(0, "chars"), true, false);
    if (name == "rstrip") return strip(text, arguments.get(0, "chars"), false, true);
    if (name == "split") return split(text, arguments.get(0, "sep"), arguments.get(1, "maxsplit"));
    if (name == "startswith") return affix_matches(text, required(arguments, 0, "prefix", name), true);
    if (name == "endswith") return affix_matches(text, required(arguments, 0, "suffix", name), false);
    if (name == "upper" || name == "lower") return ascii_case(text, name == "upper");
    if (name == "capitalize") return capitalize(text);
    if (name == "title") return title(text);
    if (name == "replace") {
      const Value* count = arguments.get(2, "count");
      return replace(text, string_argument(arguments, 0, "old", name),
                     string_argument(arguments, 1, "new", name), count ? count->as_int() : -1);
    }
    if (name == "join") return join(required(arguments, 0, "iterable", name), text, nullptr);
    if (name == "find") {
      const std::size_t found = text.find(string_argument(arguments, 0, "sub", name));
      return found == std::string::npos
                 ? Value(-1)
                 : Value(static_cast<std::int64_t>(characters(text.substr(0, found)).size()));
    }
  } else if (object.is_dict()) {
    if (name == "items") return apply_filter("items", object, {});
    if (name == "keys") return iterate(object);
    if (name == "values") {
      List values;
      for (const auto& [key, item] : object.as_dict()) values.push_back(item);
      return values;
    }
    if (name == "get") {
      const Value found = get_item(object, required(arguments, 0, "key", name));
      const Value* fallback = arguments.get(1, "default");
      return found.is_undefined() ? (fallback ? *fallback : Value(None{})) : found;
    }
  }
  type_error("'" + std::string(object.type_name()) + "' object has no method '" + std::string(name) + "'");
}

}  // namespace evalflow::text::jinja
