// The pieces of `clipdex serve` that need no server: option checks, token and cookie parsing,
// Host/Origin checks.
#include <gtest/gtest.h>

#include <fstream>

#include "../support/test_env.h"
#include "serve/auth.h"
#include "serve/request_origin.h"
#include "serve/serve_options.h"

namespace clipdex {
namespace {

TEST(ServeUnit, LoopbackHosts) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "192.168.1.2", "::", "example.com", "localhost.evil.com",
                        "127.0.0.1.nip.io", "127.evil.com", "127.0.0.1:80", "128.0.0.1", ""}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
}

TEST(ServeUnit, OptionsNeedATokenOffLoopbackAndAGoodOne) {
  TempDir tmp;
  ServeOptions o;
  EXPECT_TRUE(CheckServeOptions(o).ok());
  EXPECT_EQ(CheckServeOptions(o).value(), "");
  o.host = "0.0.0.0";
  auto refused = CheckServeOptions(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "--host 0.0.0.0 is not a loopback address: pass --token-file to require a token");
  o.token_file = (tmp / "missing").string();
  EXPECT_NE(CheckServeOptions(o).status().message().find("cannot read it"), std::string::npos);
  std::ofstream(tmp / "short") << "abc\n";
  o.token_file = (tmp / "short").string();
  EXPECT_NE(CheckServeOptions(o).status().message().find("at least 16"), std::string::npos);
  std::ofstream(tmp / "semi") << "abcdefghijklmnop;q\n";
  o.token_file = (tmp / "semi").string();
  EXPECT_FALSE(CheckServeOptions(o).ok());
  std::ofstream(tmp / "good") << "  abcdefghijklmnopqrstuvwxyz0123 \r\nsecond line\n";
  o.token_file = (tmp / "good").string();
  auto token = CheckServeOptions(o);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token.value(), "abcdefghijklmnopqrstuvwxyz0123");
  o.port = 70000;
  EXPECT_FALSE(CheckServeOptions(o).ok());
  o.port = 0;
  o.threads = 0;
  EXPECT_FALSE(CheckServeOptions(o).ok());
}

TEST(ServeUnit, TokensAndCookies) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_EQ(CookieValue("a=1; clipdex_token=xyz; b=2", "clipdex_token"), "xyz");
  EXPECT_EQ(CookieValue("clipdex_token=xyz", "clipdex_token"), "xyz");
  EXPECT_EQ(CookieValue("xclipdex_token=1; clipdex_tokenx=2", "clipdex_token"), "");
  EXPECT_EQ(CookieValue("", "clipdex_token"), "");
  EXPECT_EQ(CookieValue(";;; =; clipdex_token=", "clipdex_token"), "");

  const std::string token = "0123456789abcdef0123";
  httplib::Request r;
  EXPECT_TRUE(RequestHasToken(r, ""));
  EXPECT_FALSE(RequestHasToken(r, token));
  r.set_header("Authorization", "Bearer " + token);
  EXPECT_TRUE(RequestHasToken(r, token));
  httplib::Request basic;
  basic.set_header("Authorization", "Basic " + token);
  EXPECT_FALSE(RequestHasToken(basic, token));
  httplib::Request cookie;
  cookie.set_header("Cookie", "clipdex_token=" + token);
  EXPECT_TRUE(RequestHasToken(cookie, token));
}

TEST(ServeUnit, HostAndOriginChecks) {
  EXPECT_EQ(HostPart("127.0.0.1:8642"), "127.0.0.1");
  EXPECT_EQ(HostPart("[::1]:80"), "::1");
  EXPECT_EQ(HostPart("LocalHost"), "localhost");
  httplib::Request r;
  EXPECT_TRUE(HostIsLoopback(r));  // HTTP/1.0: no Host
  r.set_header("Host", "127.0.0.1:8642");
  EXPECT_TRUE(HostIsLoopback(r));
  EXPECT_TRUE(OriginMatchesHost(r));  // no Origin
  r.set_header("Origin", "http://127.0.0.1:8642");
  EXPECT_TRUE(OriginMatchesHost(r));
  httplib::Request foreign;
  foreign.set_header("Host", "evil.example:8642");
  foreign.set_header("Origin", "http://evil.example:8642");
  EXPECT_FALSE(HostIsLoopback(foreign));
  httplib::Request cross;
  cross.set_header("Host", "127.0.0.1:8642");
  cross.set_header("Origin", "http://127.0.0.1:9999");
  EXPECT_FALSE(OriginMatchesHost(cross));
  httplib::Request null_origin;
  null_origin.set_header("Host", "127.0.0.1:8642");
  null_origin.set_header("Origin", "null");
  EXPECT_FALSE(OriginMatchesHost(null_origin));
  httplib::Request json;
  json.set_header("Content-Type", "Application/JSON; charset=utf-8");
  EXPECT_TRUE(IsJsonContentType(json));
  httplib::Request text;
  text.set_header("Content-Type", "text/plain");
  EXPECT_FALSE(IsJsonContentType(text));
}

}  // namespace
}  // namespace clipdex
