// The catalog's full-text index and the queries search runs (see catalog/catalog.h). The index
// text itself is made outside (search/search_document.h); here is only its SQL.
#include <sqlite3.h>

#include "catalog/catalog.h"
#include "catalog/catalog_rows.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex {
namespace {

using sql::ColText;
using sql::Exec;
using sql::Prepare;

// Attributes a search document is made of (the migration-4 triggers watch the same names).
constexpr std::string_view kIndexedAttributesSql =
    "a.name LIKE 'caption.%' OR a.name IN ('text.content', 'camera.movement', "
    "'framing.shot_scale', 'camera.speed', 'watermark.present', 'framing.faces')";

// BM25 column weights, in kSearchColumns order. Tags are a person's words about the clip and
// labels are measured facts, so they weigh most; on-screen text is exact evidence; captions are
// long and repeat the labels, so a caption term counts least.
constexpr std::string_view kRankExpr = "bm25(search_fts, 4.0, 1.0, 2.0, 6.0, 1.5, 1.0)";

std::string OnlyIdsJoin(const std::string& table, const std::string& column) {
  if (table.empty()) return "";
  return " JOIN temp." + sql::QuoteIdent(table) + " sel ON sel.clip_id = " + column;
}

// ORDER BY for a numeric attribute or clip field sort; ?9 is bound to the attribute name. Clips
// without the attribute sort last either way. The field subquery uses the aliases c and v, so
// `clip_column` must not (callers alias their own tables otherwise).
std::string SortOrder(const std::string& sort_attribute, bool ascending,
                      const std::string& clip_column, const std::string& fallback) {
  if (sort_attribute.empty()) return fallback;
  std::string value;
  if (auto field = sql::ClipFieldExpression(sort_attribute)) {
    value = "(SELECT " + *field + " FROM clips c JOIN videos v ON v.id = c.video_id WHERE c.id = ";
    value += clip_column;
    value += ')';
  } else {
    value = "(SELECT num FROM clip_attributes WHERE clip_id = " + clip_column + " AND name = ?9)";
  }
  return value + " IS NULL, " + value + (ascending ? " ASC, " : " DESC, ") + clip_column;
}

Result<long> CountRows(sqlite3* db, const std::string& sql_text, const std::string& fts_query) {
  auto stmt = Prepare(db, sql_text, "search");
  if (!stmt.ok()) return stmt.status();
  if (!fts_query.empty()) sql::BindText(stmt->get(), 1, fts_query);
  if (sqlite3_step(stmt->get()) != SQLITE_ROW) return sql::SqlError(db, "search");
  return static_cast<long>(sqlite3_column_int64(stmt->get(), 0));
}

}  // namespace

Result<long> Catalog::UpdateSearchIndex(
    bool rebuild, const std::function<SearchDocument(const SearchSource&)>& make_document) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  sql::Transaction txn(db, "search index");
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  if (rebuild) {
    if (Status s = Exec(db,
                        "DELETE FROM search_fts; DELETE FROM search_dirty; "
                        "INSERT INTO search_dirty (clip_id) SELECT c.id FROM clips c "
                        "JOIN videos v ON v.id = c.video_id WHERE v.status = 'ok'",
                        "search index");
        !s.ok()) {
      return s;
    }
  }
  // One pass over the dirty clips with their indexed attributes, one row per (clip, attribute):
  // rows of one clip arrive together (ordered by clip id), so one SearchSource is built at a time.
  auto rows = Prepare(db,
                      "SELECT d.clip_id, v.path, a.name, COALESCE(a.text, CAST(a.num AS TEXT)) "
                      "FROM search_dirty d JOIN clips c ON c.id = d.clip_id "
                      "JOIN videos v ON v.id = c.video_id AND v.status = 'ok' "
                      "LEFT JOIN clip_attributes a ON a.clip_id = d.clip_id AND (" +
                          std::string(kIndexedAttributesSql) + ") ORDER BY d.clip_id",
                      "search index");
  if (!rows.ok()) return rows.status();
  auto tags = Prepare(db, "SELECT tag FROM clip_tags WHERE clip_id = ?1 ORDER BY tag");
  if (!tags.ok()) return tags.status();
  auto drop = Prepare(db, "DELETE FROM search_fts WHERE rowid = ?1");
  if (!drop.ok()) return drop.status();
  auto insert = Prepare(db,
                        "INSERT INTO search_fts (rowid, labels, caption, screen_text, tags, path, "
                        "glossary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert.ok()) return insert.status();

  long written = 0;
  auto flush = [&](SearchSource& src) -> Status {
    if (src.clip_id == 0) return Status::Ok();
    sql::BindInt(tags->get(), 1, src.clip_id);
    while (sqlite3_step(tags->get()) == SQLITE_ROW) src.tags.push_back(ColText(tags->get(), 0));
    sqlite3_reset(tags->get());
    const SearchDocument doc = make_document(src);
    sql::BindInt(drop->get(), 1, src.clip_id);
    if (Status s = sql::StepDone(db, drop->get(), "search index"); !s.ok()) return s;
    sqlite3_stmt* ins = insert->get();
    sql::BindInt(ins, 1, src.clip_id);
    sql::BindText(ins, 2, doc.labels);
    sql::BindText(ins, 3, doc.caption);
    sql::BindText(ins, 4, doc.screen_text);
    sql::BindText(ins, 5, doc.tags);
    sql::BindText(ins, 6, doc.path);
    sql::BindText(ins, 7, doc.glossary);
    if (Status s = sql::StepDone(db, ins, "search index"); !s.ok()) return s;
    ++written;
    src = SearchSource{};
    return Status::Ok();
  };
  SearchSource current;
  int rc;
  while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
    const int64_t id = sql::ColInt(rows->get(), 0);
    if (id != current.clip_id) {
      if (Status s = flush(current); !s.ok()) return s;
      current.clip_id = id;
      current.video_path = ColText(rows->get(), 1);
    }
    if (!sql::ColIsNull(rows->get(), 2)) {
      current.attributes[ColText(rows->get(), 2)] = ColText(rows->get(), 3);
    }
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "search index");
  if (Status s = flush(current); !s.ok()) return s;
  if (Status s = Exec(db, "DELETE FROM search_dirty", "search index"); !s.ok()) return s;
  if (Status s = txn.Commit(); !s.ok()) return s;
  return written;
}

