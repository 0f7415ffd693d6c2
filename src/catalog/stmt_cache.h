// Prepared statements a connection keeps, for the queries one request repeats many times (the
// clip detail of every search hit): preparing a join costs more than running it for one row
// (~40 µs against ~10 µs at 100k clips). Private to src/catalog/.
#pragma once

#include <map>
#include <string>

#include "catalog/sqlite_stmt.h"

namespace clipdex::sql {

class StmtCache {
 public:
  // A kept statement, reset and unbound when the use ends: a statement left mid-step would hold
  // its read transaction (and WAL snapshot) open.
  class Use {
   public:
    explicit Use(sqlite3_stmt* s) : s_(s) {}
    Use(Use&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    Use& operator=(Use&&) = delete;
    ~Use() {
      if (s_ != nullptr) {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
      }
    }
    sqlite3_stmt* get() const { return s_; }

   private:
    sqlite3_stmt* s_;
  };

  // The statement for `sql` on `db`, prepared on first use. Must not be used twice at once.
  Result<Use> Get(sqlite3* db, const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) {
      auto stmt = Prepare(db, sql);
      if (!stmt.ok()) return stmt.status();
      it = stmts_.emplace(sql, std::move(*stmt)).first;
    }
    return Use(it->second.get());
  }

 private:
  std::map<std::string, StmtPtr> stmts_;
};

}  // namespace clipdex::sql
