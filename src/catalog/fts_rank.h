// BM25 for the search index, as SQLite FTS5's own bm25() computes it, with the per-query corpus
// statistics kept between queries. FTS5's bm25() counts, on its first row of every query, the
// rows each phrase matches (a walk of the phrase's whole posting list: ~2 ms for a word in 100k
// clips, the fixed part of every words search). clipdex_bm25(search_fts, query, weights...)
// takes those counts, the row count and the token total from a per-connection cache keyed by the
// query, filled the same way on first use and emptied whenever the index may have changed (the
// catalog clears it when SQLite's data version moves or it writes the index itself). Scores are
// bm25()'s to the last bit (tests/search/search_test.cpp compares them). Private to
// src/catalog/.
//
// Each row's token count (bm25()'s document length) is kept too. FTS5 reads it for every ranked
// row from its %_docsize table, a statement step and B-tree lookup per row: 37 % of the server's
// CPU under text-search load at 100k clips (perf). A word in most clips is ranked over its 5,000
// newest matches, and those are the same rows query after query, so a row's count is read once
// per data version and connection. The memo is a window of kRowWindow rowids (2 bytes each:
// 2 MB per connection at most) that follows the newest rows ranked; older rows are read as before.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex::sql {

class FtsRankCache {
 public:
  struct QueryStats {
    int64_t rows = 0, tokens = 0;
    std::vector<int64_t> phrase_rows;  // rows matching each phrase
  };
  // Drops every entry when `data_version` differs from the one the entries were made under.
  void Validate(int64_t data_version) {
    if (data_version != version_) Clear();
    version_ = data_version;
  }
  void Clear() {
    stats_.clear();
    row_tokens_.clear();
  }
  const QueryStats* Find(const std::string& query) const {
    auto it = stats_.find(query);
    return it == stats_.end() ? nullptr : &it->second;
  }
  const QueryStats* Put(const std::string& query, QueryStats s) {
    if (stats_.size() >= 1024) stats_.clear();  // bounded: distinct queries of a long session
    return &stats_.insert_or_assign(query, std::move(s)).first->second;
  }

  // A row's token count when known (-1 otherwise); Remember keeps one (counts over 65,534, which
  // no search document reaches, are not kept).
  static constexpr int64_t kRowWindow = int64_t{1} << 20;
  int RowTokens(int64_t rowid) const {
    const int64_t i = rowid - row_base_;
    if (i < 0 || i >= static_cast<int64_t>(row_tokens_.size())) return -1;
    return static_cast<int>(row_tokens_[static_cast<size_t>(i)]) - 1;
  }
  void RememberRowTokens(int64_t rowid, int tokens) {
    if (tokens < 0 || tokens >= 65535 || rowid < 0) return;
    if (row_tokens_.empty() || rowid >= row_base_ + kRowWindow) {
      // Start (or move) the window so that it ends at this row: ranking walks newest first.
      row_tokens_.clear();
      row_base_ = std::max<int64_t>(0, rowid + 1 - kRowWindow);
    }
    const int64_t i = rowid - row_base_;
    if (i < 0) return;
    if (i >= static_cast<int64_t>(row_tokens_.size())) {
      row_tokens_.resize(static_cast<size_t>(std::min(kRowWindow, std::max(i + 1, 2 * i))), 0);
    }
    row_tokens_[static_cast<size_t>(i)] = static_cast<uint16_t>(tokens + 1);
  }

 private:
  int64_t version_ = -1;
  int64_t row_base_ = 0;
  std::vector<uint16_t> row_tokens_;  // token count + 1 per rowid from row_base_; 0: unknown
  std::map<std::string, QueryStats> stats_;
};

// Registers clipdex_bm25 on `db`, reading and filling `cache` (which must outlive `db`'s use).
Status RegisterFtsRank(sqlite3* db, FtsRankCache* cache);

}  // namespace clipdex::sql
