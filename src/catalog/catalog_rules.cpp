// Rules, tiers and clip selection: the wide view, the read-only authorizer under which user rule
// SQL runs, the tier write and the selection table (contracts in catalog/catalog.h).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "catalog/catalog.h"
#include "catalog/catalog_rows.h"
#include "catalog/sqlite_stmt.h"
#include "catalog/stmt_cache.h"

namespace clipdex {
namespace {

using sql::ColText;
using sql::Exec;
using sql::Prepare;
using sql::QuoteIdent;
using sql::QuoteString;
using sql::StmtPtr;

// Clip fields: rule name -> SQL over clips c JOIN videos v. fps is NULL for unknown rates rather
// than a division by zero.
const std::vector<std::pair<std::string, std::string>>& ClipFields() {
  static const std::vector<std::pair<std::string, std::string>> kFields = {
      {"duration", "c.duration"},
      {"start_time", "c.start_time"},
      {"end_time", "c.end_time"},
      {"first_frame", "c.first_frame"},
      {"last_frame", "c.last_frame"},
      {"frame_count", "c.last_frame - c.first_frame + 1"},
      {"clip_index", "c.idx"},
      {"too_short", "c.too_short"},
      {"split_part", "c.split_part"},
      {"transition_in", "c.transition_in"},
      {"transition_out", "c.transition_out"},
      {"width", "v.width"},
      {"height", "v.height"},
      {"fps", "CASE WHEN v.fps_den > 0 AND v.fps_num > 0 THEN 1.0 * v.fps_num / v.fps_den END"},
      {"codec", "v.codec"},
      {"is_vfr", "v.is_vfr"},
      {"interlaced", "v.interlaced"},
      {"video_duration", "v.duration"},
      // Stills come through libavformat's image demuxers (media/probe.h IsImageContainer).
      {"is_image", "(v.container LIKE '%_pipe' OR v.container LIKE 'image2%')"},
  };
  return kFields;
}

}  // namespace

std::optional<std::string> sql::ClipFieldExpression(std::string_view name) {
  for (const auto& [field, expr] : ClipFields()) {
    if (field == name) return expr;
  }
  return std::nullopt;
}

namespace {

struct AuthContext {
  std::string insert_table;
};

int Authorize(void* ctx, int action, const char* a1, const char* /*a2*/, const char* /*db*/,
              const char* /*trigger*/) {
  const auto* auth = static_cast<const AuthContext*>(ctx);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
      return SQLITE_OK;
    case SQLITE_INSERT:
      return !auth->insert_table.empty() && a1 && auth->insert_table == a1 ? SQLITE_OK
                                                                           : SQLITE_DENY;
    default:
      return SQLITE_DENY;
  }
}

// Prepares with the authorizer installed; the authorizer is removed again on every path so the
// catalog's own writes are unaffected.
Result<StmtPtr> PrepareGuarded(sqlite3* db, const std::string& sql,
                               const std::string& insert_table) {
  AuthContext ctx{insert_table};
  sqlite3_set_authorizer(db, &Authorize, &ctx);
  const char* tail = nullptr;
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  StmtPtr stmt(raw);
  std::string err = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  sqlite3_set_authorizer(db, nullptr, nullptr);
  if (rc != SQLITE_OK) return Status::Error(err);
  // A second statement after ';' would run unguarded if anyone stepped through the tail.
  while (tail && *tail && std::isspace(static_cast<unsigned char>(*tail))) ++tail;
  if (tail && *tail) return Status::Error("more than one SQL statement");
  return stmt;
}

// Prepares `sql` under the authorizer and steps it to completion.
Status RunGuarded(sqlite3* db, const std::string& sql, const std::string& insert_table) {
  auto stmt = PrepareGuarded(db, sql, insert_table);
  if (!stmt.ok()) return stmt.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return Status::Error(sqlite3_errmsg(db));
  return Status::Ok();
}

// The SELECT behind clip_attr_wide: one row per clip with a column for each clip field and each
// of `attributes`. Each attribute is one LEFT JOIN on the (clip_id, name) primary key: a point
// lookup per clip and attribute. The earlier pivot (GROUP BY clip_id over `name IN (...)`) scanned
// the whole attribute table, whose rows hold captions and signatures inline (kilobytes a clip): 2.5
// s for one attribute at 100k captioned clips against ~0.1 s now. SQLite joins at most 64 tables,
// so rules naming more attributes than kMaxJoinedAttributes fall back to the pivot.
std::string WideSelectSql(const std::set<std::string>& attributes) {
  constexpr size_t kMaxJoinedAttributes = 60;
  std::string sql = "SELECT c.id AS clip_id";
  for (const auto& [name, expr] : ClipFields()) sql += ", " + expr + " AS " + QuoteIdent(name);
  const bool joined = attributes.size() <= kMaxJoinedAttributes;
  size_t i = 0;
  for (const auto& a : attributes) {
    std::string alias = "a";
    alias += std::to_string(i++);
    if (joined) {
      sql += ", COALESCE(";
      sql += alias;
      sql += ".num, ";
      sql += alias;
      sql += ".text) AS ";
    } else {
      sql += ", a.";
      sql += QuoteIdent(a);
      sql += " AS ";
    }
    sql += QuoteIdent(a);
  }
  sql += " FROM clips c JOIN videos v ON v.id = c.video_id";
  if (attributes.empty()) return sql;
  if (joined) {
    i = 0;
    for (const auto& a : attributes) {
      std::string alias = "a";
      alias += std::to_string(i++);
      sql += " LEFT JOIN clip_attributes ";
      sql += alias;
      sql += " ON ";
      sql += alias;
      sql += ".clip_id = c.id AND ";
      sql += alias;
      sql += ".name = ";
      sql += QuoteString(a);
    }
    return sql;
  }
  // Pivot only what the rules reference: the (clip_id, name) primary key keeps rows grouped by
  // clip, so the GROUP BY streams without a sort.
  std::string cols, names;
  for (const auto& a : attributes) {
    cols += ", MAX(CASE WHEN name = " + QuoteString(a) + " THEN COALESCE(num, text) END) AS " +
            QuoteIdent(a);
    names += (names.empty() ? "" : ", ") + QuoteString(a);
  }
  sql += " LEFT JOIN (SELECT clip_id" + cols + " FROM clip_attributes WHERE name IN (" + names +
         ") GROUP BY clip_id) a ON a.clip_id = c.id";
  return sql;
}

// SQL that creates TEMP VIEW clip_attr_wide (WideSelectSql).
std::string WideViewSql(const std::set<std::string>& attributes) {
  return "CREATE TEMP VIEW clip_attr_wide AS " + WideSelectSql(attributes);
}

// One statement assigns the tiers of the clips with ids ?1..?2. The MATERIALIZED CTE evaluates the
// first-match CASE once per clip (a flattened subquery would repeat it for every reference to k). A
// row holds the tier, the tiering, the rank k and the positions of the conjuncts each higher rule
// failed
// ("0,2|1"): about 20 bytes. The rule text and the failure messages with values (~560 bytes)
// are rebuilt when a clip is looked at (ExpandTierReasons); writing them for every clip made
// `tier` at a million clips spend two thirds of its time writing (docs/scale.md).
std::string TierInsertSql(const std::vector<CompiledRule>& rules, const std::string& default_tier,
                          int64_t tiering) {
  const size_t n = rules.size();
  std::string k_sql = "CASE";
  for (size_t i = 0; i < n; ++i) k_sql += " WHEN (" + rules[i].sql + ") THEN " + std::to_string(i);
  k_sql += " ELSE " + std::to_string(n) + " END";
  if (n == 0) k_sql = "0";
  std::string tier_sql = "CASE k", failed_sql = "substr(''";
  for (size_t i = 0; i < n; ++i) {
    tier_sql += " WHEN " + std::to_string(i) + " THEN " + QuoteString(rules[i].tier);
    // A NULL conjunct fails like a false one (the rule did not match).
    std::string positions = "substr(''";
    for (size_t j = 0; j < rules[i].conjuncts.size(); ++j) {
      positions += " || CASE WHEN (" + rules[i].conjuncts[j].sql + ") THEN '' ELSE '," +
                   std::to_string(j) + "' END";
    }
    positions += ", 2)";
    failed_sql +=
        " || CASE WHEN k > " + std::to_string(i) + " THEN '|' || " + positions + " ELSE '' END";
  }
  tier_sql += " ELSE " + QuoteString(default_tier) + " END";
  failed_sql += ", 2)";
  if (n == 0) {
    tier_sql = QuoteString(default_tier);
    failed_sql = "''";
  }
  return "WITH t AS MATERIALIZED (SELECT w.*, " + k_sql +
         " AS k FROM clip_attr_wide w WHERE w.clip_id BETWEEN ?1 AND ?2) INSERT INTO clip_tiers "
         "(clip_id, tier, tiering, rank, "
         "failed) SELECT clip_id, " +
         tier_sql + ", " + std::to_string(tiering) + ", k, " + failed_sql + " FROM t";
}

// The rules as tierings.rules holds them: what ExpandTierReasons needs to rebuild a clip's rule
// and messages.
std::string TieringRulesJson(const std::vector<CompiledRule>& rules) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rules) {
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& c : r.conjuncts) messages.push_back(c.message_sql);
    out.push_back({{"tier", r.tier},
                   {"when", r.when},
                   {"attributes", r.attributes},
                   {"messages", std::move(messages)}});
  }
  return out.dump();
}

