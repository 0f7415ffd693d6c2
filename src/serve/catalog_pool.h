// A small checkout pool of catalog connections for the HTTP workers. A Catalog serialises every
// call on its one SQLite connection (and TEMP tables such as the clip selection live on that
// connection), so each request works on a connection of its own: Acquire() hands out an idle
// one, opens a new one while fewer than `max` exist, else waits. Connections are opened lazily
// and kept for the life of the pool.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

class CatalogPool {
 public:
  // `first` (may be null) is an already open connection to `dir`, kept as the first idle one.
  CatalogPool(std::filesystem::path dir, size_t max, std::unique_ptr<Catalog> first);
  CatalogPool(const CatalogPool&) = delete;
  CatalogPool& operator=(const CatalogPool&) = delete;

  // A connection checked out until the Lease goes out of scope.
  class Lease {
   public:
    Lease(CatalogPool* pool, std::unique_ptr<Catalog> catalog)
        : pool_(pool), catalog_(std::move(catalog)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    Catalog& operator*() const { return *catalog_; }
    Catalog* operator->() const { return catalog_.get(); }

   private:
    CatalogPool* pool_;
    std::unique_ptr<Catalog> catalog_;
  };

  // Errors: Catalog::Open's, when a new connection cannot be opened.
  Result<Lease> Acquire();

  size_t open_connections();

 private:
  void Return(std::unique_ptr<Catalog> catalog);

  std::filesystem::path dir_;
  size_t max_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Catalog>> idle_;
  size_t open_ = 0;
};

}  // namespace clipdex
