#include "serve/catalog_pool.h"

namespace clipdex {

CatalogPool::CatalogPool(std::filesystem::path dir, size_t max, std::unique_ptr<Catalog> first)
    : dir_(std::move(dir)), max_(max < 1 ? 1 : max) {
  if (first) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }
}

CatalogPool::Lease::~Lease() {
  if (pool_ != nullptr && catalog_) pool_->Return(std::move(catalog_));
}

Result<CatalogPool::Lease> CatalogPool::Acquire() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    std::unique_ptr<Catalog> catalog = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(catalog));
  }
  ++open_;  // reserve the slot, open outside the lock
  lock.unlock();
  auto opened = Catalog::Open(dir_, /*create=*/false);
  if (!opened.ok()) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return opened.status();
  }
  return Lease(this, std::move(opened.value()));
}

size_t CatalogPool::open_connections() {
  std::lock_guard lock(mu_);
  return open_;
}

void CatalogPool::Return(std::unique_ptr<Catalog> catalog) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(catalog));
  }
  returned_.notify_one();
}

}  // namespace clipdex