constexpr std::string_view kDropWide = "DROP VIEW IF EXISTS temp.clip_attr_wide";

}  // namespace

std::vector<std::string> Catalog::ClipFieldNames() {
  std::vector<std::string> out;
  for (const auto& f : ClipFields()) out.push_back(f.first);
  return out;
}

Status Catalog::CheckReadOnly(const std::string& sql) {
  std::lock_guard lock(mu_);
  auto stmt = PrepareGuarded(db_.get(), sql, "");
  return stmt.ok() ? Status::Ok() : stmt.status();
}

Result<std::vector<TierTotal>> Catalog::WriteTiers(const std::vector<CompiledRule>& rules,
                                                   const std::string& default_tier,
                                                   const std::string& recipe,
                                                   const TierProgress& progress) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  std::set<std::string> used;
  for (const auto& r : rules) used.insert(r.attributes.begin(), r.attributes.end());

  sql::Transaction txn(db, "tier");
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  // This run's rules replace every earlier tiering: all rule rows are rewritten below, and the
  // hand-set rows take the new rows' tiering with them.
  int64_t tiering = 0;
  {
    auto stmt = Prepare(
        db, "INSERT INTO tierings (recipe, default_tier, rules) VALUES (?1, ?2, ?3)", "tier");
    if (!stmt.ok()) return stmt.status();
    sql::BindText(stmt->get(), 1, recipe);
    sql::BindText(stmt->get(), 2, default_tier);
    sql::BindText(stmt->get(), 3, TieringRulesJson(rules));
    if (sqlite3_step(stmt->get()) != SQLITE_DONE) return sql::SqlError(db, "tier");
    tiering = sqlite3_last_insert_rowid(db);
    // The earlier tierings go after the new one is in: ids keep growing, so a reader holding a
    // clip's tiering id from before this run never finds another run's rules under it.
    if (Status s = Exec(db, "DELETE FROM tierings WHERE id != " + std::to_string(tiering), "tier");
        !s.ok()) {
      return s;
    }
  }
  const std::string insert_sql = TierInsertSql(rules, default_tier, tiering);
  // The TEMP view must not outlive this call, whatever path it leaves by (the rollback drops it
  // on failure; DROP in the transaction drops it on success).
  if (Status s = Exec(db, std::string(kDropWide) + "; " + WideViewSql(used)); !s.ok()) {
    return Status::Error("tier: cannot build clip_attr_wide: " + s.message());
  }
  // Each rule alone under the read-only authorizer: errors name the rule, and nothing in a rule
  // can write even if the grammar were ever loosened.
  for (const auto& r : rules) {
    auto stmt = PrepareGuarded(db, "SELECT " + r.sql + " FROM clip_attr_wide", "");
    if (!stmt.ok()) return Status::Error("tier '" + r.tier + "': " + stmt.status().message());
  }
  if (Status s = Exec(db, "DELETE FROM clip_tiers"); !s.ok()) {
    return Status::Error("tier: " + s.message());
  }
  {
    // In slices of clip ids, for progress at ten million clips (~2 min): one statement, rebound.
    auto range =
        Prepare(db, "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM clips", "tier");
    if (!range.ok()) return range.status();
    if (sqlite3_step(range->get()) != SQLITE_ROW) return sql::SqlError(db, "tier");
    const int64_t first = sqlite3_column_int64(range->get(), 0);
    const int64_t last = sqlite3_column_int64(range->get(), 1);
    const long total = static_cast<long>(std::max<int64_t>(0, last - first + 1));
    auto stmt = PrepareGuarded(db, insert_sql, "clip_tiers");
    if (!stmt.ok()) return Status::Error("tier: " + stmt.status().message());
    constexpr int64_t kSlice = 250000;
    for (int64_t lo = first; lo <= last; lo += kSlice) {
      sql::BindInt(stmt->get(), 1, lo);
      sql::BindInt(stmt->get(), 2, std::min(last, lo + kSlice - 1));
      if (sqlite3_step(stmt->get()) != SQLITE_DONE) {
        return Status::Error("tier: " + std::string(sqlite3_errmsg(db)));
      }
      sqlite3_reset(stmt->get());
      if (progress) progress(static_cast<long>(std::min(last, lo + kSlice - 1) - first + 1), total);
    }
  }
  // Tiers set by hand win over the rules (they are a person's decision about that clip); the
  // rule's verdict stays visible in `rule` and `missed` for explain.
  if (Status s = Exec(db, sql::ManualTierOverlaySql("1")); !s.ok()) {
    return Status::Error("tier: manual tiers: " + s.message());
  }
  std::vector<TierTotal> totals;
  {
    auto stmt = Prepare(db,
                        "SELECT t.tier, COUNT(*), TOTAL(c.duration) FROM clip_tiers t "
                        "JOIN clips c ON c.id = t.clip_id GROUP BY t.tier",
                        "tier");
    if (!stmt.ok()) return stmt.status();
    int rc;
    while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
      totals.push_back({ColText(stmt->get(), 0),
                        static_cast<long>(sqlite3_column_int64(stmt->get(), 1)),
                        sqlite3_column_double(stmt->get(), 2)});
    }
    if (rc != SQLITE_DONE) return sql::SqlError(db, "tier");
  }
  if (Status s = Exec(db, std::string(kDropWide), "tier"); !s.ok()) return s;
  if (Status s = txn.Commit(); !s.ok()) return s;
  return totals;
}

