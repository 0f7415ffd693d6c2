// Query by example: the clips whose keyframes look most like an example picture or clip, by the
// perceptual hashes every clip already carries (dedup.signature, analyze/dup_signature.h).
//
// The index keeps, per clip, up to kExampleFrames of its signature's samples (uniform in time),
// each as 30 hashes: the picture's pHash, its centre crop and inner crop, its gradient hash and
// the pHash + gradient hash of 13 sub-windows (80-90 % crops at a 3x3 grid and the corners); a
// clip costs <= 960 bytes, so 100k clips fit in ~96 MB. A query frame meets a clip frame under
// the relations dedup uses (same framing; one a centre crop of the other; the query an
// off-centre crop of a window; same window, for copies with a logo or subtitles elsewhere);
// each relation compares two hashes and takes the larger distance, the best relation counts.
// A clip's distance is the mean, over query frames, of its best frame's distance; similarity =
// 1 - distance / 32 (32 bits is what unrelated pictures differ by), clamped to 0..1.
//
// The scan is exact (every clip): ~25 ns a clip-frame in portable code, a few ns with AVX-512's
// vector popcount (search/example_distance.h), so a 100k-clip query takes milliseconds; the
// ten-million-clip case needs an approximate index (see docs/search.md).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "analyze/dup_signature.h"
#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

inline constexpr int kExampleFrames = 4;       // kept per indexed clip
inline constexpr int kExampleProbeFrames = 2;  // taken from an example clip

struct ExampleMatch {
  int64_t clip_id = 0;
  double similarity = 0;  // 0..1
  double time = 0;        // seconds in the source file of the best-matching keyframe
  int bits = 0;           // the best frame distance, in bits (of 64)
};

class ExampleIndex {
 public:
  // Reads every clip's dedup.signature. Clips without one are not in the index. Errors:
  // "example index: <sqlite reason>".
  static Result<std::shared_ptr<ExampleIndex>> Build(Catalog& catalog);

  // The `k` most similar clips, best first (ties by clip id); `allowed` (when not null) limits
  // the candidates; `exclude` is left out (the example clip itself).
  std::vector<ExampleMatch> Nearest(const std::vector<FrameHash>& query, int k,
                                    const std::unordered_set<int64_t>* allowed,
                                    int64_t exclude = 0) const;

  size_t clips() const { return clips_.size(); }
  size_t bytes() const;

 private:
  // The hashes kept per frame, in this order.
  static constexpr int kKept = 4 + 2 * kWindows;
  using Hashes = std::array<uint64_t, kKept>;
  struct Clip {
    int64_t id = 0;
    double start = 0, duration = 0;
    uint32_t first = 0;  // index into frames_
    uint8_t count = 0;   // frames kept
    bool windows = false;
  };
  static Hashes Keep(const FrameHash& h);
  std::vector<Clip> clips_;
  std::vector<Hashes> frames_;
};

// The hash of one example picture (BGR or grey, any size): content box, then the same hashing as
// ingest (DupSignatureOptions defaults at 160 px). nullopt when the picture is featureless.
std::optional<FrameHash> HashExamplePicture(const cv::Mat& picture);

// The first picture of an image (or video) file, at most 640 px on its long side. Errors: "cannot
// read example image X: <reason>".
Result<cv::Mat> ReadExamplePicture(const std::filesystem::path& path);

// Reads the first picture of an image (or video) file and hashes it. Errors: "cannot read
// example image X: <reason>", "example image X has no features to compare (a flat picture)".
Result<FrameHash> HashExampleFile(const std::filesystem::path& path);

}  // namespace clipdex
