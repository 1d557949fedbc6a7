#include "python_equal.hpp"
#include <cstdint>

namespace evalflow::code_exec {
namespace {

using nlohmann::json;

bool is_numeric(const json& value) {
  return value.is_number() || value.is_boolean();
}

bool numbers_equal(const json& a, const json& b) {
  const bool a_int = a.is_number_integer() || a.is_boolean();
  const bool b_int = b.is_number_integer() || b.is_boolean();
  if (a_int && b_int) {
    auto exact = [](const json& v) -> __int128 {
      if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
      if (v.is_number_unsigned()) return static_cast<__int128>(v.get<uint64_t>());
      return static_cast<__int128>(v.get<int64_t>());
    };
    return exact(a) == exact(b);
  }
  auto as_double = [](const json& v) {
    return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
  };
  return as_double(a) == as_double(b);  // NaN cannot arrive: the harness tags it
}

}  // namespace

bool python_equal(const json& prediction, const json& expected) {
  if (prediction.is_object() && prediction.contains("$py")) return false;
  if (is_numeric(prediction) || is_numeric(expected)) {
    return is_numeric(prediction) && is_numeric(expected) && numbers_equal(prediction, expected);
  }
  if (prediction.type() != expected.type()) return false;
  if (prediction.is_array()) {
    if (prediction.size() != expected.size()) return false;
    for (size_t i = 0; i < prediction.size(); ++i) {
      if (!python_equal(prediction[i], expected[i])) return false;
    }
    return true;
  }
  if (prediction.is_object()) {
    if (prediction.size() != expected.size()) return false;
    for (const auto& [key, value] : prediction.items()) {
      const auto found = expected.find(key);
      if (found == expected.end() || !python_equal(value, *found)) return false;
    }
    return true;
  }
  return prediction == expected;  // strings, null
}

}  // namespace evalflow::code_exec
