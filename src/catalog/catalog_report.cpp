// Read-only queries behind the HTML report (curate/report.h); contracts in catalog/catalog.h.
#include <algorithm>
#include <map>
#include <utility>

#include "catalog/catalog.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex {

using sql::ColDouble;
using sql::ColInt;
using sql::ColText;
using sql::Prepare;

namespace {

// Steps `s` to the end, calling row(s) for each row; the SQLite error if it fails.
template <typename Fn>
Status EachRow(sqlite3* db, sqlite3_stmt* s, Fn&& row) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
  return rc == SQLITE_DONE ? Status::Ok() : sql::SqlError(db, "");
}

// Steps `s` to the end and returns map(s) of every row, or the SQLite error.
template <typename T, typename Map>
Result<std::vector<T>> CollectRows(sqlite3* db, sqlite3_stmt* s, Map&& map) {
  std::vector<T> out;
  Status st = EachRow(db, s, [&](sqlite3_stmt* row) { out.push_back(map(row)); });
  if (!st.ok()) return st;
  return out;
}

// Every clip's tier, held in memory: one small number per clip id (20 MB at ten million clips)
// plus the few tier names. The report's passes look tiers up here instead of joining clip_tiers
// per value: the join's lookups hop around clip_tiers for every one of the ~40 values a clip has,
// and took 2 of the 3 s of the numeric pass at 100k clips (bench/scale_catalog.sh).
struct ClipTiers {
  std::vector<std::string> names = {""};  // index 0: untiered
  std::vector<uint16_t> index_of;         // by clip id
  size_t IndexOf(int64_t clip_id) const {
    return clip_id >= 0 && static_cast<size_t>(clip_id) < index_of.size()
               ? index_of[static_cast<size_t>(clip_id)]
               : 0;
  }
  std::string_view Of(int64_t clip_id) const { return names[IndexOf(clip_id)]; }
};

Result<ClipTiers> LoadClipTiers(sqlite3* db) {
  ClipTiers out;
  auto tiers = Prepare(db, "SELECT clip_id, tier FROM clip_tiers");
  if (!tiers.ok()) return tiers.status();
  Status st = EachRow(db, tiers->get(), [&](sqlite3_stmt* s) {
    const int64_t id = ColInt(s, 0);
    if (id < 0 || id > (int64_t{1} << 34)) return;  // not a clip id clipdex writes
    const std::string_view tier = sql::ColView(s, 1);
    size_t k = 0;
    while (k < out.names.size() && out.names[k] != tier) ++k;
    if (k == out.names.size()) {
      if (k > 65535) return;
      out.names.emplace_back(tier);
    }
    if (static_cast<size_t>(id) >= out.index_of.size()) {
      out.index_of.resize(static_cast<size_t>(id) + 1);
    }
    out.index_of[static_cast<size_t>(id)] = static_cast<uint16_t>(k);
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

Result<std::vector<TierTotal>> Catalog::TierTotals() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // A clip in tier k missed every higher tier: its rank is k, which recovers the recipe order
  // without the recipe (parsing every row's `missed` JSON for it took 1.5 s at a million clips).
  auto stmt = Prepare(db,
                      "SELECT t.tier, COUNT(*), TOTAL(c.duration), MAX(t.rank) AS k "
                      "FROM clip_tiers t JOIN clips c ON c.id = t.clip_id "
                      "GROUP BY t.tier ORDER BY k, t.tier");
  if (!stmt.ok()) return stmt.status();
  return CollectRows<TierTotal>(db, stmt->get(), [](sqlite3_stmt* s) {
    return TierTotal{ColText(s, 0), static_cast<long>(ColInt(s, 1)), ColDouble(s, 2)};
  });
}

Result<TierTotal> Catalog::UntieredTotal() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT COUNT(*), TOTAL(c.duration) FROM clips c "
                      "WHERE NOT EXISTS (SELECT 1 FROM clip_tiers t WHERE t.clip_id = c.id)");
  if (!stmt.ok()) return stmt.status();
  if (sqlite3_step(stmt->get()) != SQLITE_ROW) return sql::SqlError(db, "");
  return TierTotal{"", static_cast<long>(ColInt(stmt->get(), 0)), ColDouble(stmt->get(), 1)};
}

