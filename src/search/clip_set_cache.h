// The clip sets of filter conditions, kept between searches: a server answers many searches that
// share conditions ("quality.score >= 8", "framing.shot_scale = 'close_up'": the filters and
// facets an editor clicks), and selecting a condition's clips from the attribute index costs
// 10-30 ms at 100k clips, where testing a candidate against the kept set costs nanoseconds. The
// technique of search engines' filter caches (Lucene's query cache).
//
// What is cached is exactly what the condition's SQL selects (RuleConjunct::index_select), read
// on a connection of the cache's own, so a hit gives the same clips as the query would. Every
// lookup first asks that connection for SQLite's data version, which changes whenever anyone
// commits to the catalog (an ingest, a caption pass, a tag set in the web UI); a change empties
// the cache, so a search never sees a set older than the catalog it reads. At most kMaxSets sets
// are kept (one bit per clip each: 12.5 kB at 100k clips); when full, the cache starts over.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "catalog/clip_set.h"
#include "util/status.h"

namespace clipdex {

class ClipSetCache {
 public:
  static constexpr size_t kMaxSets = 256;

  // Opens its own connection to the dataset's catalog. Errors: Catalog::Open's.
  static Result<std::shared_ptr<ClipSetCache>> Open(const std::filesystem::path& dataset_dir);

  // The clips `select` selects (a RuleConjunct::index_select), from the cache when the catalog
  // has not changed since it was made. Errors: "filter: <sqlite reason>".
  Result<std::shared_ptr<const ClipSet>> Get(const std::string& select);

  struct Stats {
    long hits = 0, misses = 0, resets = 0;
    size_t sets = 0, bytes = 0;
  };
  Stats stats();

  explicit ClipSetCache(std::unique_ptr<Catalog> catalog) : catalog_(std::move(catalog)) {}

 private:
  std::mutex mu_;
  std::unique_ptr<Catalog> catalog_;
  int64_t version_ = -1;
  std::map<std::string, std::shared_ptr<const ClipSet>> sets_;
  Stats stats_;
};

}  // namespace clipdex