Result<bool> Catalog::HasTiers() {
  std::lock_guard lock(mu_);
  auto any = Prepare(db_.get(), "SELECT EXISTS (SELECT 1 FROM clip_tiers)");
  if (!any.ok()) return any.status();
  if (sqlite3_step(any->get()) != SQLITE_ROW) return sql::SqlError(db_.get(), "");
  return sqlite3_column_int(any->get(), 0) != 0;
}

Result<std::string> Catalog::TierOfClip(int64_t clip_id) {
  std::lock_guard lock(mu_);
  auto stmt = Prepare(db_.get(), "SELECT tier FROM clip_tiers WHERE clip_id = ?1");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  const int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_ROW) return sql::ColText(stmt->get(), 0);
  if (rc != SQLITE_DONE) return sql::SqlError(db_.get(), "tier of clip");
  return std::string();
}

Result<long> Catalog::SelectClips(const std::string& table, const std::string& tier,
                                  const CompiledRule& where) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  const std::string qualified = "temp." + QuoteIdent(table);
  if (Status s = Exec(db, "DROP TABLE IF EXISTS " + qualified + "; CREATE TEMP TABLE " +
                              QuoteIdent(table) + " (clip_id INTEGER PRIMARY KEY)");
      !s.ok()) {
    return Status::Error("select clips: " + s.message());
  }
  // Every conjunct has an index form ("camera.movement = 'static' AND quality.score >= 40", the
  // common shape of a filter): the selection is the intersection of their clip sets, one index
  // range scan each, and no clip is looked up. The index forms are equivalent to the conjuncts
  // (RuleConjunct::index_sql), and a rule is the AND of its conjuncts. At ten million clips the
  // statement below spent ~20 s building and probing SQLite's temporary tables for the same set.
  const bool all_indexed =
      !where.conjuncts.empty() &&
      std::all_of(where.conjuncts.begin(), where.conjuncts.end(),
                  [](const RuleConjunct& c) { return !c.index_select.empty(); });
  if (all_indexed) {
    std::vector<std::string> selects;
    for (const RuleConjunct& c : where.conjuncts) selects.push_back(c.index_select);
    if (!tier.empty()) {
      selects.push_back("SELECT clip_id FROM clip_tiers WHERE tier = " + QuoteString(tier));
    }
    // One snapshot for every scan, as the single statement of the general path has.
    sql::Transaction txn(db, "select clips");
    if (Status s = txn.Begin(/*write=*/false); !s.ok()) return s;
    std::optional<ClipSet> chosen;
    for (const std::string& select : selects) {
      auto set = SelectClipSet(select);
      if (!set.ok()) return Status::Error("select clips: " + set.status().message());
      chosen = chosen ? chosen->Intersect(*set) : std::move(*set);
    }
    auto insert =
        Prepare(db, "INSERT INTO " + qualified + " (clip_id) VALUES (?1)", "select clips");
    if (!insert.ok()) return insert.status();
    Status failed = Status::Ok();
    chosen->ForEach([&](int64_t id) {  // ascending: appends to the table's b-tree
      if (!failed.ok()) return;
      sql::BindInt(insert->get(), 1, id);
      if (sqlite3_step(insert->get()) != SQLITE_DONE) failed = sql::SqlError(db, "select clips");
      sqlite3_reset(insert->get());
    });
    if (!failed.ok()) return failed;
    if (Status s = txn.Commit(); !s.ok()) return s;
    return static_cast<long>(chosen->size());
  }
  if (Status s = Exec(db, std::string(kDropWide) + "; " + WideViewSql(where.attributes)); !s.ok()) {
    return Status::Error("select clips: cannot build clip_attr_wide: " + s.message());
  }
  // The tier is a quoted literal, the rule SQL comes from the rule compiler, and the whole
  // statement runs under the read-only authorizer (which lets it insert into `table` only).
  std::string tier_join;
  if (!tier.empty()) {
    tier_join = " JOIN clip_tiers t ON t.clip_id = w.clip_id AND t.tier = " + QuoteString(tier);
  }
  // Conjuncts of the form "attribute op literal" also go in as their index form (an IN over the
  // attribute indexes, equivalent as a top-level AND term): SQLite then walks only the clips the
  // most selective of them names instead of every clip of the wide view. At a million clips
  // (bench/scale_catalog.sh): "framing.shot_scale = 'close_up' AND camera.movement = 'static'"
  // selects in 0.45 s instead of 1.3 s, "camera.movement = 'static'" in 0.9 s instead of 1.2 s;
  // an unselective filter costs the same as before.
  std::string condition = where.sql.empty() ? std::string("1") : where.sql;
  for (const RuleConjunct& c : where.conjuncts) {
    if (!c.index_sql.empty()) condition = c.index_sql + " AND " + condition;
  }
  Status run = RunGuarded(db,
                          "INSERT INTO " + qualified + " (clip_id) SELECT w.clip_id FROM " +
                              "clip_attr_wide w" + tier_join + " WHERE " + condition,
                          table);
  Exec(db, std::string(kDropWide));
  if (!run.ok()) return run;
  auto count = Prepare(db, "SELECT COUNT(*) FROM " + qualified, "select clips");
  if (!count.ok()) return count.status();
  if (sqlite3_step(count->get()) != SQLITE_ROW) return sql::SqlError(db, "select clips");
  return static_cast<long>(sqlite3_column_int64(count->get(), 0));
}