Result<std::vector<RunRecord>> Catalog::LatestRuns(int limit) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT id, version, started_at, COALESCE(finished_at, ''), files_ok, "
                      "files_failed, seconds FROM runs ORDER BY id DESC LIMIT ?1");
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int(stmt->get(), 1, limit);
  return CollectRows<RunRecord>(db, stmt->get(), [](sqlite3_stmt* s) {
    return RunRecord{ColInt(s, 0),
                     ColText(s, 1),
                     ColText(s, 2),
                     ColText(s, 3),
                     static_cast<long>(ColInt(s, 4)),
                     static_cast<long>(ColInt(s, 5)),
                     ColDouble(s, 6)};
  });
}

Result<std::vector<NumericRange>> Catalog::NumericRanges() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // Seeks, not scans: the attribute names are walked by jumping to the next name in the
  // (name, num) index, each name's MIN and MAX are one seek each, and "all integers" stops at
  // the first fractional value. Aggregating every value instead read the whole index (0.6 s at
  // 100k clips, bench/scale_catalog.sh); this takes milliseconds at any size. Dedup ids are
  // labels, not measurements.
  auto stmt = Prepare(
      db,
      "SELECT 'duration', MIN(duration), MAX(duration), "
      "SUM(duration != CAST(duration AS INTEGER)) = 0 FROM clips "
      "UNION ALL SELECT * FROM ("
      "WITH RECURSIVE n(name) AS (SELECT MIN(name) FROM clip_attributes UNION ALL "
      "SELECT (SELECT MIN(name) FROM clip_attributes WHERE name > n.name) FROM n "
      "WHERE n.name IS NOT NULL) "
      "SELECT name, lo, hi, integers FROM (SELECT n.name AS name, "
      "(SELECT MIN(num) FROM clip_attributes a WHERE a.name = n.name AND a.num IS NOT NULL) AS lo, "
      "(SELECT MAX(num) FROM clip_attributes a WHERE a.name = n.name) AS hi, "
      "NOT EXISTS (SELECT 1 FROM clip_attributes a WHERE a.name = n.name AND a.num IS NOT NULL "
      "AND a.num != CAST(a.num AS INTEGER)) AS integers "
      "FROM n WHERE n.name IS NOT NULL AND n.name NOT LIKE 'dedup.%') WHERE lo IS NOT NULL)");
  if (!stmt.ok()) return stmt.status();
  std::vector<NumericRange> out;
  Status st = EachRow(db, stmt->get(), [&](sqlite3_stmt* s) {
    if (sql::ColIsNull(s, 1)) return;
    out.push_back({ColText(s, 0), ColDouble(s, 1), ColDouble(s, 2), ColInt(s, 3) != 0});
  });
  if (!st.ok()) return st;
  return out;
}

Status Catalog::ForEachNumericValue(
    const std::function<void(std::string_view, double, std::string_view)>& fn) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto tiers = LoadClipTiers(db);
  if (!tiers.ok()) return tiers.status();
  auto tier = [&](int64_t clip_id) { return tiers->Of(clip_id); };
  auto durations = Prepare(db, "SELECT id, duration FROM clips");
  if (!durations.ok()) return durations.status();
  Status st = EachRow(db, durations->get(), [&](sqlite3_stmt* s) {
    if (sql::ColIsNull(s, 1)) return;
    fn("duration", ColDouble(s, 1), tier(ColInt(s, 0)));
  });
  if (!st.ok()) return st;
  // The (name, num) index holds clip_id too (the table's key), so this reads the index alone,
  // in name order.
  auto values = Prepare(db,
                        "SELECT name, num, clip_id FROM clip_attributes "
                        "WHERE num IS NOT NULL AND name NOT LIKE 'dedup.%'");
  if (!values.ok()) return values.status();
  return EachRow(db, values->get(), [&](sqlite3_stmt* s) {
    fn(sql::ColView(s, 0), ColDouble(s, 1), tier(ColInt(s, 2)));
  });
}

