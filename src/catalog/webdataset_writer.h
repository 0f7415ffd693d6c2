// WebDatasetWriter: writes samples into WebDataset tar shards DIR/shard-000000.tar, -000001 ...
// A sample is a key plus members "<key>.<ext>" (WebDataset groups consecutive members by the part
// of the name before the first dot, so keys must not contain dots or slashes). A shard is closed
// when it holds max_samples samples or when the next sample would push it past max_bytes (a
// sample larger than max_bytes alone still gets its own shard). Shards are written as
// shard-N.tar.partial and renamed when complete, so a finished name is always a whole archive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "catalog/tar_writer.h"
#include "util/status.h"

namespace clipdex {

struct ShardLimit {
  long max_samples = 1000;  // 0 = no count limit
  uint64_t max_bytes = 0;   // 0 = no size limit
};

// "1000" -> at most 1000 samples per shard; "500MB" / "2GB" (also KB, decimal units) -> at most
// that many bytes per shard. Error: "--shard-size: expected N (clips) or N followed by KB, MB or
// GB, got 'x'".
Result<ShardLimit> ParseShardSize(const std::string& text);

struct SampleMember {
  std::string extension;       // "mp4", "json", "jpg"
  std::filesystem::path file;  // copied from this file when non-empty ...
  std::string bytes;           // ... else these bytes
};

class WebDatasetWriter {
 public:
  // `dir` is created if missing. Error if it already holds shard-*.tar files, so a rerun never
  // mixes stale shards with new ones: "X already holds shard-*.tar files; use an empty directory".
  static Result<std::unique_ptr<WebDatasetWriter>> Create(const std::filesystem::path& dir,
                                                          ShardLimit limit);
  WebDatasetWriter(std::filesystem::path dir, ShardLimit limit)
      : dir_(std::move(dir)), limit_(limit) {}
  ~WebDatasetWriter();

  // Continues an export whose shards 0..shard_index-1 are complete: the next shard opened is
  // shard_index. Before the first Add.
  void ContinueAt(int shard_index) { shard_index_ = shard_index; }

  Status Add(const std::string& key, const std::vector<SampleMember>& members);
  // Completes the open shard. Without it the last shard stays a .partial file.
  Status Finish();

  const std::filesystem::path& dir() const { return dir_; }
  long samples() const { return samples_; }
  int shards() const { return shard_index_; }

  static std::string ShardName(int index);  // "shard-000042.tar"

 private:
  Status CloseShard();

  std::filesystem::path dir_;
  ShardLimit limit_;
  std::unique_ptr<TarWriter> tar_;
  long shard_samples_ = 0;
  long samples_ = 0;
  int shard_index_ = 0;  // shards opened so far
};

}  // namespace clipdex