namespace {

constexpr std::string_view kClipDetailSelect =
    "SELECT t.tier, t.rule, t.missed, t.recipe, t.tiering, t.rank, t.failed, ";
constexpr int kClipDetailTierColumns = 7;

constexpr std::string_view kClipAttributesSql =
    "SELECT name, num, text FROM clip_attributes WHERE clip_id = ?1 ORDER BY name";

// The clip of `s` (stepped here) with its attributes, read by `attrs` (?1 = the clip id).
Result<std::optional<ClipDetail>> ReadClipDetail(sqlite3* db, sqlite3_stmt* s,
                                                 sqlite3_stmt* attrs) {
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<ClipDetail>();
  if (rc != SQLITE_ROW) return sql::SqlError(db, "");
  ClipDetail d;
  d.tiered = !sql::ColIsNull(s, 0);
  if (d.tiered) {
    d.tier = ColText(s, 0);
    d.rule = ColText(s, 1);
    d.missed = ColText(s, 2);
    d.recipe = ColText(s, 3);
    d.tiering = sql::ColIsNull(s, 4) ? 0 : sqlite3_column_int64(s, 4);
    d.rank = sqlite3_column_int(s, 5);
    d.failed = ColText(s, 6);
  }
  d.video = sql::ReadVideo(s, kClipDetailTierColumns);
  d.clip = sql::ReadClip(s, kClipDetailTierColumns + static_cast<int>(sql::kVideoColumns.size()));
  sql::BindInt(attrs, 1, d.clip.id);
  while ((rc = sqlite3_step(attrs)) == SQLITE_ROW) {
    Attribute a;
    a.name = ColText(attrs, 0);
    if (!sql::ColIsNull(attrs, 1)) a.number = sql::ColDouble(attrs, 1);
    a.text = ColText(attrs, 2);
    d.clip.attributes.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "");
  return std::optional<ClipDetail>(std::move(d));
}

std::string ClipDetailSql(const std::string& where) {
  return std::string(kClipDetailSelect) + sql::VideoColumnList("v.", true) + ", " +
         std::string(sql::kClipColumns) +
         " FROM clips c JOIN videos v ON v.id = c.video_id "
         "LEFT JOIN clip_tiers t ON t.clip_id = c.id WHERE " +
         where;
}

}  // namespace

