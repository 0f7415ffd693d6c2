// Attribute queries: stored names, bulk replacement, wide rows and counts (contracts in
// catalog/catalog.h).
#include "catalog/catalog.h"
#include "catalog/catalog_rows.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex {

using sql::ColText;
using sql::Prepare;

Status sql::InsertAttributeRows(sqlite3* db, const std::vector<AttributeWrite>& rows) {
  auto insert = Prepare(db,
                        "INSERT INTO clip_attributes (clip_id, name, num, text) "
                        "VALUES (?1, ?2, ?3, ?4)",
                        "catalog");
  if (!insert.ok()) return insert.status();
  for (const AttributeWrite& row : rows) {
    sqlite3_stmt* s = insert->get();
    sql::BindInt(s, 1, row.clip_id);
    sql::BindText(s, 2, row.name);
    if (row.number) {
      sql::BindDouble(s, 3, *row.number);
      sqlite3_bind_null(s, 4);
    } else {
      sqlite3_bind_null(s, 3);
      sql::BindText(s, 4, row.text);
    }
    if (Status st = sql::StepDone(
            db, s,
            "catalog: write attribute " + row.name + " of clip " + std::to_string(row.clip_id));
        !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

Result<std::set<std::string>> Catalog::StoredAttributeNames() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // A skip scan of the (name, num) index: one seek per distinct name (~1 ms at 100k clips)
  // instead of reading every index entry (DISTINCT: 0.2 s at 100k, linear in clips).
  auto stmt = Prepare(db,
                      "WITH RECURSIVE n(name) AS (SELECT MIN(name) FROM clip_attributes UNION ALL "
                      "SELECT (SELECT MIN(name) FROM clip_attributes WHERE name > n.name) FROM n "
                      "WHERE n.name IS NOT NULL) SELECT name FROM n WHERE name IS NOT NULL");
  if (!stmt.ok()) return stmt.status();
  std::set<std::string> names;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) names.insert(ColText(stmt->get(), 0));
  if (rc != SQLITE_DONE) return sql::SqlError(db, "");
  return names;
}

Status Catalog::ReplaceAttributes(const std::vector<std::string>& replace_names,
                                  const std::vector<AttributeWrite>& rows) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  sql::Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  if (!replace_names.empty()) {
    auto del = Prepare(db, "DELETE FROM clip_attributes WHERE name = ?1", "catalog");
    if (!del.ok()) return del.status();
    for (const std::string& name : replace_names) {
      sql::BindText(del->get(), 1, name);
      if (Status s = sql::StepDone(db, del->get(), "catalog: replace attribute " + name); !s.ok()) {
        return s;
      }
    }
  }
  if (Status st = sql::InsertAttributeRows(db, rows); !st.ok()) return st;
  return txn.Commit();
}

Status Catalog::WriteClipAttributes(const std::string& prefix,
                                    const std::vector<AttributeWrite>& rows) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  sql::Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  // substr() rather than LIKE: attribute names contain '_', a LIKE wildcard.
  auto del = Prepare(db,
                     "DELETE FROM clip_attributes WHERE clip_id = ?1 AND "
                     "substr(name, 1, length(?2)) = ?2",
                     "catalog");
  if (!del.ok()) return del.status();
  std::set<int64_t> cleared;
  for (const AttributeWrite& row : rows) {
    if (!cleared.insert(row.clip_id).second) continue;
    sql::BindInt(del->get(), 1, row.clip_id);
    sql::BindText(del->get(), 2, prefix);
    if (Status s =
            sql::StepDone(db, del->get(),
                          "catalog: clear " + prefix + "* of clip " + std::to_string(row.clip_id));
        !s.ok()) {
      return s;
    }
  }
  if (Status st = sql::InsertAttributeRows(db, rows); !st.ok()) return st;
  return txn.Commit();
}

Status Catalog::ForEachWideClip(const std::vector<std::string>& names, size_t required,
                                const std::function<Status(const WideClipRow&)>& fn,
                                bool only_without_dedup_codes) {
  if (required > names.size()) {
    return Status::Error("catalog: ForEachWideClip requires more names than it was given");
  }
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // One LEFT JOIN per name: each probes the (clip_id, name) primary key, so the walk follows
  // clips.id without a sort however many names are asked for.
  std::string cols, joins, any;
  for (size_t i = 0; i < names.size(); ++i) {
    // Built by append: GCC 12 flags `"a" + std::to_string(i)` with a false -Wrestrict.
    std::string a = "a";
    a += std::to_string(i);
    cols += ", " + a + ".clip_id IS NOT NULL, " + a + ".num, " + a + ".text";
    joins += " LEFT JOIN clip_attributes " + a + " ON " + a + ".clip_id = c.id AND " + a +
             ".name = ?" + std::to_string(i + 1);
    if (i < required) any += std::string(any.empty() ? "" : " OR ") + a + ".clip_id IS NOT NULL";
  }
  auto stmt = Prepare(db,
                      "SELECT c.id, c.end_time - c.start_time, v.width * v.height" + cols +
                          " FROM clips c JOIN videos v ON v.id = c.video_id" + joins +
                          " WHERE v.status = 'ok'" + (any.empty() ? "" : " AND (" + any + ")") +
                          (only_without_dedup_codes
                               ? " AND NOT EXISTS (SELECT 1 FROM dedup_codes d WHERE d.clip_id "
                                 "= c.id)"
                               : "") +
                          " ORDER BY c.id",
                      "catalog");
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  for (size_t i = 0; i < names.size(); ++i) sql::BindText(s, static_cast<int>(i + 1), names[i]);
  WideClipRow row;
  row.cells.resize(names.size());
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    row.clip_id = sql::ColInt(s, 0);
    row.duration = sql::ColDouble(s, 1);
    row.pixels = sql::ColInt(s, 2);
    for (size_t i = 0; i < names.size(); ++i) {
      const int c = 3 + 3 * static_cast<int>(i);
      AttributeCell& cell = row.cells[i];
      cell.present = sql::ColInt(s, c) != 0;
      cell.number.reset();
      cell.text.reset();
      if (!sql::ColIsNull(s, c + 1)) cell.number = sql::ColDouble(s, c + 1);
      if (!sql::ColIsNull(s, c + 2)) cell.text = ColText(s, c + 2);
    }
    if (Status st = fn(row); !st.ok()) return st;
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "catalog");
  return Status::Ok();
}

Result<long> Catalog::CountClipsWithout(const std::string& name) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT COUNT(*) FROM clips c JOIN videos v ON v.id = c.video_id "
                      "WHERE v.status = 'ok' AND NOT EXISTS (SELECT 1 FROM clip_attributes a "
                      "WHERE a.clip_id = c.id AND a.name = ?1)",
                      "catalog");
  if (!stmt.ok()) return stmt.status();
  sql::BindText(stmt->get(), 1, name);
  if (sqlite3_step(stmt->get()) != SQLITE_ROW) return sql::SqlError(db, "catalog");
  return static_cast<long>(sql::ColInt(stmt->get(), 0));
}

}  // namespace clipdex
