// GET /, /app.js, /style.css: the embedded web UI. Opening `/?token=<token>` with the right token
// stores it in an HttpOnly, SameSite=Strict cookie and redirects to `/`, so the token leaves the
// address bar and the page's API calls carry it.
#include <string>

#include "serve/auth.h"
#include "serve/http_json.h"
#include "serve/serve_context.h"
#include "serve/web_assets.h"

namespace clipdex {
namespace {

void SendAsset(const WebAsset& asset, httplib::Response& response) {
  response.set_header("Cache-Control", "no-cache");
  response.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type));
}

}  // namespace

void AddAssetRoutes(httplib::Server& server, ServeContext& context) {
  server.Get("/", [&context](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("token")) {
      const std::string token = req.get_param_value("token");
      if (context.token().empty() || !ConstantTimeEquals(token, context.token())) {
        return SendError(res, 401, "wrong token");
      }
      std::string cookie = kTokenCookie;
      cookie += '=';
      cookie += token;
      cookie += "; Path=/; HttpOnly; SameSite=Strict";
      res.set_header("Set-Cookie", cookie);
      res.set_redirect("/", 303);
      return;
    }
    SendAsset(*FindWebAsset("/"), res);
  });
  for (const char* path : {"/app.js", "/style.css"}) {
    server.Get(path, [path](const httplib::Request&, httplib::Response& res) {
      SendAsset(*FindWebAsset(path), res);
    });
  }
}

}  // namespace clipdex