Result<std::optional<ClipDetail>> Catalog::FindClip(int64_t clip_id) {
  return FindClip(clip_id, {});
}

Result<std::optional<ClipDetail>> Catalog::FindClip(int64_t clip_id,
                                                    const std::vector<std::string>& only) {
  std::lock_guard lock(mu_);
  // Kept statements: search reads every hit's detail through here.
  auto stmt = stmts_->Get(db_.get(), ClipDetailSql("c.id = ?1"));
  if (!stmt.ok()) return stmt.status();
  std::string attrs_sql(kClipAttributesSql);
  if (!only.empty()) {
    std::string names;
    for (const std::string& n : only) names += (names.empty() ? "" : ", ") + sql::QuoteString(n);
    attrs_sql.insert(attrs_sql.find(" ORDER BY"), " AND name IN (" + names + ")");
  }
  auto attrs = stmts_->Get(db_.get(), attrs_sql);
  if (!attrs.ok()) return attrs.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  return ReadClipDetail(db_.get(), stmt->get(), attrs->get());
}

Result<std::optional<ClipDetail>> Catalog::FindClip(const std::string& video,
                                                    const std::string& abs_path, int index) {
  std::lock_guard lock(mu_);
  auto stmt = Prepare(db_.get(), ClipDetailSql("(v.fingerprint = ?1 OR v.path = ?1 OR v.path = "
                                               "?2) AND c.idx = ?3"));
  if (!stmt.ok()) return stmt.status();
  sql::BindText(stmt->get(), 1, video);
  sql::BindText(stmt->get(), 2, abs_path);
  sql::BindInt(stmt->get(), 3, index);
  auto attrs = stmts_->Get(db_.get(), std::string(kClipAttributesSql));
  if (!attrs.ok()) return attrs.status();
  return ReadClipDetail(db_.get(), stmt->get(), attrs->get());
}

