// CodesSpill: every clip's dedup codes (curate/dedup_codes.h, the stored form) appended to an
// unnamed temporary file and read back in order, as often as the caller needs. A dedup run over
// ten million clips of 16 samples has ~4 GB of codes (about 48 codes a clip); the candidate search
// at that scale (curate/chunk_join.h) reads them several times, and holding them in memory would
// break the run's memory budget. Reading back goes through the page cache, which the kernel may
// drop under pressure; it does not count against the process.
//
// Records are a little-endian 32-bit length and the blob. The file is created in `dir` (the
// dataset directory, on the disk that holds the catalog) and unlinked at once, so nothing is left
// behind when the process ends, however it ends.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "curate/dedup_codes.h"
#include "util/status.h"

namespace clipdex {

class CodesSpill {
 public:
  // Error: "cannot create a temporary file in DIR (<reason>)".
  static Result<CodesSpill> Create(const std::filesystem::path& dir);

  // Appends one clip's codes. Error: "cannot write the temporary codes file (<reason>)".
  Status Add(const ClipCodes& codes);

  size_t size() const { return count_; }             // clips
  uint64_t stored_codes() const { return stored_; }  // sum of the clips' stored codes
  uint64_t query_codes() const { return queries_; }  // queries + mirrored

  // A batch of consecutive clips' blobs: clip `first + k` has blobs[k]. The views live until fn
  // returns.
  using BatchFn = std::function<Status(size_t first, const std::vector<std::string_view>& blobs)>;
  // Reads every record in order, in batches of about `batch_bytes`, and stops at fn's first
  // error. Error: "cannot read the temporary codes file (<reason>)".
  Status ForEachBatch(const BatchFn& fn, size_t batch_bytes = size_t{64} << 20) const;

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  explicit CodesSpill(std::FILE* f) : file_(f) {}
  std::unique_ptr<std::FILE, Closer> file_;
  std::string record_;  // reused encode buffer
  size_t count_ = 0;
  uint64_t stored_ = 0, queries_ = 0, bytes_ = 0;
};

}  // namespace clipdex
