#include "proxy_environment.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <optional>

namespace evalflow::openai_http {
namespace {

std::optional<std::string> first_set(std::initializer_list<std::string> names) {
  for (const std::string& name : names) {
    if (name.empty()) continue;
    if (const char* value = std::getenv(name.c_str())) return value;
  }
  return std::nullopt;
}

std::string transformed(std::string text, int (*transform)(int)) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [transform](unsigned char c) { return static_cast<char>(transform(c)); });
  return text;
}

}  // namespace

ProxySettings proxy_settings_from_environment(std::string_view scheme) {
  const std::string lower = transformed(std::string(scheme) + "_proxy", &tolower);
  const std::string upper = lower == "http_proxy" ? "" : transformed(lower, &toupper);
  return {.proxy = first_set({lower, upper, "all_proxy", "ALL_PROXY"}).value_or(""),
          .no_proxy = first_set({"no_proxy", "NO_PROXY"}).value_or("")};
}

}  // namespace evalflow::openai_http
