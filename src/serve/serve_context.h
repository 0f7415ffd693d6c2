// What every request handler of `clipdex serve` shares: the options, the access token, the pool
// of catalog connections and the query-by-example and CLIP embedding indexes (each built on
// first use, then shared by every connection), and the functions that register each group of
// routes (one file each).
#pragma once

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "search/clip_set_cache.h"
#include "search/embedding_index.h"
#include "search/example_index.h"
#include "search/search_engine.h"
#include "serve/catalog_pool.h"
#include "serve/fifo_gate.h"
#include "serve/httplib.h"
#include "serve/serve_options.h"
#include "serve/source_check.h"

namespace clipdex {

class ServeContext {
 public:
  ServeContext(ServeOptions options, std::string token, std::unique_ptr<Catalog> first)
      : options_(std::move(options)),
        token_(std::move(token)),
        pool_(options_.dataset, static_cast<size_t>(options_.threads), std::move(first)),
        search_gate_(options_.search_slots > 0 ? options_.search_slots : DefaultSearchSlots()) {}

  // Two searches per core: a search also waits (pages read from the OS, locks), and parsing and
  // JSON run outside the gate. Measured at 16 clients on 2 cores (bench/search_load.sh, text):
  // 2 slots 410-446 req/s, p99 51-54 ms; 4 slots 521-524 req/s, p99 48 ms; 6 slots 537-544
  // req/s, p99 50-60 ms; no gate (16) 614 req/s, p99 160 ms.
  static int DefaultSearchSlots() {
    return 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }

  const ServeOptions& options() const { return options_; }
  const std::string& token() const { return token_; }
  CatalogPool& pool() { return pool_; }
  SourceCheck& source_check() { return source_check_; }
  // Searches pass it one at a time per slot, in arrival order (serve/fifo_gate.h).
  FifoGate& search_gate() { return search_gate_; }

  // The shared example index, or null before any query by example built it.
  std::shared_ptr<const ExampleIndex> examples() { return examples_.get(); }
  // Builds the shared index through `engine` once (later callers wait and get the same one).
  Result<std::shared_ptr<const ExampleIndex>> EnsureExamples(SearchEngine& engine) {
    return examples_.Ensure([&] { return engine.Examples(); });
  }
  // The clip sets of filter conditions, shared by every worker (search/clip_set_cache.h); null
  // when its connection cannot be opened (searches then select their own).
  std::shared_ptr<ClipSetCache> clip_sets() {
    std::lock_guard lock(clip_sets_mu_);
    if (!clip_sets_tried_) {
      clip_sets_tried_ = true;
      auto opened = ClipSetCache::Open(options_.dataset);
      if (opened.ok()) clip_sets_ = *opened;
    }
    return clip_sets_;
  }
  // The same for the CLIP embedding index of semantic searches.
  Result<std::shared_ptr<const EmbeddingIndex>> EnsureEmbeddings(SearchEngine& engine) {
    return embeddings_.Ensure([&] { return engine.Embeddings(); });
  }

 private:
  // An index built once, on first use, then shared by every connection.
  template <typename Index>
  class SharedIndex {
   public:
    std::shared_ptr<const Index> get() {
      std::lock_guard lock(mu_);
      return index_;
    }
    template <typename Build>
    Result<std::shared_ptr<const Index>> Ensure(Build&& build) {
      std::lock_guard lock(mu_);
      if (index_) return index_;
      auto built = build();
      if (!built.ok()) return built.status();
      index_ = built.value();
      return index_;
    }

   private:
    std::mutex mu_;
    std::shared_ptr<const Index> index_;
  };

  ServeOptions options_;
  std::string token_;
  CatalogPool pool_;
  SourceCheck source_check_;
  FifoGate search_gate_;
  SharedIndex<ExampleIndex> examples_;
  SharedIndex<EmbeddingIndex> embeddings_;
  std::mutex clip_sets_mu_;
  bool clip_sets_tried_ = false;
  std::shared_ptr<ClipSetCache> clip_sets_;
};

// GET/POST /api/v1/search, GET /api/v1/export (search_routes.cpp).
void AddSearchRoutes(httplib::Server& server, ServeContext& context);
// GET /api/v1/clip/{id}, GET /api/v1/stats (clip_routes.cpp).
void AddClipRoutes(httplib::Server& server, ServeContext& context);
// POST/DELETE /api/v1/clip/{id}/tier, POST /api/v1/clip/{id}/tags, DELETE .../tags/{tag}
// (curation_routes.cpp).
void AddCurationRoutes(httplib::Server& server, ServeContext& context);
// GET /api/v1/thumb/{id}, GET /api/v1/media/{id} (media_routes.cpp).
void AddMediaRoutes(httplib::Server& server, ServeContext& context);
// GET /, /app.js, /style.css (web_assets, embedded at build time).
void AddAssetRoutes(httplib::Server& server, ServeContext& context);

}  // namespace clipdex
