// GET/POST /api/v1/search and GET /api/v1/export: the search library (search/search_engine.h)
// over HTTP. Parameters: q, where, tier, sort, asc, limit, offset, literal, semantic, like_clip;
// POST carries an example image as the body (query by example).
#include <memory>
#include <string>
#include <vector>

#include "catalog/clip_json.h"
#include "search/search_hit_json.h"
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
  auto semantic = BoolParam(request, "semantic", false);
  if (!semantic.ok()) return semantic.status();
  s.semantic = semantic.value();
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

// Runs `search` on a checked-out connection with the shared example index; the response is
// set on error (400: the request's fault, 503: no connection).
Result<SearchResult> RunSearch(ServeContext& context, Catalog& catalog,
                               const SearchRequest& search) {
  SearchEngine engine(catalog, context.examples());
  engine.UseClipSets(context.clip_sets());
  SearchRequest limited = search;
  limited.time_limit_seconds = context.options().query_time_limit;
  const bool by_example = !search.like_clip.empty() || !search.like_image_bytes.empty();
  if (by_example && !search.semantic && !context.examples()) {
    auto built = context.EnsureExamples(engine);
    if (!built.ok()) return built.status();
  }
  if (search.semantic) {
    auto built = context.EnsureEmbeddings(engine);
    if (!built.ok()) return built.status();
    engine.ShareEmbeddings(*built);
  }
  return engine.Search(limited);
}

void HandleSearch(ServeContext& context, const httplib::Request& request,
                  httplib::Response& response) {
  auto search = ParseSearchRequest(request);
  if (!search.ok()) return SendError(response, 400, search.status().message());
  // The turn first, then a connection: the pool hands out the connection returned last, so the
  // few searches running at once reuse the same connections, whose page caches stay warm.
  FifoGate::Pass pass(context.search_gate());
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  auto result = RunSearch(context, **lease, search.value());
  if (!result.ok()) {
    const bool slow = result.status().message().find("took longer than") != std::string::npos;
    return SendError(response, slow ? 503 : 400, result.status().message());
  }
  nlohmann::ordered_json body;
  body["total"] = result->total;
  body["total_capped"] = result->total_capped;
  body["mode"] = result->mode;
  body["fts_query"] = result->fts_query;
  body["understood"] = result->understood;
  body["seconds"] = result->seconds;
  body["offset"] = search->offset;
  body["limit"] = search->limit;
  nlohmann::ordered_json hits = nlohmann::ordered_json::array();
  for (const SearchHit& h : result->hits) hits.push_back(SearchHitJson(h));
  body["hits"] = std::move(hits);
  SendJson(response, body);
}

// One export line: ClipJson plus clip_id, tier and the matched range; "" when the clip is gone.
Result<std::string> ExportLine(Catalog& catalog, const SearchHit& h) {
  auto detail = catalog.FindClip(h.clip_id);
  if (!detail.ok()) return detail.status();
  if (!detail.value()) return std::string();
  nlohmann::ordered_json line;
  line["clip_id"] = h.clip_id;
  line["tier"] = h.tier;
  line["match_start"] = h.match_start;
  line["match_end"] = h.match_end;
  line["match_reason"] = h.match_reason;
  const auto clip = ClipJson(detail.value()->video, detail.value()->clip, false);
  for (auto it = clip.begin(); it != clip.end(); ++it) line[it.key()] = it.value();
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  return text;
}

// A streaming export: the connection it reads from, the page to fetch next and what is left.
struct ExportStream {
  ExportStream(ServeContext& c, CatalogPool::Lease l) : context(c), lease(std::move(l)) {}
  ServeContext& context;
  CatalogPool::Lease lease;
  SearchRequest page;
  std::vector<SearchHit> pending;  // the first page, fetched before the headers went out
  bool exhausted = false;          // a page came back short: no more to fetch
  long written = 0;
};

// Writes one page of lines; false when the stream is over (finished, or failed half-way: the
// download is then short). Pages are fetched until one comes back short: a search's total may
// be capped, so it does not say when to stop.
bool WriteExportPage(ExportStream& s, httplib::DataSink& sink) {
  std::vector<SearchHit> hits = std::move(s.pending);
  s.pending.clear();
  if (hits.empty()) {
    if (s.exhausted || s.written >= kMaxExportRows) return false;
    FifoGate::Pass pass(s.context.search_gate());
    auto result = RunSearch(s.context, *s.lease, s.page);
    if (!result.ok()) return false;
    hits = std::move(result->hits);
    if (hits.empty()) return false;
  }
  if (static_cast<int>(hits.size()) < s.page.limit) s.exhausted = true;
  s.page.offset += static_cast<int>(hits.size());
  std::string chunk;
  for (const SearchHit& h : hits) {
    if (s.written >= kMaxExportRows) break;
    auto line = ExportLine(*s.lease, h);
    if (!line.ok()) return false;
    chunk += line.value();
    ++s.written;
  }
  return chunk.empty() || sink.write(chunk.data(), chunk.size());
}

// The whole result set (every page, at most kMaxExportRows) as a JSONL download, streamed page
// by page so memory stays flat. The first page runs before answering, so a bad query is a 400.
void HandleExport(ServeContext& context, const httplib::Request& request,
                  httplib::Response& response) {
  const std::string format =
      request.has_param("format") ? request.get_param_value("format") : "jsonl";
  if (format != "jsonl") return SendError(response, 400, "format: only jsonl is supported");
  auto search = ParseSearchRequest(request);
  if (!search.ok()) return SendError(response, 400, search.status().message());
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  auto stream = std::make_shared<ExportStream>(context, std::move(lease.value()));
  stream->page = search.value();
  stream->page.limit = 1000;
  stream->page.offset = 0;
  auto first = [&] {
    FifoGate::Pass pass(context.search_gate());
    return RunSearch(context, *stream->lease, stream->page);
  }();
  if (!first.ok()) return SendError(response, 400, first.status().message());
  stream->pending = std::move(first->hits);
  stream->exhausted = static_cast<int>(stream->pending.size()) < stream->page.limit;
  response.set_header("Content-Disposition", "attachment; filename=\"clipdex-results.jsonl\"");
  response.set_chunked_content_provider("application/x-ndjson; charset=utf-8",
                                        [stream](size_t, httplib::DataSink& sink) {
                                          if (!WriteExportPage(*stream, sink)) sink.done();
                                          return true;
                                        });
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
