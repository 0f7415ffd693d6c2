// Curation by hand: tiers set by a person and user tags, each write logged (see catalog/catalog.h).
#include <sqlite3.h>

#include "catalog/catalog.h"
#include "catalog/catalog_rows.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex {
namespace {

using sql::ColText;
using sql::Prepare;

Status ClipExists(sqlite3* db, int64_t clip_id) {
  auto stmt = Prepare(db, "SELECT 1 FROM clips WHERE id = ?1", "curation");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  const int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc == SQLITE_DONE)
    return Status::Error("clip " + std::to_string(clip_id) + " does not exist");
  return sql::SqlError(db, "curation");
}

// Runs `sql_text` with text parameters ?2.. bound to `texts` and ?1 to the clip id.
Status Run(sqlite3* db, int64_t clip_id, const std::string& sql_text,
           const std::vector<std::string>& texts) {
  auto stmt = Prepare(db, sql_text, "curation");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  for (size_t i = 0; i < texts.size(); ++i) {
    sql::BindText(stmt->get(), static_cast<int>(i) + 2, texts[i]);
  }
  return sql::StepDone(db, stmt->get(), "curation");
}

Status Log(sqlite3* db, int64_t clip_id, const std::string& action, const std::string& value,
           const std::string& reason, const std::string& who) {
  return Run(db, clip_id,
             "INSERT INTO curation_log (clip_id, action, value, reason, who) "
             "VALUES (?1, ?2, ?3, ?4, ?5)",
             {action, value, reason, who});
}

// One curation write: checks the clip, runs `body`, logs, commits; all or nothing.
Status Write(sqlite3* db, int64_t clip_id, const std::function<Status()>& body,
             const std::string& action, const std::string& value, const std::string& reason,
             const std::string& who) {
  sql::Transaction txn(db, "curation");
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  if (Status s = ClipExists(db, clip_id); !s.ok()) return s;
  if (Status s = body(); !s.ok()) return s;
  if (Status s = Log(db, clip_id, action, value, reason, who); !s.ok()) return s;
  return txn.Commit();
}

}  // namespace

Status Catalog::SetManualTier(int64_t clip_id, const std::string& tier, const std::string& reason,
                              const std::string& who) {
  if (tier.empty()) return Status::Error("tier name must not be empty");
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  return Write(
      db, clip_id,
      [&]() -> Status {
        if (Status s = Run(db, clip_id,
                           "INSERT OR REPLACE INTO manual_tiers (clip_id, tier, reason, who) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           {tier, reason, who});
            !s.ok()) {
          return s;
        }
        // Effective at once (same wording as WriteTiers, which re-applies it after the rules).
        return Run(db, clip_id, sql::ManualTierOverlaySql("m.clip_id = ?1"), {});
      },
      "tier", tier, reason, who);
}

Status Catalog::ClearManualTier(int64_t clip_id, const std::string& who) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  return Write(
      db, clip_id,
      [&] { return Run(db, clip_id, "DELETE FROM manual_tiers WHERE clip_id = ?1", {}); }, "untier",
      "", "", who);
}

Result<std::optional<ManualTier>> Catalog::ManualTierOf(int64_t clip_id) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt =
      Prepare(db, "SELECT tier, reason, who, at FROM manual_tiers WHERE clip_id = ?1", "curation");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  const int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_DONE) return std::optional<ManualTier>();
  if (rc != SQLITE_ROW) return sql::SqlError(db, "curation");
  sqlite3_stmt* s = stmt->get();
  return std::optional<ManualTier>(
      ManualTier{ColText(s, 0), ColText(s, 1), ColText(s, 2), ColText(s, 3)});
}

Status Catalog::AddTag(int64_t clip_id, const std::string& tag, const std::string& who) {
  if (tag.empty()) return Status::Error("tag must not be empty");
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  return Write(
      db, clip_id,
      [&] {
        return Run(db, clip_id,
                   "INSERT OR IGNORE INTO clip_tags (clip_id, tag, who) VALUES "
                   "(?1, ?2, ?3)",
                   {tag, who});
      },
      "tag", tag, "", who);
}

Status Catalog::RemoveTag(int64_t clip_id, const std::string& tag, const std::string& who) {
  if (tag.empty()) return Status::Error("tag must not be empty");
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  return Write(
      db, clip_id,
      [&] {
        return Run(db, clip_id, "DELETE FROM clip_tags WHERE clip_id = ?1 AND tag = ?2", {tag});
      },
      "untag", tag, "", who);
}

Result<std::vector<ClipTag>> Catalog::TagsOf(int64_t clip_id) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt =
      Prepare(db, "SELECT tag, who, at FROM clip_tags WHERE clip_id = ?1 ORDER BY tag", "tags");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  std::vector<ClipTag> out;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    out.push_back({ColText(stmt->get(), 0), ColText(stmt->get(), 1), ColText(stmt->get(), 2)});
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "tags");
  return out;
}

Result<std::vector<CurationEntry>> Catalog::CurationLog(int64_t clip_id, int limit) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT clip_id, action, value, reason, who, at FROM curation_log "
                      "WHERE ?1 <= 0 OR clip_id = ?1 ORDER BY id DESC LIMIT ?2",
                      "curation log");
  if (!stmt.ok()) return stmt.status();
  sql::BindInt(stmt->get(), 1, clip_id);
  sql::BindInt(stmt->get(), 2, limit);
  std::vector<CurationEntry> out;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    sqlite3_stmt* s = stmt->get();
    out.push_back({sql::ColInt(s, 0), ColText(s, 1), ColText(s, 2), ColText(s, 3), ColText(s, 4),
                   ColText(s, 5)});
  }
  if (rc != SQLITE_DONE) return sql::SqlError(db, "curation log");
  return out;
}

}  // namespace clipdex
