// Fuzz target: the parts of `clipdex serve` that read untrusted request data, given a request
// built from the input (no socket: httplib's own parsing is a system library). Input fields, one
// a line: Host, Origin, Content-Type, Authorization, Cookie, X-Clipdex-User, q, limit, asc, path,
// then the body. Checked, beyond "no crash, no sanitizer report":
//  - the token check never passes a request that does not carry the token;
//  - Host/Origin answers agree with HostPart/IsLoopbackHost; a parameter is in its range;
//  - the search words become an FTS5 MATCH expression that SQLite (same tokenizer as the
//    catalog) accepts, and the understood conditions compile in the rule grammar;
//  - the logged user name is at most 64 bytes with no control characters.
#include <sqlite3.h>

#include <cstdint>
#include <regex>

#include "curate/rule_grammar.h"
#include "curate/tier_rules.h"
#include "fuzz/fuzz_support.h"
#include "search/query_understanding.h"
#include "search/search_text.h"
#include "serve/auth.h"
#include "serve/http_json.h"
#include "serve/request_origin.h"
#include "serve/serve_options.h"

namespace {

constexpr const char* kToken = "fuzz-token-0123456789abcdef";

// An in-memory FTS5 table with the catalog's tokenizer (catalog/catalog_schema.cpp).
sqlite3* FtsDb() {
  static sqlite3* db = [] {
    sqlite3* d = nullptr;
    if (sqlite3_open(":memory:", &d) != SQLITE_OK ||
        sqlite3_exec(d,
                     "CREATE VIRTUAL TABLE search_fts USING fts5(labels, caption, screen_text, "
                     "tags, path, glossary, tokenize = 'porter unicode61 remove_diacritics 2');"
                     "INSERT INTO search_fts VALUES ('close up', 'a cat on a roof 一只 只猫 猫', "
                     "'', 'news', '/v/a.mp4', '')",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      clipdex::fuzz::Fail("fts setup", d ? sqlite3_errmsg(d) : "open");
    }
    return d;
  }();
  return db;
}

void CheckFts(const std::string& query, const std::string& fts) {
  if (fts.empty()) return;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(FtsDb(), "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", -1,
                              &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(stmt, 1, fts.c_str(), -1, SQLITE_TRANSIENT);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) rc = sqlite3_step(stmt);
  const std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(FtsDb());
  sqlite3_finalize(stmt);
  if (!error.empty())
    clipdex::fuzz::Fail("FTS5 rejects the query of '" + query + "' = " + fts, error);
}

// A header field value ends at a NUL: HTTP forbids NUL in field values and httplib hands values
// out as C strings (an Authorization of "Bearer <token>\0junk" is read as "Bearer <token>").
std::string HeaderValue(const std::string& field) { return field.substr(0, field.find('\0')); }

void SetHeader(httplib::Request& request, const char* name, const std::string& value) {
  if (!value.empty()) request.headers.emplace(name, value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clipdex;
  if (size > 16384) return 0;
  fuzz::FieldReader fields(data, size);
  httplib::Request request;
  SetHeader(request, "Host", HeaderValue(fields.Next()));
  SetHeader(request, "Origin", HeaderValue(fields.Next()));
  SetHeader(request, "Content-Type", HeaderValue(fields.Next()));
  const std::string authorization = HeaderValue(fields.Next());
  const std::string cookie = HeaderValue(fields.Next());
  SetHeader(request, "Authorization", authorization);
  SetHeader(request, "Cookie", cookie);
  SetHeader(request, "X-Clipdex-User", HeaderValue(fields.Next()));
  const std::string q = fields.Next();
  request.params.emplace("q", q);
  request.params.emplace("limit", fields.Next());
  request.params.emplace("asc", fields.Next());
  request.path = fields.Next();
  request.body = fields.Rest();

  // Authentication: a pass must come from the token itself, never from a prefix or a near miss.
  if (RequestHasToken(request, kToken) && authorization != std::string("Bearer ") + kToken &&
      CookieValue(cookie, kTokenCookie) != kToken) {
    fuzz::Fail("token check passed without the token", authorization + " | " + cookie);
  }
  if (!RequestHasToken(request, "")) fuzz::Fail("empty token refused", authorization);

  // Where the request comes from.
  const bool loopback = HostIsLoopback(request);
  if (request.has_header("Host") &&
      loopback != IsLoopbackHost(HostPart(request.get_header_value("Host")))) {
    fuzz::Fail("HostIsLoopback disagrees with HostPart", request.get_header_value("Host"));
  }
  (void)OriginMatchesHost(request);
  (void)IsJsonContentType(request);

  // Parameters, body, user.
  auto limit = IntParam(request, "limit", 50, 1, 1000);
  if (limit.ok() && (*limit < 1 || *limit > 1000)) fuzz::Fail("limit out of range", "");
  (void)BoolParam(request, "asc", false);
  auto body = JsonObjectBody(request);
  if (body.ok() && !body->is_object()) fuzz::Fail("body accepted but not an object", request.body);
  const std::string user = RequestUser(request);
  if (user.size() > 64) fuzz::Fail("user name over 64 bytes", user);
  for (unsigned char c : user) {
    if (c < 0x20 || c == 0x7f) fuzz::Fail("control character in user name", user);
  }
  static const std::regex kClipRoute(R"(/api/v1/clip/(\d+)/tags/(.+))");
  if (std::regex_match(request.path, request.matches, kClipRoute)) {
    auto id = ClipIdFrom(request);
    if (id && *id <= 0) fuzz::Fail("clip id not positive", request.path);
  }

  // Search words: understood conditions, then the full-text query SQLite runs.
  const UnderstoodQuery understood = UnderstandQuery(q);
  for (const std::string& condition : understood.conditions) {
    auto rule = CompileRule("", condition, DocumentedAttributeNames());
    if (!rule.ok())
      fuzz::Fail("understood condition does not compile: " + condition, rule.status().message());
  }
  for (const std::string& text : {q, understood.text}) {
    const auto terms = ParseQueryTerms(text);
    CheckFts(text, FtsQuery(terms, true));
    CheckFts(text, FtsQuery(terms, false));
  }
  return 0;
}
