// BM25 for the search index, as SQLite FTS5's own bm25() computes it, with the per-query corpus
// statistics kept between queries. FTS5's bm25() counts, on its first row of every query, the
// rows each phrase matches (a walk of the phrase's whole posting list: ~2 ms for a word in 100k
// clips, the fixed part of every words search). clipdex_bm25(search_fts, query, weights...)
// takes those counts, the row count and the token total from a per-connection cache keyed by the
// query, filled the same way on first use and emptied whenever the index may have changed (the
// catalog clears it when SQLite's data version moves or it writes the index itself). Scores are
// bm25()'s to the last bit (tests/search/search_test.cpp compares them). Private to
// src/catalog/.
#pragma once

#include <sqlite3.h>

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
  void Clear() { stats_.clear(); }
  const QueryStats* Find(const std::string& query) const {
    auto it = stats_.find(query);
    return it == stats_.end() ? nullptr : &it->second;
  }
  const QueryStats* Put(const std::string& query, QueryStats s) {
    if (stats_.size() >= 1024) stats_.clear();  // bounded: distinct queries of a long session
    return &stats_.insert_or_assign(query, std::move(s)).first->second;
  }

 private:
  int64_t version_ = -1;
  std::map<std::string, QueryStats> stats_;
};

// Registers clipdex_bm25 on `db`, reading and filling `cache` (which must outlive `db`'s use).
Status RegisterFtsRank(sqlite3* db, FtsRankCache* cache);

}  // namespace clipdex::sql
