// clipdex_bm25: FTS5's bm25 with cached corpus statistics (see catalog/fts_rank.h).
#include "catalog/fts_rank.h"

#include <cmath>

#include "catalog/sqlite_stmt.h"

namespace clipdex::sql {
namespace {

int CountRow(const Fts5ExtensionApi* /*api*/, Fts5Context* /*fts*/, void* user) {
  ++*static_cast<int64_t*>(user);
  return SQLITE_OK;
}

// The statistics of this statement's query: from the cache, else counted as bm25() counts them.
const FtsRankCache::QueryStats* StatsOf(const Fts5ExtensionApi* api, Fts5Context* fts,
                                        FtsRankCache* cache, const std::string& query, int* rc) {
  if (const auto* hit = cache->Find(query)) return hit;
  FtsRankCache::QueryStats s;
  sqlite3_int64 rows = 0, tokens = 0;
  if ((*rc = api->xRowCount(fts, &rows)) != SQLITE_OK) return nullptr;
  if ((*rc = api->xColumnTotalSize(fts, -1, &tokens)) != SQLITE_OK) return nullptr;
  s.rows = rows;
  s.tokens = tokens;
  const int phrases = api->xPhraseCount(fts);
  for (int i = 0; i < phrases; ++i) {
    int64_t hits = 0;
    if ((*rc = api->xQueryPhrase(fts, i, &hits, CountRow)) != SQLITE_OK) return nullptr;
    s.phrase_rows.push_back(hits);
  }
  return cache->Put(query, std::move(s));
}

// clipdex_bm25(search_fts, query, weight per column...): argv[0] is the query text (the cache
// key), the rest are bm25()'s column weights.
void Bm25(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int argc,
          sqlite3_value** argv) {
  constexpr double k1 = 1.2, b = 0.75;  // bm25()'s constants
  auto* cache = static_cast<FtsRankCache*>(api->xUserData(fts));
  if (argc < 1) {
    sqlite3_result_error(ctx, "clipdex_bm25: the query text is missing", -1);
    return;
  }
  // The statistics pointer is kept for the statement (auxiliary data): one cache lookup per
  // query, not per row.
  const auto* stats = static_cast<const FtsRankCache::QueryStats*>(api->xGetAuxdata(fts, 0));
  int rc = SQLITE_OK;
  if (stats == nullptr) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    stats = StatsOf(api, fts, cache, text ? text : "", &rc);
    if (stats == nullptr) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    // The cache outlives the statement (no destructor); cleared only between statements.
    api->xSetAuxdata(fts, const_cast<FtsRankCache::QueryStats*>(stats), nullptr);
  }
  const size_t phrases = stats->phrase_rows.size();
  std::vector<double> freq(phrases, 0.0);
  int instances = 0;
  if ((rc = api->xInstCount(fts, &instances)) != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  for (int i = 0; i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    if ((rc = api->xInst(fts, i, &phrase, &column, &offset)) != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    const double w = argc - 1 > column ? sqlite3_value_double(argv[column + 1]) : 1.0;
    if (phrase >= 0 && static_cast<size_t>(phrase) < phrases)
      freq[static_cast<size_t>(phrase)] += w;
  }
  const int64_t rowid = api->xRowid(fts);
  int row_tokens = cache->RowTokens(rowid);
  if (row_tokens < 0) {
    if ((rc = api->xColumnSize(fts, -1, &row_tokens)) != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    cache->RememberRowTokens(rowid, row_tokens);
  }
  const double avgdl = static_cast<double>(stats->tokens) / static_cast<double>(stats->rows);
  const double d = row_tokens;
  double score = 0;
  for (size_t i = 0; i < phrases; ++i) {
    const double n = static_cast<double>(stats->rows),
                 hits = static_cast<double>(stats->phrase_rows[i]);
    double idf = std::log((n - hits + 0.5) / (hits + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    score += idf * ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * d / avgdl)));
  }
  sqlite3_result_double(ctx, -1.0 * score);
}

}  // namespace

Status RegisterFtsRank(sqlite3* db, FtsRankCache* cache) {
  fts5_api* api = nullptr;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &raw, nullptr) != SQLITE_OK) {
    return Status::Error(std::string("catalog: no FTS5: ") + sqlite3_errmsg(db));
  }
  StmtPtr stmt(raw);
  sqlite3_bind_pointer(raw, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(raw);
  if (api == nullptr || api->iVersion < 2) return Status::Error("catalog: no FTS5 API");
  if (api->xCreateFunction(api, "clipdex_bm25", cache, Bm25, nullptr) != SQLITE_OK) {
    return Status::Error(std::string("catalog: clipdex_bm25: ") + sqlite3_errmsg(db));
  }
  return Status::Ok();
}

}  // namespace clipdex::sql