namespace {

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

Status Catalog::ExpandTierReasons(ClipDetail* d) {
  if (!d->tiered || d->tiering == 0) return Status::Ok();
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db, "SELECT recipe, rules FROM tierings WHERE id = ?1", "explain");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, d->tiering);
  const int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_DONE) {
    // Only a damaged catalog gets here: WriteTiers replaces every row with its tiering.
    return Status::Error("clip " + std::to_string(d->clip.id) + ": tiering " +
                         std::to_string(d->tiering) +
                         " is not in the catalog (run `clipdex tier`)");
  }
  if (rc != SQLITE_ROW) return sql::SqlError(db, "explain");
  if (d->recipe.empty()) d->recipe = ColText(stmt->get(), 0);
  const auto rules = nlohmann::json::parse(ColText(stmt->get(), 1), nullptr, false);
  if (!rules.is_array()) {
    return Status::Error("tiering " + std::to_string(d->tiering) + ": damaged rules");
  }
  const size_t rank = static_cast<size_t>(std::max(0, d->rank));
  if (d->rule.empty() && rank < rules.size() && rules[rank].is_object()) {
    d->rule = rules[rank].value("when", "");
  }

  // Every failed conjunct's message, evaluated in one statement over the clip's wide row.
  // One json_array per missed rule (SQLite caps a function's arguments, at 127 before 3.48),
  // nested in one more.
  std::vector<std::string> tiers;  // the missed rules' tiers, in recipe order
  std::set<std::string> attributes;
  std::string columns;
  // A clip of rank k has k groups; "" is the one empty group of a rank-1 clip.
  const std::vector<std::string> groups =
      rank == 0 ? std::vector<std::string>() : Split(d->failed, '|');
  for (size_t i = 0; i < rank && i < rules.size() && i < groups.size(); ++i) {
    const auto& rule = rules[i];
    if (!rule.is_object() || !rule.contains("messages")) continue;
    const auto& messages = rule["messages"];
    for (const auto& a : rule.value("attributes", nlohmann::json::array())) {
      if (a.is_string()) attributes.insert(a.get<std::string>());
    }
    std::string rule_columns;
    for (const std::string& position : Split(groups[i], ',')) {
      char* end = nullptr;
      const unsigned long j = std::strtoul(position.c_str(), &end, 10);
      if (position.empty() || *end != '\0' || j >= messages.size() || !messages[j].is_string()) {
        continue;
      }
      rule_columns += (rule_columns.empty() ? "" : ", ") + messages[j].get<std::string>();
    }
    columns += (columns.empty() ? "" : ", ") + ("json_array(" + rule_columns + ")");
    tiers.push_back(rule.value("tier", ""));
  }
  nlohmann::ordered_json missed = nlohmann::ordered_json::object();
  if (!columns.empty()) {
    auto values = PrepareGuarded(db,
                                 "SELECT json_array(" + columns + ") FROM (" +
                                     WideSelectSql(attributes) + ") WHERE clip_id = ?1",
                                 "");
    if (!values.ok()) return Status::Error("explain: " + values.status().message());
    sql::BindInt(values->get(), 1, d->clip.id);
    const int vrc = sqlite3_step(values->get());
    if (vrc != SQLITE_ROW && vrc != SQLITE_DONE) return sql::SqlError(db, "explain");
    const auto list = vrc == SQLITE_ROW
                          ? nlohmann::ordered_json::parse(ColText(values->get(), 0), nullptr, false)
                          : nlohmann::ordered_json();
    for (size_t r = 0; r < tiers.size(); ++r) {
      auto& out = missed[tiers[r]] = nlohmann::ordered_json::array();
      if (list.is_array() && r < list.size() && list[r].is_array()) {
        for (const auto& m : list[r]) out.push_back(m);
      }
    }
  } else {
    for (const std::string& tier : tiers) missed[tier] = nlohmann::ordered_json::array();
  }
  d->missed = missed.dump();
  return Status::Ok();
}

Result<sql::StmtPtr> sql::PrepareReadOnly(sqlite3* db, const std::string& sql_text) {
  return PrepareGuarded(db, sql_text, "");
}

std::string sql::CreateWideViewSql(const std::set<std::string>& attributes) {
  return std::string(kDropWide) + "; " + WideViewSql(attributes);
}

std::string_view sql::DropWideViewSql() { return kDropWide; }

std::string sql::ManualTierOverlaySql(std::string_view where) {
  return "INSERT OR REPLACE INTO clip_tiers (clip_id, tier, rule, missed, recipe, tiering, rank, "
         "failed) SELECT m.clip_id, m.tier, 'manual: ' || m.reason || ' (by ' || CASE m.who WHEN "
         "'' THEN 'unknown' ELSE m.who END || ' at ' || m.at || '; rules: ' || COALESCE(t.tier, "
         "'none') || ')', COALESCE(t.missed, '{}'), COALESCE(t.recipe, ''), t.tiering, "
         "COALESCE(t.rank, 0), COALESCE(t.failed, '') FROM manual_tiers m LEFT JOIN clip_tiers t "
         "ON t.clip_id = m.clip_id WHERE " +
         std::string(where);
}

}  // namespace clipdex
