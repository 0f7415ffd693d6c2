// The catalog's SQLite helpers, private to src/catalog/ (nothing else sees a sqlite3*): a
// finalizing statement handle, prepare/exec/step with the SQLite message as the error, column
// readers that turn NULL into "", and one scoped Transaction.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace clipdex::sql {

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// "<context>: <message>", or the bare message when context is empty.
inline Status Error(std::string_view context, const std::string& message) {
  return Status::Error(context.empty() ? message : std::string(context) + ": " + message);
}
inline Status SqlError(sqlite3* db, std::string_view context) {
  return Error(context, sqlite3_errmsg(db));
}

inline Result<StmtPtr> Prepare(sqlite3* db, std::string_view sql, std::string_view context = "") {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqlError(db, context);
  return stmt;
}

inline Status Exec(sqlite3* db, const std::string& sql, std::string_view context = "") {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  // sqlite3_free owns err; copy it out before freeing so the message survives.
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, &sqlite3_free);
  if (rc != SQLITE_OK) return Error(context, err ? err : sqlite3_errstr(rc));
  return Status::Ok();
}

// Steps a statement that returns no rows (INSERT/UPDATE/DELETE) and resets it for reuse.
inline Status StepDone(sqlite3* db, sqlite3_stmt* s, std::string_view context = "") {
  int rc = sqlite3_step(s);
  Status st = rc == SQLITE_DONE ? Status::Ok() : SqlError(db, context);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return st;
}

inline std::string ColText(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}
// The column's text without a copy; valid until the statement steps, resets or is finalised.
inline std::string_view ColView(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string_view(reinterpret_cast<const char*>(t),
                              static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string_view();
}
inline int64_t ColInt(sqlite3_stmt* s, int i) { return sqlite3_column_int64(s, i); }
inline double ColDouble(sqlite3_stmt* s, int i) { return sqlite3_column_double(s, i); }
inline bool ColIsNull(sqlite3_stmt* s, int i) { return sqlite3_column_type(s, i) == SQLITE_NULL; }

// Indices are 1-based as in SQLite. Text is SQLITE_TRANSIENT because statements outlive some of
// the strings bound to them (temporaries from ToString etc.).
inline void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
inline void BindInt(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
inline void BindDouble(sqlite3_stmt* s, int i, double v) { sqlite3_bind_double(s, i, v); }

// SQL literals for text the catalog splices into generated statements ('' and "" escapes).
inline std::string QuoteString(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    out += ch;
    if (ch == '\'') out += '\'';
  }
  return out + "'";
}
inline std::string QuoteIdent(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    out += ch;
    if (ch == '"') out += '"';
  }
  return out + "\"";
}

// Scoped transaction: rolls back unless Commit() succeeded, so every early `return` on error
// leaves the catalog untouched (the whole-or-nothing promise of every catalog write).
class Transaction {
 public:
  explicit Transaction(sqlite3* db, std::string_view context = "catalog")
      : db_(db), ctx_(context) {}
  ~Transaction() {
    if (active_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // IMMEDIATE for writers: takes the write lock up front, so a concurrent writer waits on
  // busy_timeout at BEGIN instead of failing with SQLITE_BUSY halfway through.
  Status Begin(bool write) {
    Status st =
        Exec(db_, write ? "BEGIN IMMEDIATE" : "BEGIN", std::string(ctx_) + ": begin transaction");
    active_ = st.ok();
    return st;
  }
  Status Commit() {
    Status st = Exec(db_, "COMMIT", std::string(ctx_) + ": commit");
    if (st.ok()) active_ = false;
    return st;
  }

 private:
  sqlite3* db_;
  std::string_view ctx_;
  bool active_ = false;
};

}  // namespace clipdex::sql
