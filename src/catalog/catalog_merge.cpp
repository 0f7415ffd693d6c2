// Catalog::MergeFrom: one shard's catalog folded into this one (see catalog.h for the contract).
//
// The shard is ATTACHed to this connection and copied with INSERT ... SELECT, so rows stream
// through SQLite and memory stays flat however large the shard is. Column lists are read from
// the schema (PRAGMA table_info), so a column a later migration adds is carried without touching
// this file; a new table has to be added to MergeTables (a test fails until it is).
#include <sqlite3.h>

#include <functional>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

using sql::ColText;
using sql::Exec;
using sql::QuoteIdent;
using sql::QuoteString;
using sql::StmtPtr;
using sql::Transaction;

// Attributes whose number is a clip id (dedup's groups): renumbered with the clips.
constexpr const char* kClipIdAttributes = "('dedup.group', 'dedup.dup_of')";

// Videos of the shard whose rows are copied (new fingerprints, or the shard's copy won).
constexpr const char* kCopiedVideo = "mv.action IN ('new', 'replace')";

// The columns of main.<table> in schema order (generated columns are not listed: SQLite
// computes them).
Result<std::vector<std::string>> Columns(sqlite3* db, const std::string& table) {
  auto stmt = sql::Prepare(db, "PRAGMA main.table_info(" + QuoteIdent(table) + ")",
                           "merge: columns of " + table);
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> cols;
  while (sqlite3_step(stmt->get()) == SQLITE_ROW) cols.push_back(ColText(stmt->get(), 1));
  if (cols.empty()) return Status::Error("merge: no table " + table);
  return cols;
}