Result<std::vector<CategoryCount>> Catalog::CategoryCounts(const std::string& name) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto tiers = LoadClipTiers(db);
  if (!tiers.ok()) return tiers.status();
  // Labels only (text of at most 64 bytes, the clip_attributes_label index): the index alone
  // answers, values in order, instead of a lookup of every clip's row for its text (1.6 s a chart
  // at a million clips).
  auto stmt = Prepare(db,
                      "SELECT text, clip_id FROM clip_attributes "
                      "WHERE name = ?1 AND num IS NULL AND length(text) <= 64");
  if (!stmt.ok()) return stmt.status();
  sql::BindText(stmt->get(), 1, name);
  std::vector<CategoryCount> out;
  std::string value;
  std::vector<long> per_tier(tiers->names.size(), 0);
  bool any = false;
  auto flush = [&] {
    for (size_t k = 0; k < per_tier.size(); ++k) {
      if (per_tier[k] > 0) out.push_back({value, tiers->names[k], per_tier[k]});
      per_tier[k] = 0;
    }
  };
  Status st = EachRow(db, stmt->get(), [&](sqlite3_stmt* s) {
    const std::string_view text = sql::ColView(s, 0);
    if (!any || text != value) {
      if (any) flush();
      value = text;
      any = true;
    }
    ++per_tier[tiers->IndexOf(ColInt(s, 1))];
  });
  if (!st.ok()) return st;
  if (any) flush();
  return out;
}

Result<DedupTotals> Catalog::GetDedupTotals() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT (SELECT COUNT(*) FROM clip_attributes WHERE name = 'dedup.group'), "
                      "(SELECT COUNT(*) FROM clip_attributes WHERE name = 'dedup.dup_of' AND "
                      "COALESCE(num, text) IS NOT NULL AND COALESCE(num, text) != ''), "
                      "(SELECT TOTAL(c.duration) FROM clip_attributes a JOIN clips c ON c.id = "
                      "a.clip_id WHERE a.name = 'dedup.dup_of' AND COALESCE(a.num, a.text) IS "
                      "NOT NULL AND COALESCE(a.num, a.text) != '')");
  if (!stmt.ok()) return stmt.status();
  if (sqlite3_step(stmt->get()) != SQLITE_ROW) return sql::SqlError(db, "");
  return DedupTotals{static_cast<long>(ColInt(stmt->get(), 0)),
                     static_cast<long>(ColInt(stmt->get(), 1)), ColDouble(stmt->get(), 2)};
}

Result<std::vector<DedupGroupSize>> Catalog::DedupGroupSizes() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // Values compare as text so numeric and text group ids both work.
  auto stmt = Prepare(db,
                      "SELECT CAST(COALESCE(num, text) AS TEXT) AS g, COUNT(*) AS n "
                      "FROM clip_attributes WHERE name = 'dedup.group' GROUP BY g "
                      "HAVING n > 1 ORDER BY n DESC, g");
  if (!stmt.ok()) return stmt.status();
  return CollectRows<DedupGroupSize>(db, stmt->get(), [](sqlite3_stmt* s) {
    return DedupGroupSize{ColText(s, 0), static_cast<long>(ColInt(s, 1))};
  });
}

