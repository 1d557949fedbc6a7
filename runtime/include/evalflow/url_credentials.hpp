// Credentials written into a URL (`http://user:password@host`) must never reach a log, a stored config or
// an error message: every place that prints text that may hold a URL passes it through here.
#pragma once

#include <string>
#include <string_view>

namespace evalflow {

inline constexpr std::string_view kRedactedCredentials = "<redacted>";

// Replaces the userinfo of every URL in `text` (`scheme://USERINFO@host`) with <redacted>.
inline std::string strip_url_credentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (size_t scheme_end = text.find("://"); scheme_end != std::string_view::npos;
       scheme_end = text.find("://", scheme_end + 3)) {
    const size_t authority = scheme_end + 3;
    // The authority ends at the first '/', '?', '#' or whitespace; its userinfo at its last '@'.
    size_t end = authority;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#' &&
           text[end] != ' ' && text[end] != '\n' && text[end] != '\t' && text[end] != '"' &&
           text[end] != '\'') {
      ++end;
    }
    const size_t at = text.substr(authority, end - authority).rfind('@');
    if (at == std::string_view::npos || text.substr(authority, at) == kRedactedCredentials) continue;
    out.append(text.substr(copied, authority - copied)).append(kRedactedCredentials);
    copied = authority + at;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace evalflow
