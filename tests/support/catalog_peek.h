// A second, test-only SQLite connection to a dataset's catalog.sqlite, for tests that check
// what the catalog stored or generate bulk fixtures faster than CommitVideo would. Production
// code never does this: outside src/catalog/ the schema is reached only through Catalog methods.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace clipdex::testing {

class CatalogPeek {
 public:
  explicit CatalogPeek(const std::filesystem::path& dataset) {
    sqlite3* raw = nullptr;
    sqlite3_open_v2((dataset / "catalog.sqlite").c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(raw);
    sqlite3_busy_timeout(raw, 5000);
    sqlite3_exec(raw, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  }
  // Runs `sql` (any number of statements); false and a test failure on error.
  bool Exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
    return rc == SQLITE_OK;
  }
  // First column of the first row as text ("" for NULL or no row).
  std::string Text(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_.get());
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    if (!raw || sqlite3_step(raw) != SQLITE_ROW) return "";
    const unsigned char* t = sqlite3_column_text(raw, 0);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3* handle() { return db_.get(); }
  int64_t Count(const std::string& sql) {
    const std::string t = Text(sql);
    return t.empty() ? -1 : std::stoll(t);
  }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace clipdex::testing
