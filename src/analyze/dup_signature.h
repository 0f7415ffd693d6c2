// DupSignatureAnalyzer: a compact multi-frame perceptual signature of a clip, the input of
// near-duplicate detection (`clipdex dedup`, curate/dedup.h).
//
// Method, per clip:
//   1. Content box: rows and columns that are black in every sample (letterbox, pillarbox, the
//      padding of a "boxed" re-upload) are trimmed, so a copy shown smaller inside black bars
//      hashes like the original. The box is one per clip (not per frame) so a dark scene is not
//      cropped frame by frame.
//   2. Each sample's content box is reduced to 32x32 by area averaging and hashed like
//      cv::img_hash::PHash (DCT of the 32x32 picture, the 8x8 lowest frequencies compared with
//      their mean: 64 bits; same bits, computed directly: see the .cpp). Area averaging matters:
//      PHash's own bilinear resize reads only a few source pixels per output pixel, so coding
//      noise and small shifts flip bits. All reductions of a sample come from one integral
//      image, so more views cost little.
//   3. More hashes per sample: the horizontally mirrored box (so `dedup --flip` finds mirrored
//      copies without re-ingesting), the central 85% of the box, that mirrored, the central 85%
//      of that, and 13 sub-windows at several positions (see kWindows). A pHash moves 13-23 bits
//      when the picture is cropped to 85% and scaled back up; the centre hash of the original
//      matches the whole of such a crop within 0-3 bits (measured on dup_crop85.mp4), and the
//      windows do the same, more loosely, for crops off the centre. The box and every window
//      also get a gradient hash (dHash), the second, independent test a window match needs.
//   4. Featureless samples (near-uniform pictures: black, white, flat colour) are left out: their
//      hash bits follow noise, and two unrelated flat clips would otherwise collide.
//   5. At most kMaxSignatureFrames samples are kept, subsampled uniformly in time, so the
//      signature stays bounded (<= 35.9 KB of text) for any clip length. Clips up to ~3 s keep
//      every frame; longer ones are sparser, which weakens sub-clip matching of very lively
//      footage.
//   6. Motion maps (format 4): per kept informative sample, the 8x8 cells of its 32x32 reduction
//      that differ from the clip's background (the per-pixel median of all kept samples), so that
//      dedup can tell two moments of a still camera apart (see MotionMaps).
//
// Attribute `dedup.signature` (text): one token per kept sample, in time order, separated by
// single spaces; a token is kHashKinds values (hashes, then the motion map) in HashKind order
// separated by '/', each 16 lower-case hex digits. Empty
// text when the clip has no informative sample. See docs/attributes.md.
#pragma once

#include <array>
#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/analyzer.h"
#include "util/hamming.h"
#include "util/status.h"

namespace clipdex {

inline constexpr int kMaxSignatureFrames = 64;

// The views of one sample that are hashed, in signature token order.
enum class HashKind {
  kPlain = 0,           // the content box
  kMirrored = 1,        // the content box mirrored left-right
  kCentre = 2,          // the central centre_fraction of the box
  kMirroredCentre = 3,  // kCentre mirrored
  kInner = 4,           // the central centre_fraction of kCentre (centre_fraction^2 of the box)
  kWindow0 = 5,         // first of kWindows sub-windows of the box (see WindowRect)
  // Gradient hashes (dHash: signs of horizontal differences between 9x8 area means), each an
  // independent second opinion on the pHash of the same region: window relations need both.
  kPlainGradient = 18,    // the content box
  kWindowGradient0 = 19,  // first of kWindows, same windows as kWindow0..
  // Not a hash: where the sample differs from the clip's still background, an 8x8 bitmap of the
  // content box (bit y * 8 + x: cell (x, y) moved; see MotionMap). Two moments of a static
  // camera share the background and so every hash above; what moves in front of it is what
  // tells them apart (signature format 4).
  kMotion = 32,
};
// Sub-windows hashed per sample, so that a crop ANYWHERE in the picture (not only centred) meets
// a stored hash of about the same region: 80 % of each side at a 3x3 grid of positions
// (left/centre/right x top/middle/bottom) and 90 % in the four corners. A pHash moves 15-21 bits
// when a 75-90 % corner crop is scaled back up, but only 3-9 bits against the stored window
// nearest to it. The same windows let a copy with a burned-in logo or subtitles match on the
// windows that leave the overlay out.
inline constexpr int kWindows = 13;
inline constexpr int kBaseHashKinds = 5;                        // the hashes of signature version 1
inline constexpr int kV2HashKinds = kBaseHashKinds + kWindows;  // signature version 2
inline constexpr int kV3HashKinds = kV2HashKinds + 1 + kWindows;  // signature version 3
inline constexpr int kHashKinds = kV3HashKinds + 1;               // version 4: + kMotion

inline HashKind WindowKind(int w) { return static_cast<HashKind>(kBaseHashKinds + w); }
inline HashKind WindowGradientKind(int w) {
  return static_cast<HashKind>(static_cast<int>(HashKind::kWindowGradient0) + w);
}

// Window `w` (0..kWindows-1) of a width x height picture.
cv::Rect WindowRect(int w, int width, int height);

// The hashes of one sample.
struct FrameHash {
  std::array<uint64_t, kHashKinds> h{};
  uint64_t of(HashKind k) const { return h[static_cast<size_t>(k)]; }
  uint64_t& of(HashKind k) { return h[static_cast<size_t>(k)]; }
  bool operator==(const FrameHash&) const = default;
};

// Time-ordered hashes of a clip's informative samples.
struct DupSignature {
  std::vector<FrameHash> frames;
  // True when the window and gradient hashes are set (SignatureOfSamples, or parsed from tokens
  // of the third format, 32 hashes). False for the first format (5 hashes per token), for the
  // second (18: windows without gradient hashes; its window hashes are dropped on parsing, since
  // a window relation on one hash alone merges unrelated still pictures) and for signatures
  // built by hand: such clips match by the base relations only; re-ingest (`clipdex ingest
  // --force`) to give them windows.
  bool has_windows = false;
  // True when every frame's kMotion map is set (format 4, 33 values per token); false for the
  // older formats and hand-built signatures, which then match without the motion test.
  bool has_motion = false;

