// Dedup state: the codes and settings incremental `dedup` continues from (contracts in
// catalog/catalog.h; schema in catalog_schema.cpp, migration 6; use in curate/dedup.cpp).
#include "catalog/catalog.h"
#include "catalog/catalog_rows.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex {

using sql::Prepare;

Result<std::optional<DedupState>> Catalog::ReadDedupState() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db, "SELECT options, clips FROM dedup_state WHERE id = 1", "catalog");
  if (!stmt.ok()) return stmt.status();
  const int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_DONE) return std::optional<DedupState>();
  if (rc != SQLITE_ROW) return sql::SqlError(db, "catalog");
  DedupState state;
  state.options = sql::ColText(stmt->get(), 0);
  state.clips = static_cast<long>(sql::ColInt(stmt->get(), 1));
  return std::optional<DedupState>(std::move(state));
}

Result<long> Catalog::CountDedupCodes() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db, "SELECT COUNT(*) FROM dedup_codes", "catalog");
  if (!stmt.ok()) return stmt.status();
  if (sqlite3_step(stmt->get()) != SQLITE_ROW) return sql::SqlError(db, "catalog");
  return static_cast<long>(sql::ColInt(stmt->get(), 0));
}

Status Catalog::ForEachDedupCodes(const std::function<Status(int64_t, std::string_view)>& fn) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT d.clip_id, d.codes FROM dedup_codes d JOIN clips c ON c.id = "
                      "d.clip_id JOIN videos v ON v.id = c.video_id WHERE v.status = 'ok' "
                      "ORDER BY d.clip_id",
                      "catalog");
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const void* blob = sqlite3_column_blob(s, 1);
    const int bytes = sqlite3_column_bytes(s, 1);
    const std::string_view codes(static_cast<const char*>(blob), blob ? bytes : 0);
    if (Status st = fn(sql::ColInt(s, 0), codes); !st.ok()) return st;
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "catalog");
  return Status::Ok();
}

Result<std::vector<std::pair<int64_t, int64_t>>> Catalog::DedupGroupRows() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT clip_id, CAST(num AS INTEGER) FROM clip_attributes WHERE name = "
                      "'dedup.group' AND num IS NOT NULL ORDER BY clip_id",
                      "catalog");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::pair<int64_t, int64_t>> rows;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    rows.emplace_back(sql::ColInt(stmt->get(), 0), sql::ColInt(stmt->get(), 1));
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "catalog");
  return rows;
}

Status Catalog::CommitDedup(const std::vector<AttributeWrite>& group_rows,
                            const std::vector<std::pair<int64_t, std::string_view>>& codes,
                            bool replace_codes, const DedupState& state) {
  return CommitDedup(
      group_rows,
      [&codes](const std::function<Status(int64_t, std::string_view)>& put) {
        for (const auto& [clip_id, blob] : codes) {
          if (Status s = put(clip_id, blob); !s.ok()) return s;
        }
        return Status::Ok();
      },
      replace_codes, state);
}

Status Catalog::CommitDedup(const std::vector<AttributeWrite>& group_rows,
                            const DedupCodesSource& codes, bool replace_codes,
                            const DedupState& state) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  sql::Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  if (Status s =
          sql::Exec(db,
                    "DELETE FROM clip_attributes WHERE name IN ('dedup.group', 'dedup.dup_of')" +
                        std::string(replace_codes ? "; DELETE FROM dedup_codes" : ""),
                    "catalog: replace dedup groups");
      !s.ok()) {
    return s;
  }
  if (Status s = sql::InsertAttributeRows(db, group_rows); !s.ok()) return s;
  auto insert =
      Prepare(db, "INSERT OR REPLACE INTO dedup_codes (clip_id, codes) VALUES (?1, ?2)", "catalog");
  if (!insert.ok()) return insert.status();
  if (Status st = codes([&](int64_t clip_id, std::string_view blob) {
        sqlite3_stmt* s = insert->get();
        sql::BindInt(s, 1, clip_id);
        sqlite3_bind_blob(s, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
        return sql::StepDone(db, s,
                             "catalog: write dedup codes of clip " + std::to_string(clip_id));
      });
      !st.ok()) {
    return st;
  }
  auto put = Prepare(
      db, "INSERT OR REPLACE INTO dedup_state (id, options, clips) VALUES (1, ?1, ?2)", "catalog");
  if (!put.ok()) return put.status();
  sql::BindText(put->get(), 1, state.options);
  sql::BindInt(put->get(), 2, state.clips);
  if (Status st = sql::StepDone(db, put->get(), "catalog: write dedup state"); !st.ok()) return st;
  return txn.Commit();
}

}  // namespace clipdex