// "f(a), f(b), ..." over `cols`, leaving out those f maps to "".
std::string Join(const std::vector<std::string>& cols,
                 const std::function<std::string(const std::string&)>& f) {
  std::string out;
  for (const std::string& c : cols) {
    std::string item = f(c);
    if (item.empty()) continue;
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string Plain(const std::string& c) { return QuoteIdent(c); }

// Runs one statement; returns the rows it changed.
Result<long> Run(sqlite3* db, const std::string& statement, const std::string& context) {
  if (Status s = Exec(db, statement, "merge: " + context); !s.ok()) return s;
  return static_cast<long>(sqlite3_changes(db));
}

// Brings main.<table> up to date with `incoming` (a SELECT yielding the table's columns by name,
// ids already renumbered): a row whose key is absent is inserted, a row whose values differ is
// replaced, an equal row is left alone (so triggers and the search index see real changes only,
// and a second merge writes nothing). Returns the rows inserted or replaced.
Result<long> SyncRows(sqlite3* db, const std::string& table, const std::vector<std::string>& keys,
                      const std::string& incoming) {
  auto cols = Columns(db, table);
  if (!cols.ok()) return cols.status();
  const std::string t = "main." + QuoteIdent(table);
  if (Status s = Exec(
          db, "DROP TABLE IF EXISTS temp.merge_rows; CREATE TEMP TABLE merge_rows AS " + incoming,
          "merge: read " + table);
      !s.ok()) {
    return s;
  }
  std::string on, same;
  for (const std::string& k : keys) {
    on += (on.empty() ? "" : " AND ") + ("o." + QuoteIdent(k)) + " = r." + QuoteIdent(k);
  }
  for (const std::string& c : *cols) {
    same += (same.empty() ? "" : " AND ") + ("o." + QuoteIdent(c)) + " IS r." + QuoteIdent(c);
  }
  const std::string key_list = Join(keys, Plain);
  const std::string o_keys = Join(keys, [](const std::string& k) { return "o." + QuoteIdent(k); });
  auto replaced =
      Run(db,
          "DELETE FROM " + t + " WHERE (" + key_list + ") IN (SELECT " + o_keys +
              " FROM temp.merge_rows r JOIN " + t + " o ON " + on + " WHERE NOT (" + same + "))",
          "replace changed rows of " + table);
  if (!replaced.ok()) return replaced.status();
  const std::string col_list = Join(*cols, Plain);
  auto inserted = Run(db,
                      "INSERT OR IGNORE INTO " + t + " (" + col_list + ") SELECT " + col_list +
                          " FROM temp.merge_rows",
                      "insert rows of " + table);
  if (!inserted.ok()) return inserted.status();
  if (Status s = Exec(db, "DROP TABLE temp.merge_rows", "merge"); !s.ok()) return s;
  return *inserted;
}

// "SELECT <the table's columns> FROM shard.<table> s" for a table of clip rows, clip_id
// renumbered, only clips whose rows are copied (merge_clips.copy); `num` may be overridden.
// `renamed`: columns whose value comes from an expression over the shard row s (renumbered ids).
Result<std::string> IncomingClipRows(sqlite3* db, const std::string& table,
                                     const std::map<std::string, std::string>& renamed = {},
                                     const std::string& where = "") {
  auto cols = Columns(db, table);
  if (!cols.ok()) return cols.status();
  const std::string select = Join(*cols, [&](const std::string& c) {
    if (c == "clip_id") return std::string("mc.out_id AS clip_id");
    if (auto it = renamed.find(c); it != renamed.end()) return it->second + " AS " + QuoteIdent(c);
    return "s." + QuoteIdent(c);
  });
  return "SELECT " + select + " FROM shard." + QuoteIdent(table) +
         " s JOIN temp.merge_clips mc ON mc.shard_id = s.clip_id AND mc.copy" +
         (where.empty() ? "" : " WHERE " + where);
}

// A thumbnail name from a shard must stay inside the dataset ("thumbs/<fp>_<i>.jpg").
bool InsideDataset(const fs::path& rel) {
  if (rel.empty() || rel.is_absolute()) return false;
  for (const fs::path& part : rel) {
    if (part == "..") return false;
  }
  return true;
}

// Copies shard/<rel> to dir/<rel> unless an equal-sized file is there; through a temporary name
// and a rename, so a kill never leaves a half-written thumbnail under the real name.
// Returns 1 copied, 0 already there, -1 missing in the shard.
Result<int> CopyThumbnail(const fs::path& shard, const fs::path& dir, const fs::path& rel) {
  std::error_code ec;
  const fs::path from = shard / rel, to = dir / rel;
  const auto size = fs::file_size(from, ec);
  if (ec) return -1;
  if (const auto have = fs::file_size(to, ec); !ec && have == size) return 0;
  fs::create_directories(to.parent_path(), ec);
  const fs::path tmp = to.string() + ".merge-tmp";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(tmp, to, ec);
  if (ec) return Status::Error("merge: copy thumbnail " + from.string() + ": " + ec.message());
  return 1;
}

// Detaches the shard however MergeFrom returns.
struct Attachment {
  sqlite3* db;
  ~Attachment() { sqlite3_exec(db, "DETACH DATABASE shard", nullptr, nullptr, nullptr); }
};

}  // namespace

const std::vector<MergeTable>& Catalog::MergeTables() {
  static const std::vector<MergeTable> kTables = {
      {"runs", "copied once, matched by (version, options, started_at); totals brought up to date"},
      {"videos", "by content fingerprint: ok beats failed, else the newer ingest wins"},
      {"clips", "with their video (ids renumbered)"},
      {"transitions", "with their video"},
      {"clip_attributes",
       "per clip, row by row (captions, analyzer, rank and provenance values; dedup ids "
       "renumbered)"},
      {"tierings", "matched by recipe, default tier and rules; new ones added"},
      {"clip_tiers", "per clip, row by row (tierings renumbered)"},
      {"manual_tiers", "per clip, row by row"},
      {"clip_tags", "per clip, row by row"},
      {"curation_log", "per clip, entries not already present"},
      {"dedup_codes", "derived: not copied; the next dedup reads the merged clips' signatures"},
      {"dedup_state",
       "cleared: the next dedup runs in full (the shards' groups came from their own runs)"},
      {"search_dirty", "derived: new and changed clips are marked by the schema's triggers"},
      {"search_fts", "derived: rebuilt from search_dirty by the next search"},
      {"search_fts_data", "FTS5 shadow table of search_fts"},
      {"search_fts_idx", "FTS5 shadow table of search_fts"},
      {"search_fts_content", "FTS5 shadow table of search_fts"},
      {"search_fts_docsize", "FTS5 shadow table of search_fts"},
      {"search_fts_config", "FTS5 shadow table of search_fts"},
  };
  return kTables;
}

Result<std::vector<std::string>> Catalog::TableNames() {
  std::lock_guard lock(mu_);
  auto stmt = sql::Prepare(db_.get(),
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                           "'sqlite_%' ORDER BY name",
                           "catalog: list tables");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> names;
  while (sqlite3_step(stmt->get()) == SQLITE_ROW) names.push_back(ColText(stmt->get(), 0));
  return names;
}

Result<MergeReport> Catalog::MergeFrom(const fs::path& shard_dir) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  std::error_code ec;
  if (fs::equivalent(shard_dir, dir_, ec)) {
    return Status::Error("merge: " + shard_dir.string() + " is this dataset");
  }
  const std::string where = "merge: " + shard_dir.string();
  const fs::path shard_db = shard_dir / "catalog.sqlite";
  if (Status s = Exec(db, "ATTACH DATABASE " + QuoteString(shard_db.string()) + " AS shard", where);
      !s.ok()) {
    return s;
  }
  Attachment attachment{db};
  {
    auto v = sql::Prepare(db, "PRAGMA shard.user_version", where);
    if (!v.ok()) return v.status();
    const int version = sqlite3_step(v->get()) == SQLITE_ROW ? sqlite3_column_int(v->get(), 0) : -1;
    if (version != kCatalogSchemaVersion) {
      return Status::Error(where + ": catalog schema version " + std::to_string(version) +
                           ", this clipdex merges version " +
                           std::to_string(kCatalogSchemaVersion) + " (open it first)");
    }
  }

  Transaction txn(db, "merge");
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  MergeReport report;

  // Runs: the shard's runs this catalog does not have yet, then the shard id -> our id map.
  auto run_cols = Columns(db, "runs");
  if (!run_cols.ok()) return run_cols.status();
  const std::string run_match =
      "m.version = s.version AND m.options = s.options AND m.started_at = s.started_at";
  const std::string run_list =
      Join(*run_cols, [](const std::string& c) { return c == "id" ? "" : QuoteIdent(c); });
  const std::string s_run_list =
      Join(*run_cols, [](const std::string& c) { return c == "id" ? "" : "s." + QuoteIdent(c); });
  auto runs = Run(db,
                  "INSERT INTO main.runs (" + run_list + ") SELECT " + s_run_list +
                      " FROM shard.runs s WHERE NOT EXISTS (SELECT 1 FROM main.runs m WHERE " +
                      run_match + ") ORDER BY s.id",
                  "copy runs");
  if (!runs.ok()) return runs.status();
  report.runs_added = *runs;
  {
    std::string update, differs;
    for (const std::string& c : *run_cols) {
      if (c == "id" || c == "version" || c == "options" || c == "started_at") continue;
      update += (update.empty() ? "" : ", ") + QuoteIdent(c) + " = s." + QuoteIdent(c);
      differs +=
          (differs.empty() ? "" : " OR ") + ("m." + QuoteIdent(c)) + " IS NOT s." + QuoteIdent(c);
    }
    auto map = Run(db,
                   "DROP TABLE IF EXISTS temp.merge_runs; CREATE TEMP TABLE merge_runs (shard_id "
                   "INTEGER PRIMARY KEY, out_id INTEGER); INSERT INTO temp.merge_runs SELECT "
                   "s.id, (SELECT min(m.id) FROM main.runs m WHERE " +
                       run_match + ") FROM shard.runs s",
                   "map runs");
    if (!map.ok()) return map.status();
    // A run still going at an earlier merge has finished since: its totals are brought along.
    auto updated = Run(db,
                       "UPDATE main.runs AS m SET " + update +
                           " FROM shard.runs s JOIN temp.merge_runs r ON r.shard_id = s.id "
                           "WHERE m.id = r.out_id AND (" +
                           differs + ")",
                       "update runs");
    if (!updated.ok()) return updated.status();
    report.rows_written += *updated;
  }

  // Videos: what happens to each of the shard's fingerprints.
  auto classify = Run(db,
                      "DROP TABLE IF EXISTS temp.merge_videos; CREATE TEMP TABLE merge_videos "
                      "(shard_id INTEGER PRIMARY KEY, out_id INTEGER, fingerprint TEXT, action "
                      "TEXT); INSERT INTO temp.merge_videos SELECT s.id, m.id, s.fingerprint, "
                      "CASE WHEN m.id IS NULL THEN 'new' "
                      "WHEN (s.status = 'ok') > (m.status = 'ok') THEN 'replace' "
                      "WHEN (s.status = 'ok') < (m.status = 'ok') THEN 'keep' "
                      "WHEN s.ingested_at > m.ingested_at THEN 'replace' "
                      "WHEN s.ingested_at < m.ingested_at THEN 'keep' ELSE 'same' END "
                      "FROM shard.videos s LEFT JOIN main.videos m ON m.fingerprint = "
                      "s.fingerprint",
                      "match videos");
  if (!classify.ok()) return classify.status();
  {
    auto stmt =
        sql::Prepare(db, "SELECT mv.action, count(*) FROM temp.merge_videos mv GROUP BY 1", where);
    if (!stmt.ok()) return stmt.status();
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      const std::string action = ColText(stmt->get(), 0);
      const long n = sqlite3_column_int64(stmt->get(), 1);
      if (action == "new") report.videos_added = n;
      if (action == "replace") report.videos_replaced = n;
      if (action == "keep") report.videos_kept = n;
      if (action == "same") report.videos_same = n;
    }
  }
  {
    auto stmt = sql::Prepare(db,
                             "SELECT s.fingerprint, s.path, m.path, mv.action, s.status, m.status "
                             "FROM temp.merge_videos mv JOIN shard.videos s ON s.id = "
                             "mv.shard_id JOIN main.videos m ON m.id = mv.out_id WHERE mv.action "
                             "IN ('replace', 'keep') ORDER BY s.path",
                             where);
    if (!stmt.ok()) return stmt.status();
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      MergeDuplicate d;
      d.fingerprint = ColText(stmt->get(), 0);
      d.shard_path = ColText(stmt->get(), 1);
      d.existing_path = ColText(stmt->get(), 2);
      d.shard_won = ColText(stmt->get(), 3) == "replace";
      const bool same_status = ColText(stmt->get(), 4) == ColText(stmt->get(), 5);
      d.why = same_status ? (d.shard_won ? "newer run" : "older run")
                          : (d.shard_won ? "ok beats failed" : "failed loses to ok");
      report.duplicates.push_back(std::move(d));
    }
  }

  // Thumbnails first: a kill after this and before the commit leaves files no row names yet
  // (the rerun finds them in place); the reverse order could leave rows naming missing files.
  {
    auto stmt = sql::Prepare(db,
                             std::string("SELECT DISTINCT s.thumbnail FROM shard.clips s JOIN "
                                         "temp.merge_videos mv ON mv.shard_id = s.video_id "
                                         "WHERE ") +
                                 kCopiedVideo + " AND s.thumbnail != ''",
                             where);
    if (!stmt.ok()) return stmt.status();
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      const fs::path rel = ColText(stmt->get(), 0);
      if (!InsideDataset(rel)) {
        return Status::Error(where + ": thumbnail path '" + rel.string() +
                             "' leaves the dataset directory");
      }
      auto copied = CopyThumbnail(shard_dir, dir_, rel);
      if (!copied.ok()) return copied.status();
      if (*copied == 1) ++report.thumbnails_copied;
      if (*copied == -1) ++report.thumbnails_missing;
    }
  }

  // Replaced copies go whole (clips, transitions and clip rows by ON DELETE CASCADE), as when
  // ingest --force re-commits a video.
  auto deleted = Run(db,
                     "DELETE FROM main.videos WHERE id IN (SELECT out_id FROM temp.merge_videos "
                     "WHERE action = 'replace')",
                     "remove replaced videos");
  if (!deleted.ok()) return deleted.status();

  auto video_cols = Columns(db, "videos");
  if (!video_cols.ok()) return video_cols.status();
  auto videos = Run(
      db,
      "INSERT INTO main.videos (" +
          Join(*video_cols, [](const std::string& c) { return c == "id" ? "" : QuoteIdent(c); }) +
          ") SELECT " +
          Join(*video_cols,
               [](const std::string& c) -> std::string {
                 if (c == "id") return "";
                 if (c == "run_id") {
                   return "(SELECT r.out_id FROM temp.merge_runs r WHERE "
                          "r.shard_id = s.run_id)";
                 }
                 return "s." + QuoteIdent(c);
               }) +
          " FROM shard.videos s JOIN temp.merge_videos mv ON mv.shard_id = s.id "
          "WHERE " +
          kCopiedVideo + " ORDER BY s.id",
      "copy videos");
  if (!videos.ok()) return videos.status();
  auto mapped = Run(db,
                    std::string("UPDATE temp.merge_videos AS mv SET out_id = (SELECT v.id FROM "
                                "main.videos v WHERE v.fingerprint = mv.fingerprint) WHERE ") +
                        kCopiedVideo,
                    "map videos");
  if (!mapped.ok()) return mapped.status();

  // Clips and transitions of the copied videos.
  for (const std::string table : {"clips", "transitions"}) {
    auto cols = Columns(db, table);
    if (!cols.ok()) return cols.status();
    const std::string list =
        Join(*cols, [](const std::string& c) { return c == "id" ? "" : QuoteIdent(c); });
    const std::string select = Join(*cols, [](const std::string& c) -> std::string {
      if (c == "id") return "";
      if (c == "video_id") return "mv.out_id";
      return "s." + QuoteIdent(c);
    });
    auto n = Run(db,
                 "INSERT INTO main." + table + " (" + list + ") SELECT " + select + " FROM shard." +
                     table + " s JOIN temp.merge_videos mv ON mv.shard_id = s.video_id WHERE " +
                     kCopiedVideo + " ORDER BY s.id",
                 "copy " + table);
    if (!n.ok()) return n.status();
    if (table == "clips") report.clips_added = *n;
  }

  // Clip id map: every shard clip whose video now has a row here, by (fingerprint, index); copy
  // marks the clips whose rows come along (not those of a copy that lost).
  auto clip_map = Run(db,
                      "DROP TABLE IF EXISTS temp.merge_clips; CREATE TEMP TABLE merge_clips "
                      "(shard_id INTEGER PRIMARY KEY, out_id INTEGER NOT NULL, copy INTEGER NOT "
                      "NULL); INSERT INTO temp.merge_clips SELECT sc.id, oc.id, mv.action IN "
                      "('new', 'replace', 'same') FROM shard.clips sc JOIN temp.merge_videos mv "
                      "ON mv.shard_id = sc.video_id JOIN main.clips oc ON oc.video_id = "
                      "mv.out_id AND oc.idx = sc.idx",
                      "map clips");
  if (!clip_map.ok()) return clip_map.status();

  // Clip rows. A dedup id whose clip has no counterpart here is dropped (`dedup` recomputes it).
  const std::string renumbered =
      std::string("CASE WHEN s.name IN ") + kClipIdAttributes +
      " THEN (SELECT m2.out_id FROM temp.merge_clips m2 WHERE m2.shard_id = CAST(s.num AS "
      "INTEGER)) ELSE s.num END";
  const std::string keep_attr = std::string("NOT (s.name IN ") + kClipIdAttributes +
                                " AND NOT EXISTS (SELECT 1 FROM temp.merge_clips m2 WHERE "
                                "m2.shard_id = CAST(s.num AS INTEGER)))";
  struct ClipTable {
    std::string table;
    std::vector<std::string> keys;
  };
  // Tier rows refer to their tiering (the rules that placed them, catalog_schema.cpp, 5): the
  // shard's tierings are matched here by content, or added.
  const std::string same_tiering =
      "o.recipe = st.recipe AND o.default_tier = st.default_tier AND o.rules = st.rules";
  if (Status s = Exec(db,
                      "INSERT INTO main.tierings (recipe, default_tier, rules) SELECT st.recipe, "
                      "st.default_tier, st.rules FROM shard.tierings st WHERE NOT EXISTS (SELECT "
                      "1 FROM main.tierings o WHERE " +
                          same_tiering + ") ORDER BY st.id",
                      "merge tierings");
      !s.ok()) {
    return s;
  }
  const std::map<std::string, std::string> tier_columns = {
      {"tiering", "(SELECT o.id FROM shard.tierings st JOIN main.tierings o ON " + same_tiering +
                      " WHERE st.id = s.tiering)"}};
  for (const ClipTable& ct :
       {ClipTable{"clip_attributes", {"clip_id", "name"}}, ClipTable{"clip_tiers", {"clip_id"}},
        ClipTable{"manual_tiers", {"clip_id"}}, ClipTable{"clip_tags", {"clip_id", "tag"}}}) {
    const bool attrs = ct.table == "clip_attributes";
    std::map<std::string, std::string> renamed;
    if (attrs) renamed["num"] = renumbered;
    if (ct.table == "clip_tiers") renamed = tier_columns;
    auto incoming = IncomingClipRows(db, ct.table, renamed, attrs ? keep_attr : "");
    if (!incoming.ok()) return incoming.status();
    auto n = SyncRows(db, ct.table, ct.keys, *incoming);
    if (!n.ok()) return n.status();
    report.rows_written += *n;
  }
  // The merged dedup.group rows came from runs over each side alone: an incremental dedup would
  // take them as the groups of one run, so the next one starts over.
  if (Status s = Exec(db, "DELETE FROM main.dedup_state", "merge: dedup state"); !s.ok()) return s;
  {
    // The log is append-only: an entry is copied unless an identical one is already here.
    auto cols = Columns(db, "curation_log");
    if (!cols.ok()) return cols.status();
    auto incoming = IncomingClipRows(db, "curation_log");
    if (!incoming.ok()) return incoming.status();
    std::string same;
    for (const std::string& c : *cols) {
      if (c == "id") continue;
      same += (same.empty() ? "" : " AND ") + ("o." + QuoteIdent(c)) + " IS r." + QuoteIdent(c);
    }
    const std::string list =
        Join(*cols, [](const std::string& c) { return c == "id" ? "" : QuoteIdent(c); });
    const std::string r_list =
        Join(*cols, [](const std::string& c) { return c == "id" ? "" : "r." + QuoteIdent(c); });
    auto n = Run(db,
                 "INSERT INTO main.curation_log (" + list + ") SELECT " + r_list + " FROM (" +
                     *incoming + ") r WHERE NOT EXISTS (SELECT 1 FROM main.curation_log o WHERE " +
                     same + ") ORDER BY r.id",
                 "copy curation log");
    if (!n.ok()) return n.status();
    report.rows_written += *n;
  }

  if (Status s = Exec(db,
                      "DROP TABLE temp.merge_runs; DROP TABLE temp.merge_videos; DROP TABLE "
                      "temp.merge_clips",
                      "merge");
      !s.ok()) {
    return s;
  }
  if (Status s = txn.Commit(); !s.ok()) return s;
  return report;
}

}  // namespace clipdex
