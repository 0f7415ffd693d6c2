// GET/POST /api/v1/search and GET /api/v1/export: the search library (search/search_engine.h)
// over HTTP. Parameters: q, where, tier, sort, asc, limit, offset, literal, like_clip; POST
// carries an example image as the body (query by example).
#include <string>

#include "catalog/clip_json.h"
#include "serve/http_json.h"
#include "serve/serve_context.h"

namespace clipdex {
namespace {

constexpr long kMaxExportRows = 100000;

// The request's search parameters; an error names the bad one (for a 400).
Result<SearchRequest> ParseSearchRequest(const httplib::Request& request) {
  SearchRequest s;
  s.text = request.get_param_value("q");
  s.filter.where = request.get_param_value("where");
  s.filter.tier = request.get_param_value("tier");
  s.sort = request.get_param_value("sort");
  s.like_clip = request.get_param_value("like_clip");
  auto asc = BoolParam(request, "asc", false);
  if (!asc.ok()) return asc.status();
  s.ascending = asc.value();
  auto literal = BoolParam(request, "literal", false);
  if (!literal.ok()) return literal.status();
  s.literal = literal.value();
  auto limit = IntParam(request, "limit", 50, 1, 1000);
  if (!limit.ok()) return limit.status();
  s.limit = static_cast<int>(limit.value());
  auto offset = IntParam(request, "offset", 0, 0, 100000000);
  if (!offset.ok()) return offset.status();
  s.offset = static_cast<int>(offset.value());
  for (const std::string* text :
       {&s.text, &s.filter.where, &s.filter.tier, &s.sort, &s.like_clip}) {
    if (text->size() > 4096) return Status::Error("parameter too long (at most 4096 bytes)");
  }
  if (request.method == "POST") {
    if (request.body.empty()) return Status::Error("body: expected an image (the example)");
    if (!s.like_clip.empty()) return Status::Error("give either an example image or like_clip");
    s.like_image_bytes.assign(request.body.begin(), request.body.end());
  }
  return s;
}

nlohmann::ordered_json HitJson(const SearchHit& h) {
  nlohmann::ordered_json j;
  j["id"] = h.clip_id;
  j["video"] = h.video_path;
  j["fingerprint"] = h.fingerprint;
  j["index"] = h.index;
  j["start"] = h.start;
  j["end"] = h.end;
  j["duration"] = h.end - h.start;
  j["match_start"] = h.match_start;
  j["match_end"] = h.match_end;
  j["match_reason"] = h.match_reason;
  j["score"] = h.score;
  j["similarity"] = h.similarity ? nlohmann::ordered_json(*h.similarity) : nullptr;
  j["tier"] = h.tier;
  j["has_thumbnail"] = !h.thumbnail.empty();
  j["movement"] = h.movement;
  j["shot_scale"] = h.shot_scale;
  j["caption"] = h.caption;
  j["highlights"] = h.highlights;
  return j;
}

// Runs `search` on a checked-out connection with the shared example index; the response is
// set on error (400: the request's fault, 503: no connection).
Result<SearchResult> RunSearch(ServeContext& context, Catalog& catalog,
                               const SearchRequest& search) {
  SearchEngine engine(catalog, context.examples());
  const bool by_example = !search.like_clip.empty() || !search.like_image_bytes.empty();
  if (by_example && !context.examples()) {
    auto built = context.EnsureExamples(engine);
    if (!built.ok()) return built.status();
  }
  return engine.Search(search);
}

void HandleSearch(ServeContext& context, const httplib::Request& request,
                  httplib::Response& response) {
  auto search = ParseSearchRequest(request);
  if (!search.ok()) return SendError(response, 400, search.status().message());
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  auto result = RunSearch(context, **lease, search.value());
  if (!result.ok()) return SendError(response, 400, result.status().message());
  nlohmann::ordered_json body;
  body["total"] = result->total;
  body["mode"] = result->mode;
  body["fts_query"] = result->fts_query;
  body["understood"] = result->understood;
  body["seconds"] = result->seconds;
  body["offset"] = search->offset;
  body["limit"] = search->limit;
  nlohmann::ordered_json hits = nlohmann::ordered_json::array();
  for (const SearchHit& h : result->hits) hits.push_back(HitJson(h));
  body["hits"] = std::move(hits);
  SendJson(response, body);
}

// The whole result set (every page) as JSONL: the export line of each clip (ClipJson) plus
// clip_id, tier and the matched range.
void HandleExport(ServeContext& context, const httplib::Request& request,
                  httplib::Response& response) {
  const std::string format =
      request.has_param("format") ? request.get_param_value("format") : "jsonl";
  if (format != "jsonl") return SendError(response, 400, "format: only jsonl is supported");
  auto search = ParseSearchRequest(request);
  if (!search.ok()) return SendError(response, 400, search.status().message());
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  Catalog& catalog = **lease;
  SearchRequest page = search.value();
  page.limit = 1000;
  page.offset = 0;
  std::string out;
  long written = 0;
  while (written < kMaxExportRows) {
    auto result = RunSearch(context, catalog, page);
    if (!result.ok()) return SendError(response, 400, result.status().message());
    for (const SearchHit& h : result->hits) {
      auto detail = catalog.FindClip(h.clip_id);
      if (!detail.ok()) return SendError(response, 500, detail.status().message());
      if (!detail.value()) continue;
      nlohmann::ordered_json line;
      line["clip_id"] = h.clip_id;
      line["tier"] = h.tier;
      line["match_start"] = h.match_start;
      line["match_end"] = h.match_end;
      line["match_reason"] = h.match_reason;
      const auto clip = ClipJson(detail.value()->video, detail.value()->clip, false);
      for (auto it = clip.begin(); it != clip.end(); ++it) line[it.key()] = it.value();
      out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out += '\n';
      ++written;
    }
    if (result->hits.empty() ||
        page.offset + static_cast<long>(result->hits.size()) >= result->total) {
      break;
    }
    page.offset += static_cast<int>(result->hits.size());
  }
  response.set_header("Content-Disposition", "attachment; filename=\"clipdex-results.jsonl\"");
  response.set_header("X-Clipdex-Rows", std::to_string(written));
  if (written >= kMaxExportRows) response.set_header("X-Clipdex-Truncated", "true");
  response.set_content(out, "application/x-ndjson; charset=utf-8");
}

}  // namespace

void AddSearchRoutes(httplib::Server& server, ServeContext& context) {
  server.Get("/api/v1/search", [&context](const httplib::Request& req, httplib::Response& res) {
    HandleSearch(context, req, res);
  });
  server.Post("/api/v1/search", [&context](const httplib::Request& req, httplib::Response& res) {
    HandleSearch(context, req, res);
  });
  server.Get("/api/v1/export", [&context](const httplib::Request& req, httplib::Response& res) {
    HandleExport(context, req, res);
  });
}

}  // namespace clipdex