Result<SearchIndexStats> Catalog::GetSearchIndexStats() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  SearchIndexStats stats;
  auto indexed = CountRows(db, "SELECT COUNT(*) FROM search_fts", "");
  if (!indexed.ok()) return indexed.status();
  auto dirty = CountRows(db, "SELECT COUNT(*) FROM search_dirty", "");
  if (!dirty.ok()) return dirty.status();
  stats.indexed = *indexed;
  stats.dirty = *dirty;
  return stats;
}

Result<std::vector<TextMatch>> Catalog::MatchText(const std::string& fts_query,
                                                  const std::string& only_ids_table,
                                                  const std::string& sort_attribute, bool ascending,
                                                  int limit, int offset, long* total) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  const std::string from =
      " FROM search_fts f" + OnlyIdsJoin(only_ids_table, "f.rowid") + " WHERE search_fts MATCH ?1";
  if (total) {
    auto n = CountRows(db, "SELECT COUNT(*)" + from, fts_query);
    if (!n.ok()) return n.status();
    *total = *n;
  }
  // The page is chosen first (rank or attribute order), then only its rows are highlighted.
  std::string page = "SELECT f.rowid AS id, " + std::string(kRankExpr) + " AS r" + from +
                     " ORDER BY " + SortOrder(sort_attribute, ascending, "f.rowid", "r, f.rowid") +
                     " LIMIT ?2 OFFSET ?3";
  std::string highlights;
  for (size_t i = 0; i < kSearchColumns.size(); ++i) {
    highlights += ", highlight(search_fts, " + std::to_string(i) + ", char(1), char(2))";
  }
  auto stmt = Prepare(db,
                      "SELECT p.id, p.r" + highlights + " FROM (" + page +
                          ") p JOIN search_fts ON search_fts.rowid = p.id AND search_fts MATCH ?1 "
                          "ORDER BY " +
                          SortOrder(sort_attribute, ascending, "p.id", "p.r, p.id"),
                      "search");
  if (!stmt.ok()) return stmt.status();
  sql::BindText(stmt->get(), 1, fts_query);
  sql::BindInt(stmt->get(), 2, limit);
  sql::BindInt(stmt->get(), 3, offset);
  if (!sort_attribute.empty()) sql::BindText(stmt->get(), 9, sort_attribute);
  std::vector<TextMatch> out;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    TextMatch m;
    m.clip_id = sql::ColInt(stmt->get(), 0);
    m.rank = sql::ColDouble(stmt->get(), 1);
    for (size_t i = 0; i < kSearchColumns.size(); ++i) {
      std::string text = ColText(stmt->get(), static_cast<int>(i) + 2);
      if (text.find('\x01') != std::string::npos) {
        m.highlights[std::string(kSearchColumns[i])] = std::move(text);
      }
    }
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "search");
  return out;
}

Result<std::vector<int64_t>> Catalog::ListClips(const std::string& only_ids_table,
                                                const std::string& sort_attribute, bool ascending,
                                                int limit, int offset, long* total) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  const std::string from =
      " FROM clips k JOIN videos kv ON kv.id = k.video_id AND kv.status = 'ok'" +
      OnlyIdsJoin(only_ids_table, "k.id");
  if (total) {
    auto n = CountRows(db, "SELECT COUNT(*)" + from, "");
    if (!n.ok()) return n.status();
    *total = *n;
  }
  auto stmt =
      Prepare(db,
              "SELECT k.id" + from + " ORDER BY " +
                  SortOrder(sort_attribute, ascending, "k.id", "k.id") + " LIMIT ?2 OFFSET ?3",
              "search");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 2, limit);
  sql::BindInt(stmt->get(), 3, offset);
  if (!sort_attribute.empty()) sql::BindText(stmt->get(), 9, sort_attribute);
  std::vector<int64_t> out;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) out.push_back(sql::ColInt(stmt->get(), 0));
  if (rc != SQLITE_DONE) return sql::SqlError(db, "search");
  return out;
}

Status Catalog::ForEachSignature(
    const std::function<void(int64_t, std::string_view, double, double)>& fn) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT a.clip_id, a.text, c.start_time, c.duration FROM clip_attributes a "
                      "JOIN clips c ON c.id = a.clip_id JOIN videos v ON v.id = c.video_id "
                      "WHERE a.name = 'dedup.signature' AND v.status = 'ok' AND a.text <> '' "
                      "ORDER BY a.clip_id",
                      "signatures");
  if (!stmt.ok()) return stmt.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt->get(), 1));
    const auto bytes = static_cast<size_t>(sqlite3_column_bytes(stmt->get(), 1));
    fn(sql::ColInt(stmt->get(), 0), std::string_view(text ? text : "", text ? bytes : 0),
       sql::ColDouble(stmt->get(), 2), sql::ColDouble(stmt->get(), 3));
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "signatures");
  return Status::Ok();
}

}  // namespace clipdex