Result<std::vector<DedupMember>> Catalog::DedupGroupMembers(const std::string& group, int limit) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT v.path, c.idx, COALESCE(t.tier, ''), "
                      "(SELECT CAST(COALESCE(d.num, d.text) AS TEXT) FROM clip_attributes d "
                      "WHERE d.clip_id = c.id AND d.name = 'dedup.dup_of') "
                      "FROM clip_attributes a JOIN clips c ON c.id = a.clip_id "
                      "JOIN videos v ON v.id = c.video_id "
                      "LEFT JOIN clip_tiers t ON t.clip_id = c.id "
                      "WHERE a.name = 'dedup.group' AND CAST(COALESCE(a.num, a.text) AS TEXT) "
                      "= ?1 ORDER BY v.path, c.idx LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  sql::BindText(stmt->get(), 1, group);
  sqlite3_bind_int(stmt->get(), 2, limit);
  return CollectRows<DedupMember>(db, stmt->get(), [](sqlite3_stmt* s) {
    return DedupMember{ColText(s, 0), sqlite3_column_int(s, 1), ColText(s, 2), ColText(s, 3)};
  });
}

Result<std::vector<ThumbnailSample>> Catalog::ThumbnailSamples(int per_tier) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  if (per_tier <= 0) return std::vector<ThumbnailSample>{};
  // Order by a multiplicative hash of the clip id rather than by id, so examples are not all
  // from the first video. The first `per_tier` of each tier are kept in a bounded heap while the
  // clips stream by (a window function sorted every clip: ~10 M rows at ten million clips), and
  // only those few are then read in full.
  auto ids = Prepare(db,
                     "SELECT c.id, COALESCE(t.tier, '') FROM clips c "
                     "LEFT JOIN clip_tiers t ON t.clip_id = c.id WHERE c.thumbnail != ''");
  if (!ids.ok()) return ids.status();
  using Key = std::pair<int64_t, int64_t>;                    // (hash, id), smallest first
  std::map<std::string, std::vector<Key>, std::less<>> best;  // per tier: a max-heap of per_tier
  Status st = EachRow(db, ids->get(), [&](sqlite3_stmt* s) {
    const int64_t id = ColInt(s, 0);
    const Key key{(id * int64_t{2654435761}) % int64_t{4294967291}, id};
    const std::string_view tier = sql::ColView(s, 1);
    auto it = best.find(tier);
    if (it == best.end()) it = best.emplace(std::string(tier), std::vector<Key>{}).first;
    std::vector<Key>& heap = it->second;
    if (static_cast<int>(heap.size()) < per_tier) {
      heap.push_back(key);
      std::push_heap(heap.begin(), heap.end());
    } else if (key < heap.front()) {
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = key;
      std::push_heap(heap.begin(), heap.end());
    }
  });
  if (!st.ok()) return st;
  auto detail = Prepare(db,
                        "SELECT v.path, c.idx, c.thumbnail, c.duration, "
                        "(SELECT text FROM clip_attributes a WHERE a.clip_id = c.id AND "
                        "a.name = 'camera.movement') FROM clips c "
                        "JOIN videos v ON v.id = c.video_id WHERE c.id = ?1");
  if (!detail.ok()) return detail.status();
  std::vector<ThumbnailSample> out;
  for (auto& [tier, heap] : best) {  // tiers in name order, each by rank
    std::sort_heap(heap.begin(), heap.end());
    for (const Key& key : heap) {
      sqlite3_stmt* d = detail->get();
      sqlite3_reset(d);
      sqlite3_bind_int64(d, 1, key.second);
      if (sqlite3_step(d) != SQLITE_ROW) return sql::SqlError(db, "");
      out.push_back({tier, ColText(d, 0), sqlite3_column_int(d, 1), ColText(d, 2), ColDouble(d, 3),
                     ColText(d, 4)});
    }
  }
  return out;
}

Result<FailedVideos> Catalog::ListFailedVideos(int limit) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT path, error, COUNT(*) OVER () FROM videos "
                      "WHERE status = 'failed' ORDER BY path LIMIT ?1");
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int(stmt->get(), 1, limit);
  FailedVideos out;
  Status st = EachRow(db, stmt->get(), [&](sqlite3_stmt* s) {
    out.total = static_cast<long>(ColInt(s, 2));
    out.listed.emplace_back(ColText(s, 0), ColText(s, 1));
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace clipdex
