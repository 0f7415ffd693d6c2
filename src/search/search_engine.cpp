// The search engine (see search/search_engine.h).
#include "search/search_engine.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "analyze/clip_embedding.h"
#include "search/clip_set_cache.h"
#include "search/embedding_index.h"
#include "search/example_index.h"
#include "search/query_understanding.h"
#include "search/search_document.h"
#include "search/search_text.h"
#include "search/time_localise.h"
#include "util/ascii_case.h"

namespace clipdex {
namespace {

std::string TextOf(const ClipRecord& c, const std::string& name) {
  const Attribute* a = FindAttribute(c, name);
  return a ? a->text : std::string();
}

// An uploaded picture goes through a private temporary file: FFmpeg's file demuxers then read
// it like any image path (JPEG, PNG, WebP, ... whatever the build decodes).
Result<cv::Mat> ReadExampleBytes(const std::vector<uint8_t>& bytes) {
  char name[] = "/tmp/clipdex-example-XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) return Status::Error("cannot store the example image: no temporary file");
  const ssize_t written = write(fd, bytes.data(), bytes.size());
  close(fd);
  Result<cv::Mat> picture =
      written == static_cast<ssize_t>(bytes.size())
          ? ReadExamplePicture(name)
          : Result<cv::Mat>(Status::Error("cannot store the example image: write failed"));
  unlink(name);
  if (!picture.ok()) {
    // The temporary name means nothing to the caller.
    std::string msg = picture.status().message();
    const size_t at = msg.find(name);
    if (at != std::string::npos) msg.replace(at, std::string(name).size(), "(upload)");
    return Status::Error(msg);
  }
  return picture;
}

Result<FrameHash> HashExampleBytes(const std::vector<uint8_t>& bytes) {
  auto picture = ReadExampleBytes(bytes);
  if (!picture.ok()) return picture.status();
  auto hash = HashExamplePicture(*picture);
  if (!hash)
    return Status::Error("example image (upload) has no features to compare (a flat picture)");
  return *hash;
}

// The attributes a hit shows (labels, caption) and time-localises by (search/time_localise.h).
const std::vector<std::string> kHitAttributes = {"camera.movement", "framing.shot_scale",
                                                 "caption.text",    "caption.json",
                                                 "text.boxes",      "camera.segments"};

std::string JoinConditions(const std::string& where, const std::vector<std::string>& extra) {
  std::string out;
  if (!where.empty()) out = "(" + where + ")";
  for (const std::string& c : extra) {
    if (!out.empty()) out += " AND ";
    out += c;
  }
  return out;
}

}  // namespace

SearchEngine::SearchEngine(Catalog& catalog, std::shared_ptr<const ExampleIndex> examples)
    : catalog_(catalog), examples_(std::move(examples)) {}

SearchEngine::~SearchEngine() = default;

Result<long> SearchEngine::UpdateIndex(bool rebuild) {
  if (!rebuild) {
    auto stale = catalog_.SearchIndexIsStale();
    if (!stale.ok()) return stale.status();
    if (!*stale) return 0L;
  }
  return catalog_.UpdateSearchIndex(rebuild, MakeSearchDocument);
}

Result<std::shared_ptr<const EmbeddingIndex>> SearchEngine::Embeddings() {
  if (!embeddings_) {
    auto built = EmbeddingIndex::Build(catalog_);
    if (!built.ok()) return built.status();
    embeddings_ = std::move(*built);
  }
  return embeddings_;
}

Result<std::vector<float>> SearchEngine::SemanticQuery(const SearchRequest& req, int64_t* exclude) {
  if (!req.like_clip.empty()) {
    auto found = ResolveClip(catalog_, req.like_clip);
    if (!found.ok()) return found.status();
    if (!*found) return Status::Error("no clip '" + req.like_clip + "' in the catalog");
    *exclude = (*found)->clip.id;
    const std::string text = TextOf((*found)->clip, "embedding.clip");
    if (text.empty()) {
      return Status::Error("clip '" + req.like_clip +
                           "' has no CLIP embedding (embedding.clip): configure a CLIP image "
                           "encoder (model slot clip_image) and re-ingest");
    }
    return DecodeClipEmbedding(text);
  }
  if (!req.like_image.empty() || !req.like_image_bytes.empty()) {
    auto picture = req.like_image.empty() ? ReadExampleBytes(req.like_image_bytes)
                                          : ReadExamplePicture(req.like_image);
    if (!picture.ok()) return picture.status();
    return SemanticPictureQuery(*picture);
  }
  if (req.text.empty()) return Status::Error("semantic search needs words or an example");
  return SemanticTextQuery(req.text);
}

Result<std::shared_ptr<const ExampleIndex>> SearchEngine::Examples() {
  if (!examples_) {
    auto built = ExampleIndex::Build(catalog_);
    if (!built.ok()) return built.status();
    examples_ = std::move(*built);
  }
  return examples_;
}

Result<SearchResult> SearchEngine::Search(const SearchRequest& req) {
  catalog_.SetQueryTimeLimit(req.time_limit_seconds);
  struct ClearLimit {
    Catalog& c;
    ~ClearLimit() { c.SetQueryTimeLimit(0); }
  } clear_limit{catalog_};
  auto result = SearchWithinLimit(req);
  if (!result.ok() && req.time_limit_seconds > 0 &&
      result.status().message().find("interrupted") != std::string::npos) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "search took longer than %g s (the time limit)",
                  req.time_limit_seconds);
    return Status::Error(buf);
  }
  return result;
}

