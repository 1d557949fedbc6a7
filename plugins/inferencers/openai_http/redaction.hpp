// Keeps secrets out of every message the client writes: the API key and the credentials of endpoint URLs.
// A server may echo a key in pieces (split across fields, truncated, quoted), so any run of 8 or more
// characters that appears in a secret is redacted, not only the whole secret.
#pragma once

#include <string>
#include <vector>

namespace evalflow::openai_http {

inline constexpr size_t kSecretPieceLength = 8;

// `text` with URL credentials and every piece of a secret (the whole secret when it is shorter than 8
// characters) replaced by <redacted>.
std::string redact_secrets(const std::string& text, const std::vector<std::string>& secrets);

// The userinfo (`user:password`) of a URL, or "".
std::string url_userinfo(const std::string& url);

}  // namespace evalflow::openai_http
