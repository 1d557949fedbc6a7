#include "chat_template/value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace evalflow::text::jinja {
namespace {

// Python's repr(float): the shortest digits that round-trip, in fixed notation for exponents -4..15 and
// scientific ("1e-05", "1.5e+16") otherwise, always with a ".0" when fixed and integral.
std::string python_float_repr(double number) {
  if (std::isnan(number)) return "nan";
  if (std::isinf(number)) return number > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const std::size_t e = scientific.find('e');
  const bool negative = scientific.front() == '-';
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
    if (scientific[i] != '.') digits += scientific[i];
  }
  const int exponent = std::stoi(scientific.substr(e + 1));
  std::string text = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      text += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
      text += digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
    } else {
      text += digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
    }
    return text;
  }
  text += digits.substr(0, 1);
  if (digits.size() > 1) text += "." + digits.substr(1);
  char exponent_text[16];
  std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return text + exponent_text;
}

std::string python_string_repr(const std::string& text) {
  const bool has_single = text.find('\'') != std::string::npos;
  const bool has_double = text.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + quote;
}

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_json(std::string& out, const Value& value, int indent, bool sort_keys, int depth) {
  const auto newline = [&](int level) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<std::size_t>(indent * level), ' ');
  };
  const char* item_separator = indent < 0 ? ", " : ",";
  if (value.is_none()) {
    out += "null";
  } else if (value.is_bool()) {
    out += value.as_bool() ? "true" : "false";
  } else if (value.is_int()) {
    out += std::to_string(value.as_int());
  } else if (value.is_float()) {
    const double number = value.as_double();
    out += std::isnan(number)   ? "NaN"
           : std::isinf(number) ? (number > 0 ? "Infinity" : "-Infinity")
                                : value.str();
  } else if (value.is_string()) {
    append_json_string(out, value.as_string());
  } else if (value.is_list()) {
    const List& list = value.as_list();
    if (list.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i > 0) out += item_separator;
      newline(depth + 1);
      append_json(out, list[i], indent, sort_keys, depth + 1);
    }
    newline(depth);
    out += ']';
  } else if (value.is_dict() || value.is_namespace()) {
    Dict entries = value.is_dict() ? value.as_dict() : value.as_namespace().attributes;
    if (entries.empty()) {
      out += "{}";
      return;
    }
    if (sort_keys) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    out += '{';
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += item_separator;
      newline(depth + 1);
      append_json_string(out, entries[i].first);
      out += ": ";
      append_json(out, entries[i].second, indent, sort_keys, depth + 1);
    }
    newline(depth);
    out += '}';
  } else {
    throw std::invalid_argument("Object of type Undefined is not JSON serializable");
  }
}

}  // namespace

Value Value::from_json(const nlohmann::ordered_json& json) {
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null:
      return None{};
    case nlohmann::ordered_json::value_t::boolean:
      return json.get<bool>();
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned:
      return json.get<std::int64_t>();
    case nlohmann::ordered_json::value_t::number_float:
      return json.get<double>();
    case nlohmann::ordered_json::value_t::string:
      return json.get<std::string>();
    case nlohmann::ordered_json::value_t::array: {
      List list;
      list.reserve(json.size());
      for (const auto& item : json) list.push_back(from_json(item));
      return list;
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict dict;
      dict.reserve(json.size());
      for (const auto& [key, item] : json.items()) dict.emplace_back(key, from_json(item));
      return dict;
    }
    default:
      throw std::invalid_argument("binary JSON values cannot be used in a chat template");
  }
}

std::int64_t Value::as_int() const {
  return is_bool() ? static_cast<std::int64_t>(as_bool()) : std::get<std::int64_t>(storage_);
}

double Value::as_double() const {
  if (is_float()) return std::get<double>(storage_);
  return static_cast<double>(as_int());
}

const Value* Value::find(std::string_view key) const {
  const Dict* dict = is_dict() ? &as_dict() : is_namespace() ? &as_namespace().attributes : nullptr;
  if (dict == nullptr) return nullptr;
  for (const auto& [name, value] : *dict) {
    if (name == key) return &value;
  }
  return nullptr;
}

bool Value::truthy() const {
  if (is_undefined() || is_none()) return false;
  if (is_bool()) return as_bool();
  if (is_int()) return as_int() != 0;
  if (is_float()) return as_double() != 0.0;
  if (is_string()) return !as_string().empty();
  if (is_list()) return !as_list().empty();
  if (is_dict()) return !as_dict().empty();
  return true;
}

std::string Value::str() const {
  if (is_undefined()) return "";
  if (is_string()) return as_string();
  return repr();
}

std::string Value::repr() const {
  if (is_undefined()) return "Undefined";
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_float()) return python_float_repr(as_double());
  if (is_string()) return python_string_repr(as_string());
  if (is_list()) {
    std::string out = "[";
    for (const Value& item : as_list()) out += (out.size() > 1 ? ", " : "") + item.repr();
    return out + "]";
  }
  if (is_dict()) {
    std::string out = "{";
    for (const auto& [key, item] : as_dict())
      out += (out.size() > 1 ? ", " : "") + python_string_repr(key) + ": " + item.repr();
    return out + "}";
  }
  std::string out = "<Namespace {";
  for (const auto& [key, item] : as_namespace().attributes)
    out += (out.size() > 12 ? ", " : "") + python_string_repr(key) + ": " + item.repr();
  return out + "}>";
}

std::string Value::to_json(int indent, bool sort_keys) const {
  std::string out;
  append_json(out, *this, indent, sort_keys, 0);
  return out;
}

std::string_view Value::type_name() const {
  if (is_undefined()) return "Undefined";
  if (is_none()) return "NoneType";
  if (is_bool()) return "bool";
  if (is_int()) return "int";
  if (is_float()) return "float";
  if (is_string()) return "str";
  if (is_list()) return "list";
  if (is_dict()) return "dict";
  return "Namespace";
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.storage_.index() != b.storage_.index()) return false;
  if (a.is_undefined() || a.is_none()) return true;
  if (a.is_string()) return a.as_string() == b.as_string();
  if (a.is_list()) return a.as_list() == b.as_list();
  if (a.is_dict()) {
    const Dict& left = a.as_dict();
    if (left.size() != b.as_dict().size()) return false;
    return std::all_of(left.begin(), left.end(), [&](const auto& entry) {
      const Value* other = b.find(entry.first);
      return other != nullptr && *other == entry.second;
    });
  }
  return &a.as_namespace() == &b.as_namespace();
}

bool less_than(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_double() < b.as_double();
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list()) {
    const List& left = a.as_list();
    const List& right = b.as_list();
    for (std::size_t i = 0; i < left.size() && i < right.size(); ++i) {
      if (!(left[i] == right[i])) return less_than(left[i], right[i]);
    }
    return left.size() < right.size();
  }
  throw std::invalid_argument("'<' not supported between instances of '" + std::string(a.type_name()) +
                              "' and '" + std::string(b.type_name()) + "'");
}

}  // namespace evalflow::text::jinja
