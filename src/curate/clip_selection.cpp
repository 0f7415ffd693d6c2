#include "curate/clip_selection.h"

#include "catalog/sqlite_stmt.h"
#include "curate/tier_rules.h"

namespace clipdex {

Result<long> SelectClips(Catalog& catalog, const ClipFilter& filter) {
  sqlite3* db = catalog.db();
  const std::string table = std::string("temp.") + kSelectedClipsTable;
  if (!filter.tier.empty()) {
    auto any = sql::Prepare(db, "SELECT EXISTS (SELECT 1 FROM clip_tiers)");
    if (!any.ok()) return Status::Error("--tier: " + any.status().message());
    if (sqlite3_step(any->get()) != SQLITE_ROW || sqlite3_column_int(any->get(), 0) == 0) {
      return Status::Error("--tier " + filter.tier +
                           ": the dataset was never tiered (run `clipdex tier DATASET` first)");
    }
  }
  std::string condition = "1";
  std::set<std::string> used;
  if (!filter.where.empty()) {
    auto known = KnownAttributeNames(db);
    if (!known.ok()) return Status::Error("--where: " + known.status().message());
    auto rule = CompileRule("", filter.where, known.value());
    if (!rule.ok()) return Status::Error("--where: " + rule.status().message());
    condition = rule->sql;
    used = rule->attributes;
  }
  if (Status s = sql::Exec(db, "DROP TABLE IF EXISTS " + table + "; CREATE TEMP TABLE " +
                                   kSelectedClipsTable + " (clip_id INTEGER PRIMARY KEY)");
      !s.ok()) {
    return Status::Error("select clips: " + s.message());
  }
  if (Status s =
          sql::Exec(db, "DROP VIEW IF EXISTS temp.clip_attr_wide; " + ClipAttrWideViewSql(used));
      !s.ok()) {
    return Status::Error("select clips: cannot build clip_attr_wide: " + s.message());
  }
  // The tier name is a literal in SQL quoting ('' doubles '), the rule SQL comes from the rule
  // compiler, and the whole statement runs under the read-only authorizer.
  std::string tier_join;
  if (!filter.tier.empty()) {
    std::string quoted = "'";
    for (char ch : filter.tier) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
    quoted += "'";
    tier_join = " JOIN clip_tiers t ON t.clip_id = w.clip_id AND t.tier = " + quoted;
  }
  Status run = RunReadOnly(db,
                           "INSERT INTO " + table + " (clip_id) SELECT w.clip_id FROM " +
                               "clip_attr_wide w" + tier_join + " WHERE " + condition,
                           kSelectedClipsTable);
  sql::Exec(db, "DROP VIEW IF EXISTS temp.clip_attr_wide");
  if (!run.ok())
    return Status::Error((filter.where.empty() ? "--tier: " : "--where: ") + run.message());
  auto count = sql::Prepare(db, "SELECT COUNT(*) FROM " + table);
  if (!count.ok() || sqlite3_step(count->get()) != SQLITE_ROW) {
    return Status::Error("select clips: " + std::string(sqlite3_errmsg(db)));
  }
  return static_cast<long>(sqlite3_column_int64(count->get(), 0));
}

}  // namespace clipdex
