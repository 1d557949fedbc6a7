// The proxy settings libcurl would take from the environment, read once.
//
// Left to itself, libcurl reads no_proxy, <scheme>_proxy and all_proxy (five getenv calls and copies) for
// every transfer: 4% of its work per request at thousands of requests per second. The event loop reads them
// once with libcurl's rules and passes them as CURLOPT_PROXY and CURLOPT_NOPROXY, which libcurl then applies
// exactly as it would have applied the variables.
#pragma once

#include <string>
#include <string_view>

namespace evalflow::openai_http {

struct ProxySettings {
  std::string proxy;     // CURLOPT_PROXY: the proxy URL, or empty for none
  std::string no_proxy;  // CURLOPT_NOPROXY: hosts reached directly, or empty for none
};

// libcurl's rules: `<scheme>_proxy` in lower case, else in upper case (except HTTP_PROXY, which CGI programs
// cannot trust), else all_proxy, else ALL_PROXY; no_proxy, else NO_PROXY. A variable set to the empty
// string counts as set.
ProxySettings proxy_settings_from_environment(std::string_view scheme);

}  // namespace evalflow::openai_http
