#include "redaction.hpp"

#include <gtest/gtest.h>
#include <evalflow/url_credentials.hpp>

namespace evalflow::openai_http {
namespace {

TEST(Redaction, TheWholeKeyIsRedacted) {
  EXPECT_EQ(redact_secrets("key sk-0123456789abcdef rejected", {"sk-0123456789abcdef"}),
            "key <redacted> rejected");
}

TEST(Redaction, PiecesOfEightOrMoreCharactersAreRedacted) {
  const std::string key = "sk-0123456789abcdef";
  // A server echoing the key split in two, and a truncated echo.
  EXPECT_EQ(redact_secrets(R"({"a": "sk-01234567", "b": "89abcdef"})", {key}),
            R"({"a": "<redacted>", "b": "<redacted>"})");
  EXPECT_EQ(redact_secrets("prefix 3456789a", {key}), "prefix <redacted>");
  EXPECT_EQ(redact_secrets("only 3456789 seven", {key}), "only 3456789 seven") << "7 characters stay";
}

TEST(Redaction, AShortSecretIsRedactedWhole) {
  EXPECT_EQ(redact_secrets("user pw=hunter2!", {"hunter2"}), "user pw=<redacted>!");
  EXPECT_EQ(redact_secrets("hunter", {"hunter2"}), "hunter");
}

TEST(Redaction, UrlCredentialsAreStripped) {
  EXPECT_EQ(strip_url_credentials("POST http://alice:s3cret@10.0.0.1:8000/v1/chat: refused"),
            "POST http://<redacted>@10.0.0.1:8000/v1/chat: refused");
  EXPECT_EQ(strip_url_credentials("a https://u@h/x and http://v:w@h2"),
            "a https://<redacted>@h/x and http://<redacted>@h2");
  EXPECT_EQ(strip_url_credentials("no credentials: http://h:1/v1?q=a@b"),
            "no credentials: http://h:1/v1?q=a@b")
      << "an '@' after the path is not userinfo";
  EXPECT_EQ(strip_url_credentials(strip_url_credentials("http://a:b@h")), "http://<redacted>@h");
  EXPECT_EQ(redact_secrets("http://alice:s3cret@h/v1", {}), "http://<redacted>@h/v1");
}

TEST(Redaction, UrlUserinfo) {
  EXPECT_EQ(url_userinfo("http://alice:s3cret@h:8000/v1"), "alice:s3cret");
  EXPECT_EQ(url_userinfo("http://h:8000/v1"), "");
  EXPECT_EQ(url_userinfo("h:8000"), "");
}

}  // namespace
}  // namespace evalflow::openai_http
