// Is the file at a video's path still the file that was ingested? The catalog names each source
// by path and content fingerprint (util/fingerprint.h: size + three 1 MiB windows); media is
// served only when the open file's fingerprint matches, so a source replaced since ingest (or a
// link swapped in) is never sent. Fingerprints are cached per (device, inode, size, mtime): a
// clip's video is checked once, not on every range request.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace clipdex {

class SourceCheck {
 public:
  // `opened` is fstat() of the open file, `path` the path it was opened by. True when the file
  // has fingerprint `expected`.
  bool Matches(const std::filesystem::path& path, const struct stat& opened,
               const std::string& expected);

 private:
  using Key = std::tuple<dev_t, ino_t, off_t, int64_t, int64_t>;  // dev, inode, size, mtime
  std::mutex mu_;
  std::map<Key, std::string> fingerprints_;
};

}  // namespace clipdex