  // The attribute text ("<hex>/<hex>/.../<hex> <hex>/..."), kHashKinds values per token (32
  // without motion, 5 without windows).
  std::string Format() const;
  // Parses Format()'s output and the older 5-, 18- and 32-hash tokens; a signature must not mix
  // formats. Error: "bad dedup.signature token 'xyz' (expected 33 (or 32, 18, 5) x 16 hex digits
  // separated by '/')".
  static Result<DupSignature> Parse(std::string_view text);
};

struct DupSignatureOptions {
  // Every frame up to 30 fps. Sparse samples fail on lively footage: in the cockatoo clip of
  // ../shared/media/synthetic/dup_* consecutive frames already differ by 5-8 bits, and samples
  // taken 0.12 s apart (the phase offset between a sub-clip's and its source's 4 samples/s) by
  // 9-17, so a sub-clip or a 1.25x copy aligns to its source only when both are hashed densely.
  // 160 px is plenty for a 32x32 hash and keeps the extra conversion cheap.
  double sample_fps = 30.0;
  int long_side = 160;
  // Take only the frames sparse decoding decodes (FrameNeed::sparse_ok) instead of turning it off
  // for the whole video, and stand in for each skipped frame with a blend of its decoded
  // neighbours (FillDecodeGaps), so that clips keep the time grid dense sampling gives them.
  // Off by default: on the tuning half of the near-duplicate families it cost one copy of 143
  // (recall 0.853 -> 0.846, precision 0.983 either way) for 8 % less wall and 12 % less CPU of
  // an ingest with every analyzer on (docs/attributes.md, "Signatures from sparse decoding").
  // Without the blends the precision fell to 0.966 (a sub-clip with fewer samples aligns to
  // another moment); repeating the nearest decoded frame instead gave 0.967.
  bool sparse = false;
  // A row/column is border when every sample is at most this bright along its whole length
  // (black bars after lossy coding are 0-20 in 8-bit luma).
  int border_max_luma = 28;
  // Trim only when the remaining box keeps at least this fraction of each side; a mostly dark
  // picture is then hashed whole instead of being cut down to a sliver.
  double min_box_fraction = 0.4;
  // Standard deviation (0-255 luma) of the 32x32 reduction under which a sample is featureless.
  double min_contrast = 6.0;
  // Structure: of the 63 low-frequency DCT coefficients a pHash compares, at least this many must
  // exceed a tenth of the largest. Smooth gradients (sky, walls, blur) and two-tone layouts have
  // a few dominant coefficients and the rest near zero, so most of their bits sit below the mean
  // and unrelated pictures of that kind hash within a few bits of each other.
  int min_structure = 8;
  // Side fraction of the centred crop hashed as FrameHash::centre.
  double centre_fraction = 0.85;
  // Motion map (HashKind::kMotion): a cell of the 8x8 grid moved when its mean absolute
  // difference from the clip's background (the per-pixel median of its samples, at 32x32) exceeds
  // motion_contrast times the background's standard deviation, and at least motion_min_luma
  // levels. Relative to contrast so that a brightness/contrast change moves no cell.
  double motion_contrast = 0.1;
  double motion_min_luma = 2.0;
};

// The bounding box of non-border content over all `grays` (same size, CV_8UC1); the whole picture
// when nothing is trimmed or the box would be too small.
cv::Rect ContentBox(const std::vector<cv::Mat>& grays, const DupSignatureOptions& options);

// How many of the 63 low-frequency DCT coefficients of a 32x32 grey picture exceed a tenth of
// the largest (0..63); see DupSignatureOptions::min_structure.
int StructureOf(const cv::Mat& small32);

// Hashes of one grey picture (already cut to its content box); nullopt when it is featureless.
std::optional<FrameHash> HashPicture(const cv::Mat& gray, const DupSignatureOptions& options);

// Motion maps of `smalls` (32x32 CV_32F reductions of one clip's samples, in time order): per
// sample, the 8x8 cells that differ from the clip's background (see DupSignatureOptions).
std::vector<uint64_t> MotionMaps(const std::vector<cv::Mat>& smalls,
                                 const DupSignatureOptions& options);

// The pictures of `frames` on the time grid dense sampling at `sample_fps` would give: where
// sparse decoding skipped frames (an index jump of 2..8 whose time gap holds more than one
// sampling step), blends of the two decoded neighbours, weighted by position, stand in for the
// missing samples. Frames at or above the sampling step apart are passed through unchanged, so
// dense input (also from sources faster than sample_fps) comes back as it was.
std::vector<cv::Mat> FillDecodeGaps(const std::vector<AnalysisFrame>& frames, double sample_fps);

// Hashes of a whole clip's grey samples (content box, hashing, subsampling to
// kMaxSignatureFrames). Used by the analyzer and by tests that build clips in memory.
DupSignature SignatureOfSamples(const std::vector<cv::Mat>& grays,
                                const DupSignatureOptions& options);

class DupSignatureAnalyzer : public ClipAnalyzer {
 public:
  explicit DupSignatureAnalyzer(DupSignatureOptions options = {}) : options_(options) {}
  std::string name() const override { return "dedup_signature"; }
  FrameNeed need() const override;
  // Emits dedup.signature (text, see above).
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

 private:
  DupSignatureOptions options_;
};

}  // namespace clipdex
