// TempFile: an unnamed temporary file for spilling what a run cannot hold in memory (dedup's codes,
// 8-bit embeddings, LSH keys, candidate pairs at ten million clips). It is created in a given
// directory (the dataset's, on the disk that holds the catalog, not a small /tmp) and unlinked at
// once, so nothing is left behind when the process ends, however it ends. Appends are buffered;
// reads are positioned (pread), so several threads may read one file at once after Flush.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/status.h"

namespace clipdex {

class TempFile {
 public:
  // Error: "cannot create a temporary file in DIR (<reason>)". `stem` names it while it exists.
  static Result<TempFile> Create(const std::filesystem::path& dir, std::string_view stem);

  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  // Gives the descriptor to the caller (who closes it); the object is empty afterwards.
  int Release();

  // Error: "cannot write a temporary file (<reason>)".
  Status Append(const void* data, size_t bytes);
  Status Flush();
  uint64_t size() const { return written_ + buffer_.size(); }  // bytes appended
  // Reads `bytes` at `offset` of what was flushed. Error: "cannot read a temporary file (...)".
  Status ReadAt(void* out, size_t bytes, uint64_t offset) const;

 private:
  explicit TempFile(int fd) : fd_(fd) {}
  int fd_ = -1;
  uint64_t written_ = 0;
  std::string buffer_;
};

}  // namespace clipdex
