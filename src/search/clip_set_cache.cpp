// Filter conditions' clip sets kept between searches (see search/clip_set_cache.h).
#include "search/clip_set_cache.h"

namespace clipdex {

Result<std::shared_ptr<ClipSetCache>> ClipSetCache::Open(const std::filesystem::path& dir) {
  auto catalog = Catalog::Open(dir, /*create=*/false);
  if (!catalog.ok()) return catalog.status();
  return std::make_shared<ClipSetCache>(std::move(*catalog));
}

Result<std::shared_ptr<const ClipSet>> ClipSetCache::Get(const std::string& select) {
  std::lock_guard lock(mu_);
  auto version = catalog_->DataVersion();
  if (!version.ok()) return version.status();
  if (*version != version_ || sets_.size() >= kMaxSets) {
    if (!sets_.empty()) ++stats_.resets;
    sets_.clear();
    version_ = *version;
  }
  if (auto it = sets_.find(select); it != sets_.end()) {
    ++stats_.hits;
    return it->second;
  }
  ++stats_.misses;
  auto set = catalog_->SelectClipSet(select);
  if (!set.ok()) return set.status();
  auto shared = std::make_shared<const ClipSet>(std::move(*set));
  sets_.emplace(select, shared);
  return shared;
}

ClipSetCache::Stats ClipSetCache::stats() {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.sets = sets_.size();
  for (const auto& [select, set] : sets_) s.bytes += set->bytes();
  return s;
}

}  // namespace clipdex
