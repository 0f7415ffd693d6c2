#include "serve/source_check.h"

#include "util/fingerprint.h"

namespace clipdex {

bool SourceCheck::Matches(const std::filesystem::path& path, const struct stat& opened,
                          const std::string& expected) {
  const Key key{opened.st_dev, opened.st_ino, opened.st_size,
                static_cast<int64_t>(opened.st_mtim.tv_sec),
                static_cast<int64_t>(opened.st_mtim.tv_nsec)};
  {
    std::lock_guard lock(mu_);
    auto it = fingerprints_.find(key);
    if (it != fingerprints_.end()) return it->second == expected;
  }
  auto fingerprint = FingerprintFile(path);
  if (!fingerprint.ok()) return false;
  // The path must still lead to the file that is open (not swapped while we read it).
  struct stat now {};
  if (::stat(path.c_str(), &now) != 0 || now.st_dev != opened.st_dev ||
      now.st_ino != opened.st_ino || now.st_size != opened.st_size) {
    return false;
  }
  std::lock_guard lock(mu_);
  if (fingerprints_.size() > 4096) fingerprints_.clear();  // bounded; refilled on demand
  fingerprints_[key] = fingerprint.value();
  return fingerprint.value() == expected;
}

}  // namespace clipdex
