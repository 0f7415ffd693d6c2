// ClipCodes: what dedup's candidate search needs of one clip, taken from its signature: its
// distinct indexed and query hashes, a few dozen 64-bit values against the signature's 64 samples
// x 33 hashes. RunDedup keeps these instead of the signatures while it reads a catalog, and
// stores them (catalog table dedup_codes) so that a later run over a grown catalog reads only the
// new clips' signatures (incremental dedup, docs/attributes.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "curate/dedup.h"
#include "util/status.h"

namespace clipdex {

struct ClipCodes {
  std::vector<uint64_t> stored;    // plain and centre (+ window) hashes: indexed
  std::vector<uint64_t> queries;   // plain (+ window) hashes
  std::vector<uint64_t> mirrored;  // mirrored hashes (options.flip)
  bool has_windows = false;        // the signature has window hashes (query radius)
  bool featureless = false;        // a signature without informative frames
  bool operator==(const ClipCodes&) const = default;
};

// Window hashes are indexed and queried for every kCodesWindowStride-th frame only: a window
// relation needs most frames to align, so a third of them still meets the pair, and the candidate
// search (which dominates at radius window_hamming) costs a third.
inline constexpr size_t kCodesWindowStride = 3;

// The codes of a clip's signature under `options` (flip and window_hamming decide which hashes).
ClipCodes CodesOf(const DedupClip& clip, const DedupOptions& options);

// The stored form (a BLOB of dedup_codes.codes): a version byte, flags, three little-endian
// 32-bit counts, then the codes as little-endian 64-bit values.
std::string EncodeClipCodes(const ClipCodes& codes);
// Error: "bad dedup codes (<reason>)".
Result<ClipCodes> DecodeClipCodes(std::string_view bytes);

// A stored form read in place (no allocation): the candidate search at catalog scale
// (curate/chunk_join.h) reads every clip's codes several times.
struct ClipCodesView {
  std::string_view bytes;          // the blob; the codes start at kCodesHeader
  uint32_t counts[3] = {0, 0, 0};  // stored, queries, mirrored
  bool has_windows = false;
  bool featureless = false;
  // The k-th code of list `list` (0 stored, 1 queries, 2 mirrored).
  uint64_t Code(int list, uint32_t k) const;
};
inline constexpr size_t kCodesHeader = 2 + 3 * 4;
// Error: "bad dedup codes (<reason>)", as DecodeClipCodes.
Result<ClipCodesView> ViewClipCodes(std::string_view bytes);

// Every clip's codes, encoded back to back (EncodeClipCodes) in one buffer: a clip's codes cost
// their bytes plus 8, not three vectors, and the blobs a run stores are there as they are.
class CodesTable {
 public:
  void Add(const ClipCodes& codes);
  size_t size() const { return offsets_.size(); }
  std::string_view Blob(size_t i) const {
    const size_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : bytes_.size();
    return std::string_view(bytes_).substr(offsets_[i], end - offsets_[i]);
  }
  // Decoded again (what Add encoded always decodes).
  ClipCodes Get(size_t i) const;

 private:
  std::string bytes_;
  std::vector<size_t> offsets_;
};

// The settings a dedup run's groups and codes depend on, as text (dedup_state.options): a later
// run continues incrementally only under the same text. `chunks` (speed only) is left out.
std::string DedupSettingsKey(const DedupOptions& options);

}  // namespace clipdex
