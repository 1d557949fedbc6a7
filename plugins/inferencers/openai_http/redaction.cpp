#include "redaction.hpp"

#include <evalflow/url_credentials.hpp>

#include <algorithm>

namespace evalflow::openai_http {

std::string redact_secrets(const std::string& text, const std::vector<std::string>& secrets) {
  // covered[i]: character i belongs to a run that is also in a secret.
  std::vector<char> covered(text.size(), 0);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    const size_t shortest = std::min(secret.size(), kSecretPieceLength);
    for (size_t i = 0; i + shortest <= text.size(); ++i) {
      size_t longest = 0;
      for (size_t j = 0; j + shortest <= secret.size() && longest < secret.size() - j; ++j) {
        size_t length = 0;
        while (i + length < text.size() && j + length < secret.size() &&
               text[i + length] == secret[j + length]) {
          ++length;
        }
        longest = std::max(longest, length);
      }
      if (longest >= shortest) std::fill_n(covered.begin() + static_cast<std::ptrdiff_t>(i), longest, 1);
    }
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (covered[i] == 0) {
      out += text[i];
    } else if (i == 0 || covered[i - 1] == 0) {
      out += kRedactedCredentials;
    }
  }
  return strip_url_credentials(out);
}

std::string url_userinfo(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const size_t authority = scheme_end + 3;
  const size_t end = url.find_first_of("/?#", authority);
  const std::string host_part =
      url.substr(authority, end == std::string::npos ? std::string::npos : end - authority);
  const size_t at = host_part.rfind('@');
  return at == std::string::npos ? "" : host_part.substr(0, at);
}

}  // namespace evalflow::openai_http