Result<SearchResult> SearchEngine::SearchWithinLimit(const SearchRequest& req) {
  const auto t0 = std::chrono::steady_clock::now();
  if (req.limit < 1 || req.limit > 1000) return Status::Error("limit must be 1..1000");
  if (req.offset < 0) return Status::Error("offset must be >= 0");
  const int examples = (req.like_image.empty() ? 0 : 1) + (req.like_image_bytes.empty() ? 0 : 1) +
                       (req.like_clip.empty() ? 0 : 1);
  if (examples > 1) return Status::Error("give one example: an image or a clip, not both");

  // An index that cannot be brought up to date (a read-only dataset) is still searched.
  (void)UpdateIndex(false);

  SearchResult result;
  UnderstoodQuery understood;
  if (req.literal) {
    understood.text = req.text;
  } else {
    understood = UnderstandQuery(req.text);
  }
  std::vector<QueryTerm> terms = ParseQueryTerms(understood.text);

  // The attribute filter: --tier, --where and the conditions drawn from the words. When the
  // catalog lacks an attribute those conditions name (an analyzer that never ran), the words
  // are searched as words instead.
  ClipFilter filter = req.filter;
  filter.where = JoinConditions(req.filter.where, understood.conditions);
  auto where = CompileFilter(catalog_, filter);
  if (!where.ok() && !understood.conditions.empty()) {
    understood = UnderstoodQuery{req.text, {}, {}, {}};
    terms = ParseQueryTerms(understood.text);
    filter = req.filter;
    where = CompileFilter(catalog_, filter);
  }
  if (!where.ok()) return where.status();
  result.understood = understood.conditions;

  LocaliseQuery where_words;
  for (const QueryTerm& t : terms) {
    if (t.negated) continue;
    for (const std::string& tok : t.tokens) where_words.words.push_back(AsciiLower(tok));
  }
  where_words.movements = understood.movements;

  ClipQuery query;
  query.fts = FtsQuery(terms, /*all=*/true);
  query.tier = filter.tier;
  // Each top-level condition in its index-driven form where it has one (RuleConjunct::index_sql):
  // a label or number filter then reads its clips from an index, not every candidate's row; with
  // a clip set cache (the server), from the set the cache keeps of it.
  for (const RuleConjunct& c : where->conjuncts) {
    if (clip_sets_ && !c.index_select.empty()) {
      auto set = clip_sets_->Get(c.index_select);
      if (set.ok()) {
        query.clip_sets.push_back(std::move(*set));
        continue;
      }
    }
    if (!query.where_sql.empty()) query.where_sql += " AND ";
    query.where_sql += c.index_sql.empty() ? "(" + c.sql + ")" : c.index_sql;
  }
  query.where_attributes = where->attributes;
  query.sort = req.sort;
  query.ascending = req.ascending;
  query.limit = req.limit;
  query.offset = req.offset;
  auto run = [&]() -> Result<ClipPage> {
    auto page = catalog_.QueryClips(query);
    if (!page.ok()) {
      return Status::Error((req.filter.where.empty() ? "search: " : "--where: ") +
                           page.status().message());
    }
    return page;
  };

  std::vector<int64_t> ids;
  std::map<int64_t, TextMatch> matches;
  std::map<int64_t, ExampleMatch> similar;
  std::map<int64_t, double> cosines;  // semantic search: CLIP cosine per hit
  // Filters (not words) narrow the candidates of a ranking by example or embedding.
  auto allowed_clips = [&](std::unordered_set<int64_t>* allowed) -> Status {
    query.limit = 1 << 30;
    query.offset = 0;
    query.count_cap = 1 << 30;
    query.rank_cap = 1 << 30;
    query.highlights = false;
    auto page = run();
    if (!page.ok()) return page.status();
    for (const TextMatch& m : page->rows) allowed->insert(m.clip_id);
    return Status::Ok();
  };
  if (req.semantic) {
    // The words (or the example) become one CLIP vector; camera words drawn from them stay
    // filters; no full-text condition.
    int64_t exclude = 0;
    auto q = SemanticQuery(req, &exclude);
    if (!q.ok()) return q.status();
    auto index = Embeddings();
    if (!index.ok()) return index.status();
    if ((*index)->clips() == 0) {
      return Status::Error(
          "no clip has a CLIP embedding (embedding.clip): configure a CLIP image encoder (model "
          "slot clip_image) and re-ingest");
    }
    if (static_cast<int>(q->size()) != (*index)->dims()) {
      return Status::Error("the query's CLIP embedding has " + std::to_string(q->size()) +
                           " values, the clips' " + std::to_string((*index)->dims()) +
                           ": the text and image encoders are not one CLIP model");
    }
    query.fts.clear();
    std::unordered_set<int64_t> allowed;
    const bool restrict = !filter.empty();
    if (restrict) {
      if (Status s = allowed_clips(&allowed); !s.ok()) return s;
    }
    const auto nearest =
        (*index)->Nearest(*q, req.offset + req.limit, restrict ? &allowed : nullptr, exclude);
    result.total = static_cast<long>(restrict ? allowed.size() - (allowed.count(exclude) ? 1 : 0)
                                              : (*index)->clips() - (exclude ? 1 : 0));
    for (size_t i = static_cast<size_t>(req.offset); i < nearest.size(); ++i) {
      ids.push_back(nearest[i].clip_id);
      cosines[nearest[i].clip_id] = nearest[i].cosine;
    }
    result.mode = "semantic";
  } else if (examples > 0) {
    std::vector<FrameHash> probe;
    int64_t exclude = 0;
    if (!req.like_clip.empty()) {
      auto found = ResolveClip(catalog_, req.like_clip);
      if (!found.ok()) return found.status();
      if (!*found) return Status::Error("no clip '" + req.like_clip + "' in the catalog");
      exclude = (*found)->clip.id;
      auto sig = DupSignature::Parse(TextOf((*found)->clip, "dedup.signature"));
      if (!sig.ok() || sig->frames.empty()) {
        return Status::Error("clip '" + req.like_clip +
                             "' has no perceptual signature to compare (featureless, or ingested "
                             "without the dedup signature)");
      }
      // Two keyframes of the example, on the grid the index keeps (ExampleIndex::Build: the
      // middles of kExampleFrames equal parts): each probe frame costs a scan of the index, and
      // frames at the same moments meet a copy's kept frames exactly where its timing is the same.
      const size_t n = sig->frames.size();
      const size_t parts = std::min<size_t>(n, kExampleFrames);
      const size_t step = std::max<size_t>(1, parts / kExampleProbeFrames);
      for (size_t i = 0; i < parts; i += step) {
        probe.push_back(sig->frames[std::min(n - 1, (2 * i + 1) * n / (2 * parts))]);
      }
    } else {
      auto hash = req.like_image.empty() ? HashExampleBytes(req.like_image_bytes)
                                         : HashExampleFile(req.like_image);
      if (!hash.ok()) return hash.status();
      probe.push_back(*hash);
    }
    auto index = Examples();
    if (!index.ok()) return index.status();
    // Words and filters narrow the candidates; the example ranks them.
    std::unordered_set<int64_t> allowed;
    const bool restrict = !query.fts.empty() || !filter.empty();
    if (restrict) {
      if (Status s = allowed_clips(&allowed); !s.ok()) return s;
    }
    const auto nearest =
        (*index)->Nearest(probe, req.offset + req.limit, restrict ? &allowed : nullptr, exclude);
    result.total = static_cast<long>(restrict ? allowed.size() - (allowed.count(exclude) ? 1 : 0)
                                              : (*index)->clips() - (exclude ? 1 : 0));
    for (size_t i = static_cast<size_t>(req.offset); i < nearest.size(); ++i) {
      ids.push_back(nearest[i].clip_id);
      similar[nearest[i].clip_id] = nearest[i];
    }
    result.mode = "example";
    result.fts_query = query.fts;
  } else {
    result.mode = query.fts.empty() ? "filter" : "all";
    auto page = run();
    if (!page.ok()) return page.status();
    size_t positive = 0;
    for (const QueryTerm& t : terms) positive += t.negated ? 0 : 1;
    if (page->total == 0 && positive > 1) {
      // No clip has every word: rank the clips with any of them (BM25 favours more words).
      query.fts = FtsQuery(terms, /*all=*/false);
      page = run();
      if (!page.ok()) return page.status();
      result.mode = "any";
    }
    result.total = page->total;
    result.total_capped = page->total_capped;
    result.fts_query = query.fts;
    for (TextMatch& x : page->rows) {
      ids.push_back(x.clip_id);
      matches[x.clip_id] = std::move(x);
    }
  }

  for (size_t rank = 0; rank < ids.size(); ++rank) {
    auto found = catalog_.FindClip(ids[rank], kHitAttributes);
    if (!found.ok()) return found.status();
    if (!*found) continue;  // removed by a concurrent re-ingest
    const ClipDetail& d = **found;
    SearchHit hit;
    hit.clip_id = d.clip.id;
    hit.video_path = d.video.path;
    hit.fingerprint = d.video.fingerprint;
    hit.index = d.clip.index;
    hit.start = d.clip.start_time;
    hit.end = d.clip.end_time;
    hit.tier = d.tiered ? d.tier : "";
    hit.thumbnail = d.clip.thumbnail;
    hit.movement = TextOf(d.clip, "camera.movement");
    hit.shot_scale = TextOf(d.clip, "framing.shot_scale");
    hit.caption = TextOf(d.clip, "caption.text");
    LocaliseQuery q = where_words;
    if (auto it = matches.find(hit.clip_id); it != matches.end()) {
      hit.highlights = it->second.highlights;
      for (const auto& [column, text] : hit.highlights) q.matched_columns.push_back(column);
      // BM25 rank: lower is better; without words, the page order.
      hit.score = query.fts.empty() ? static_cast<double>(ids.size() - rank) : -it->second.rank;
    } else {
      hit.score = static_cast<double>(ids.size() - rank);
    }
    if (auto it = cosines.find(hit.clip_id); it != cosines.end()) {
      hit.similarity = it->second;
      hit.score = it->second;
    }
    if (auto it = similar.find(hit.clip_id); it != similar.end()) {
      hit.similarity = it->second.similarity;
      hit.score = it->second.similarity;
      q.example_time = it->second.time;
      q.example_bits = it->second.bits;
    }
    const TimeMatch tm = LocaliseHit(d, q);
    hit.match_start = tm.start;
    hit.match_end = tm.end;
    hit.match_reason = tm.reason;
    result.hits.push_back(std::move(hit));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace clipdex
