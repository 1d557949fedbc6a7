#include "proxy_environment.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

namespace evalflow::openai_http {
namespace {

// Sets the proxy variables for one test and restores them afterwards (each test binary is its own process,
// but tests in it share the environment).
class ProxyEnvironmentTest : public ::testing::Test {
 protected:
  static constexpr const char* kNames[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                           "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};

  void SetUp() override {
    for (const char* name : kNames) {
      if (const char* value = std::getenv(name)) saved_[name] = value;
      unsetenv(name);
    }
  }

  void TearDown() override {
    for (const char* name : kNames) {
      unsetenv(name);
      if (auto saved = saved_.find(name); saved != saved_.end()) setenv(name, saved->second.c_str(), 1);
    }
  }

  static void set(const char* name, const char* value) { setenv(name, value, 1); }

 private:
  std::map<std::string, std::string> saved_;
};

TEST_F(ProxyEnvironmentTest, NothingSetMeansNoProxy) {
  const ProxySettings settings = proxy_settings_from_environment("http");
  EXPECT_EQ(settings.proxy, "");
  EXPECT_EQ(settings.no_proxy, "");
}

TEST_F(ProxyEnvironmentTest, TheSchemesOwnVariableComesFirst) {
  set("https_proxy", "http://secure-proxy:3128");
  set("all_proxy", "http://any-proxy:3128");
  EXPECT_EQ(proxy_settings_from_environment("https").proxy, "http://secure-proxy:3128");
  EXPECT_EQ(proxy_settings_from_environment("http").proxy, "http://any-proxy:3128");
}

TEST_F(ProxyEnvironmentTest, UpperCaseCountsExceptForHttp) {
  set("HTTPS_PROXY", "http://secure-proxy:3128");
  set("HTTP_PROXY", "http://untrusted:3128");
  EXPECT_EQ(proxy_settings_from_environment("HTTPS").proxy, "http://secure-proxy:3128");
  EXPECT_EQ(proxy_settings_from_environment("http").proxy, "") << "libcurl ignores HTTP_PROXY";
  set("ALL_PROXY", "socks5://any-proxy:1080");
  EXPECT_EQ(proxy_settings_from_environment("http").proxy, "socks5://any-proxy:1080");
}

TEST_F(ProxyEnvironmentTest, AnEmptyVariableIsSetAndMeansNoProxy) {
  set("http_proxy", "");
  set("all_proxy", "http://any-proxy:3128");
  EXPECT_EQ(proxy_settings_from_environment("http").proxy, "");
}

TEST_F(ProxyEnvironmentTest, NoProxyInEitherCase) {
  set("NO_PROXY", "localhost,.internal");
  EXPECT_EQ(proxy_settings_from_environment("http").no_proxy, "localhost,.internal");
  set("no_proxy", "*");
  EXPECT_EQ(proxy_settings_from_environment("http").no_proxy, "*");
}

}  // namespace
}  // namespace evalflow::openai_http
