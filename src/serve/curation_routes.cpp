// Hand curation over HTTP: set/clear a clip's manual tier, add/remove tags. Every write goes
// through the catalog's curation methods (one transaction each, logged with the user from
// X-Clipdex-User, else "web"). A --read-only server refuses them before routing (403).
#include <string>

#include "serve/http_json.h"
#include "serve/serve_context.h"

namespace clipdex {
namespace {

constexpr size_t kMaxText = 1024;

// The string field `name` of a JSON body; error when absent (and `required`), not a string, or
// longer than kMaxText bytes.
Result<std::string> StringField(const nlohmann::json& body, const std::string& name,
                                bool required) {
  if (!body.contains(name)) {
    if (required) return Status::Error("body: missing \"" + name + "\"");
    return std::string();
  }
  if (!body[name].is_string()) return Status::Error("body: \"" + name + "\" must be a string");
  std::string value = body[name].get<std::string>();
  if (value.size() > kMaxText) {
    return Status::Error("body: \"" + name + "\" is longer than 1024 bytes");
  }
  return value;
}

// 404 for a clip that does not exist, 400 for any other refusal, else 200 with the clip's
// current manual tier and tags.
void Reply(Catalog& catalog, int64_t clip_id, const Status& s, httplib::Response& response) {
  if (!s.ok()) {
    const bool missing = s.message().find("does not exist") != std::string::npos;
    return SendError(response, missing ? 404 : 400, s.message());
  }
  nlohmann::ordered_json body;
  body["id"] = clip_id;
  auto manual = catalog.ManualTierOf(clip_id);
  auto tags = catalog.TagsOf(clip_id);
  if (!manual.ok()) return SendError(response, 500, manual.status().message());
  if (!tags.ok()) return SendError(response, 500, tags.status().message());
  if (manual.value()) {
    body["manual_tier"] = {{"tier", manual.value()->tier},
                           {"reason", manual.value()->reason},
                           {"who", manual.value()->who},
                           {"at", manual.value()->at}};
  } else {
    body["manual_tier"] = nullptr;
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ClipTag& t : tags.value()) list.push_back(t.tag);
  body["tags"] = std::move(list);
  SendJson(response, body);
}

// Runs `write(catalog, id, who)` for the clip in the route; handles the common errors.
template <typename Write>
void HandleWrite(ServeContext& context, const httplib::Request& request,
                 httplib::Response& response, Write write) {
  auto id = ClipIdFrom(request);
  if (!id) return SendError(response, 404, "no such clip");
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  Status s = write(**lease, *id, RequestUser(request));
  Reply(**lease, *id, s, response);
}

}  // namespace

void AddCurationRoutes(httplib::Server& server, ServeContext& context) {
  server.Post(R"(/api/v1/clip/(\d+)/tier)",
              [&context](const httplib::Request& req, httplib::Response& res) {
                auto body = JsonObjectBody(req);
                if (!body.ok()) return SendError(res, 400, body.status().message());
                auto tier = StringField(body.value(), "tier", true);
                auto reason = StringField(body.value(), "reason", false);
                if (!tier.ok()) return SendError(res, 400, tier.status().message());
                if (!reason.ok()) return SendError(res, 400, reason.status().message());
                HandleWrite(context, req, res, [&](Catalog& c, int64_t id, const std::string& who) {
                  return c.SetManualTier(id, tier.value(), reason.value(), who);
                });
              });
  server.Delete(R"(/api/v1/clip/(\d+)/tier)", [&context](const httplib::Request& req,
                                                         httplib::Response& res) {
    HandleWrite(context, req, res, [](Catalog& c, int64_t id, const std::string& who) {
      return c.ClearManualTier(id, who);
    });
  });
  server.Post(R"(/api/v1/clip/(\d+)/tags)",
              [&context](const httplib::Request& req, httplib::Response& res) {
                auto body = JsonObjectBody(req);
                if (!body.ok()) return SendError(res, 400, body.status().message());
                auto tag = StringField(body.value(), "tag", true);
                if (!tag.ok()) return SendError(res, 400, tag.status().message());
                HandleWrite(context, req, res, [&](Catalog& c, int64_t id, const std::string& who) {
                  return c.AddTag(id, tag.value(), who);
                });
              });
  // The tag is the rest of the path, percent-decoded (a tag with '/' is sent as %2F).
  server.Delete(R"(/api/v1/clip/(\d+)/tags/(.+))", [&context](const httplib::Request& req,
                                                              httplib::Response& res) {
    const std::string tag = req.matches.size() > 2 ? req.matches[2].str() : "";
    HandleWrite(context, req, res, [&](Catalog& c, int64_t id, const std::string& who) {
      return c.RemoveTag(id, tag, who);
    });
  });
}

}  // namespace clipdex
