#include "analyze/dup_signature.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace clipdex {
namespace {

constexpr int kHashSide = 32;  // PHash's working size: its DCT runs on 32x32

// The 8x8 lowest-frequency coefficients of the orthonormal 2-D DCT-II of a 32x32 picture (what
// cv::dct computes, cut to the block a pHash reads), as two small matrix products: 8x32 by 32x32
// by 32x8 is ~10k multiply-adds, where the full transform plus PHash's own conversions and
// allocations cost several times that, 18 times per sample.
using Dct8 = std::array<float, 64>;  // row-major: [u * 8 + v], u vertical, v horizontal frequency

const std::array<float, 8 * kHashSide>& DctBasis() {
  static const std::array<float, 8 * kHashSide> basis = [] {
    std::array<float, 8 * kHashSide> b{};
    const double pi = std::acos(-1.0);
    for (int u = 0; u < 8; ++u) {
      const double a = std::sqrt((u == 0 ? 1.0 : 2.0) / kHashSide);
      for (int x = 0; x < kHashSide; ++x) {
        b[u * kHashSide + x] =
            static_cast<float>(a * std::cos(pi * (2 * x + 1) * u / (2.0 * kHashSide)));
      }
    }
    return b;
  }();
  return basis;
}

Dct8 LowDct(const float* px) {  // px: 32x32 row-major
  // The innermost loops run over the 8 output frequencies (independent sums), not over the 32
  // inputs of one sum: without -ffast-math a compiler may not reorder a float sum, so one long
  // sum runs serially, while eight side by side vectorise.
  static const std::array<float, kHashSide* 8> basis_t = [] {
    std::array<float, kHashSide * 8> t{};
    const auto& d = DctBasis();
    for (int v = 0; v < 8; ++v) {
      for (int x = 0; x < kHashSide; ++x) t[x * 8 + v] = d[v * kHashSide + x];
    }
    return t;
  }();
  // t[y][v] = sum_x px[y][x] d[v][x]
  std::array<float, kHashSide * 8> t{};
  for (int y = 0; y < kHashSide; ++y) {
    float* ty = t.data() + y * 8;
    const float* row = px + y * kHashSide;
    for (int x = 0; x < kHashSide; ++x) {
      const float p = row[x];
      const float* dx = basis_t.data() + x * 8;
      for (int v = 0; v < 8; ++v) ty[v] += p * dx[v];
    }
  }
  // c[u][v] = sum_y d[u][y] t[y][v]
  const auto& d = DctBasis();
  Dct8 c{};
  for (int u = 0; u < 8; ++u) {
    float* cu = c.data() + u * 8;
    for (int y = 0; y < kHashSide; ++y) {
      const float duy = d[u * kHashSide + y];
      const float* ty = t.data() + y * 8;
      for (int v = 0; v < 8; ++v) cu[v] += duy * ty[v];
    }
  }
  return c;
}

// cv::img_hash::PHash's bits from the low coefficients: the DC term set to zero, each of the 64
// compared with their mean; coefficient (u, v) is bit v of byte u, byte 0 the most significant.
// `mirrored`: the hash of the picture flipped left-right, whose coefficients are these with the
// odd horizontal frequencies negated (cos is odd about the centre for odd v), so no second
// transform is needed.
uint64_t PHashBits(const Dct8& c, bool mirrored) {
  Dct8 k = c;
  k[0] = 0;
  if (mirrored) {
    for (int u = 0; u < 8; ++u) {
      for (int v = 1; v < 8; v += 2) k[u * 8 + v] = -k[u * 8 + v];
    }
  }
  float mean = 0;
  for (float x : k) mean += x;
  mean /= 64.0f;
  uint64_t h = 0;
  for (int u = 0; u < 8; ++u) {
    for (int v = 0; v < 8; ++v) {
      if (k[u * 8 + v] > mean) h |= uint64_t{1} << (8 * (7 - u) + v);
    }
  }
  return h;
}

int StructureOfDct(const Dct8& c) {
  float largest = 0;
  for (int i = 1; i < 64; ++i) largest = std::max(largest, std::abs(c[i]));
  int n = 0;
  for (int i = 1; i < 64; ++i) n += std::abs(c[i]) > 0.1f * largest ? 1 : 0;
  return n;
}

// Area-averaged reductions of any rectangle of one picture, from one integral image. The
// integral of a picture that is constant over each pixel is bilinear inside each pixel, so
// bilinear interpolation of the integral image gives it exactly at fractional positions, and a
// cell's mean is four such look-ups: the same numbers as cv::resize(INTER_AREA), for all 16
// pHash views and the gradient hashes of a sample from one pass over its pixels, instead of one
// resize per view.
class AreaReducer {
 public:
  explicit AreaReducer(const cv::Mat& gray) { cv::integral(gray, sum_, CV_64F); }

  // `cols` x `rows` cell means of `r`, row-major into out; rounded to 8-bit levels when `round`
  // (as INTER_AREA's 8-bit output, so the pHashes match the resize they replace).
  void Reduce(const cv::Rect& r, int cols, int rows, bool round, float* out) const {
    std::array<int, kHashSide + 1> ix{}, iy{};
    std::array<double, kHashSide + 1> fx{}, fy{};
    for (int c = 0; c <= cols; ++c)
      Split(r.x + static_cast<double>(r.width) * c / cols, sum_.cols - 1, &ix[c], &fx[c]);
    for (int c = 0; c <= rows; ++c)
      Split(r.y + static_cast<double>(r.height) * c / rows, sum_.rows - 1, &iy[c], &fy[c]);
    // F at every grid point, one row of grid points at a time.
    std::array<double, kHashSide + 1> above{}, below{};
    auto grid_row = [&](int gy, std::array<double, kHashSide + 1>* f) {
      const double* s0 = sum_.ptr<double>(iy[gy]);
      const double* s1 = sum_.ptr<double>(std::min(iy[gy] + 1, sum_.rows - 1));
      const double wy = fy[gy];
      for (int c = 0; c <= cols; ++c) {
        const int x = ix[c];
        const int x1 = std::min(x + 1, sum_.cols - 1);
        const double top = s0[x] + (s0[x1] - s0[x]) * fx[c];
        const double bottom = s1[x] + (s1[x1] - s1[x]) * fx[c];
        (*f)[c] = top + (bottom - top) * wy;
      }
    };
    const double cell =
        static_cast<double>(r.width) * r.height / (static_cast<double>(cols) * rows);
    grid_row(0, &above);
    for (int y = 0; y < rows; ++y) {
      grid_row(y + 1, &below);
      for (int c = 0; c < cols; ++c) {
        const double mean = (below[c + 1] - below[c] - above[c + 1] + above[c]) / cell;
        out[y * cols + c] =
            round ? static_cast<float>(std::nearbyint(mean)) : static_cast<float>(mean);
      }
      std::swap(above, below);
    }
  }

 private:
  static void Split(double v, int last, int* i, double* f) {
    v = std::clamp(v, 0.0, static_cast<double>(last));
    *i = std::min(static_cast<int>(v), last);
    *f = v - *i;
  }
  cv::Mat sum_;  // (rows + 1) x (cols + 1), CV_64F
};

// Gradient hash (dHash) of a region: the region reduced to 9x8 cells, bit (y, x) set when cell
// (y, x + 1) is brighter than cell (y, x). It reads signs of local differences where the pHash
// reads signs of global frequency content, so two unrelated pictures that collide on one rarely
// collide on the other; a window match then needs both (dedup.h, window relations).
uint64_t GradientHash(const AreaReducer& reducer, const cv::Rect& r) {
  std::array<float, 9 * 8> g{};
  reducer.Reduce(r, 9, 8, /*round=*/false, g.data());
  uint64_t h = 0;
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      if (g[y * 9 + x + 1] > g[y * 9 + x]) h |= uint64_t{1} << (y * 8 + x);
    }
  }
  return h;
}

void AppendHex(uint64_t v, std::string* out) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  out->append(buf, 16);
}

bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.size() != 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// First and one-past-last index whose count of bright pixels exceeds `min_count`.
std::pair<int, int> ContentRange(const cv::Mat& counts, int min_count) {
  const int n = static_cast<int>(counts.total());
  const int* c = counts.ptr<int>();
  int lo = 0, hi = n;
  while (lo < n && c[lo] <= min_count) ++lo;
  while (hi > lo && c[hi - 1] <= min_count) --hi;
  return {lo, hi};
}

}  // namespace

int StructureOf(const cv::Mat& small) {
  cv::Mat f;
  cv::resize(small, f, cv::Size(kHashSide, kHashSide), 0, 0, cv::INTER_AREA);
  f.convertTo(f, CV_32F);
  if (!f.isContinuous()) f = f.clone();
  return StructureOfDct(LowDct(f.ptr<float>()));
}

cv::Rect WindowRect(int w, int width, int height) {
  // 0..8: 80 % windows on a 3x3 grid (row-major from the top left); 9..12: 90 % windows in the
  // corners (top left, top right, bottom left, bottom right).
  const bool grid = w < 9;
  const double side = grid ? 0.8 : 0.9;
  const int ww = std::max(1, static_cast<int>(std::lround(width * side)));
  const int wh = std::max(1, static_cast<int>(std::lround(height * side)));
  const int gx = grid ? w % 3 : ((w - 9) % 2) * 2;
  const int gy = grid ? w / 3 : ((w - 9) / 2) * 2;
  return cv::Rect((width - ww) * gx / 2, (height - wh) * gy / 2, ww, wh);
}

std::string DupSignature::Format() const {
  std::string out;
  const int kinds = has_motion ? kHashKinds : has_windows ? kV3HashKinds : kBaseHashKinds;
  out.reserve(frames.size() * (17 * static_cast<size_t>(kinds)));
  for (const FrameHash& f : frames) {
    if (!out.empty()) out += ' ';
    for (int k = 0; k < kinds; ++k) {
      if (k > 0) out += '/';
      AppendHex(f.h[k], &out);
    }
  }
  return out;
}

Result<DupSignature> DupSignature::Parse(std::string_view text) {
  DupSignature sig;
  int kinds = 0;  // hashes per token, fixed by the first token: a signature is one format
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view token = text.substr(pos, end - pos);
    FrameHash f;
    int token_kinds = 0;
    for (int k : {kBaseHashKinds, kV2HashKinds, kV3HashKinds, kHashKinds}) {
      if (token.size() == static_cast<size_t>(17 * k - 1)) token_kinds = k;
    }
    if (kinds == 0) kinds = token_kinds;
    bool ok = token_kinds != 0 && token_kinds == kinds;
    for (int k = 0; ok && k < token_kinds; ++k) {
      ok = (k == 0 || token[17 * k - 1] == '/') && ParseHex(token.substr(17 * k, 16), &f.h[k]);
    }
    if (!ok) {
      return Status::Error("bad dedup.signature token '" + std::string(token.substr(0, 90)) +
                           "' (expected " + std::to_string(kHashKinds) +
                           " (or 32, 18, 5) x 16 hex digits separated by '/')");
    }
    // The single-hash window hashes of the second format are not read: window relations need
    // the gradient hashes that came with the third (see has_windows).
    if (token_kinds == kV2HashKinds) {
      for (int k = kBaseHashKinds; k < kHashKinds; ++k) f.h[k] = 0;
    }
    sig.frames.push_back(f);
    pos = end;
  }
  sig.has_windows = kinds >= kV3HashKinds;
  sig.has_motion = kinds == kHashKinds;
  return sig;
}

cv::Rect ContentBox(const std::vector<cv::Mat>& grays, const DupSignatureOptions& options) {
  if (grays.empty() || grays.front().empty()) return {};
  const cv::Size size = grays.front().size();
  const cv::Rect whole(0, 0, size.width, size.height);
  // A pixel is content if it is bright in any sample; borders are dark in all of them.
  cv::Mat bright = cv::Mat::zeros(size, CV_8UC1), mask;
  for (const cv::Mat& g : grays) {
    if (g.size() != size || g.type() != CV_8UC1) return whole;
    cv::compare(g, options.border_max_luma, mask, cv::CMP_GT);
    bright |= mask;
  }
  cv::Mat row_counts, col_counts;
  cv::reduce(bright / 255, row_counts, 1, cv::REDUCE_SUM, CV_32S);
  cv::reduce(bright / 255, col_counts, 0, cv::REDUCE_SUM, CV_32S);
  // Tolerate 1% stray bright pixels on a border line (a logo corner, coding noise).
  const auto [top, bottom] = ContentRange(row_counts, size.width / 100);
  const auto [left, right] = ContentRange(col_counts, size.height / 100);
  const cv::Rect box(left, top, right - left, bottom - top);
  if (box.width < options.min_box_fraction * size.width ||
      box.height < options.min_box_fraction * size.height) {
    return whole;
  }
  return box;
}

namespace {

// HashPicture, also handing out the 32x32 reduction of the whole picture (CV_32F) in `small`
// when given, featureless or not: the motion maps reuse it instead of reducing every sample again.
std::optional<FrameHash> HashAndReduce(const cv::Mat& gray, const DupSignatureOptions& options,
                                       cv::Mat* small) {
  if (gray.empty()) return std::nullopt;
  const AreaReducer reducer(gray);
  std::array<float, kHashSide * kHashSide> px{};
  auto low_dct = [&](const cv::Rect& r) {
    reducer.Reduce(r, kHashSide, kHashSide, /*round=*/true, px.data());
    return LowDct(px.data());
  };
  const cv::Rect whole(0, 0, gray.cols, gray.rows);
  const Dct8 plain = low_dct(whole);
  if (small) cv::Mat(kHashSide, kHashSide, CV_32F, px.data()).copyTo(*small);
  // Contrast of the 32x32 reduction (population standard deviation, as cv::meanStdDev).
  double sum = 0, sum2 = 0;
  for (float v : px) {
    sum += v;
    sum2 += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(px.size());
  const double var = std::max(0.0, sum2 / n - (sum / n) * (sum / n));
  if (std::sqrt(var) < options.min_contrast) return std::nullopt;
  if (StructureOfDct(plain) < options.min_structure) return std::nullopt;
  auto centre_of = [&](const cv::Rect& r) {
    const int w = std::max(1, static_cast<int>(std::lround(r.width * options.centre_fraction)));
    const int h = std::max(1, static_cast<int>(std::lround(r.height * options.centre_fraction)));
    return cv::Rect(r.x + (r.width - w) / 2, r.y + (r.height - h) / 2, w, h);
  };
  const Dct8 centre = low_dct(centre_of(whole));
  FrameHash f;
  f.of(HashKind::kPlain) = PHashBits(plain, false);
  f.of(HashKind::kMirrored) = PHashBits(plain, true);
  f.of(HashKind::kCentre) = PHashBits(centre, false);
  f.of(HashKind::kMirroredCentre) = PHashBits(centre, true);
  f.of(HashKind::kInner) = PHashBits(low_dct(centre_of(centre_of(whole))), false);
  f.of(HashKind::kPlainGradient) = GradientHash(reducer, whole);
  for (int w = 0; w < kWindows; ++w) {
    const cv::Rect r = WindowRect(w, gray.cols, gray.rows);
    f.of(WindowKind(w)) = PHashBits(low_dct(r), false);
    f.of(WindowGradientKind(w)) = GradientHash(reducer, r);
  }
  return f;
}

}  // namespace

std::optional<FrameHash> HashPicture(const cv::Mat& gray, const DupSignatureOptions& options) {
  return HashAndReduce(gray, options, nullptr);
}

std::vector<uint64_t> MotionMaps(const std::vector<cv::Mat>& smalls,
                                 const DupSignatureOptions& options) {
  std::vector<uint64_t> maps(smalls.size(), 0);
  if (smalls.empty()) return maps;
  // The background: per pixel, the median over the samples (what stays put most of the time).
  cv::Mat background(kHashSide, kHashSide, CV_32F);
  std::vector<float> column(smalls.size());
  for (int i = 0; i < kHashSide * kHashSide; ++i) {
    for (size_t s = 0; s < smalls.size(); ++s) column[s] = smalls[s].ptr<float>()[i];
    std::nth_element(column.begin(), column.begin() + column.size() / 2, column.end());
    background.ptr<float>()[i] = column[column.size() / 2];
  }
  cv::Scalar mean, stddev;
  cv::meanStdDev(background, mean, stddev);
  const double threshold = std::max(options.motion_min_luma, options.motion_contrast * stddev[0]);
  constexpr int kCell = kHashSide / 8;
  for (size_t s = 0; s < smalls.size(); ++s) {
    const float* px = smalls[s].ptr<float>();
    const float* bg = background.ptr<float>();
    uint64_t map = 0;
    for (int cy = 0; cy < 8; ++cy) {
      for (int cx = 0; cx < 8; ++cx) {
        double sum = 0;
        for (int y = cy * kCell; y < (cy + 1) * kCell; ++y) {
          for (int x = cx * kCell; x < (cx + 1) * kCell; ++x) {
            sum += std::abs(px[y * kHashSide + x] - bg[y * kHashSide + x]);
          }
        }
        if (sum / (kCell * kCell) > threshold) map |= uint64_t{1} << (cy * 8 + cx);
      }
    }
    maps[s] = map;
  }
  return maps;
}

DupSignature SignatureOfSamples(const std::vector<cv::Mat>& grays,
                                const DupSignatureOptions& options) {
  DupSignature sig;
  sig.has_windows = true;
  sig.has_motion = true;
  if (grays.empty()) return sig;
  // Subsample first: hashing samples that are dropped afterwards would be wasted work.
  std::vector<size_t> keep;
  const size_t n = grays.size();
  const size_t m = std::min<size_t>(n, kMaxSignatureFrames);
  for (size_t i = 0; i < m; ++i) keep.push_back(m == 1 ? 0 : i * (n - 1) / (m - 1));
  std::vector<cv::Mat> kept;
  for (size_t i : keep) kept.push_back(grays[i]);
  const cv::Rect box = ContentBox(kept, options);
  std::vector<cv::Mat> smalls;  // 32x32 of every sample, for the motion maps
  std::vector<size_t> informative;
  for (const cv::Mat& g : kept) {
    if (g.empty()) continue;
    const cv::Rect roi = box & cv::Rect(0, 0, g.cols, g.rows);
    const cv::Mat content = roi.area() > 0 ? g(roi) : g;
    cv::Mat small;
    if (auto h = HashAndReduce(content, options, &small)) {
      informative.push_back(smalls.size());
      sig.frames.push_back(*h);
    }
    smalls.push_back(std::move(small));
  }
  const std::vector<uint64_t> maps = MotionMaps(smalls, options);
  for (size_t i = 0; i < sig.frames.size(); ++i) {
    sig.frames[i].of(HashKind::kMotion) = maps[informative[i]];
  }
  // A clip that is mostly featureless is featureless: its few passing samples sit just above
  // the thresholds, and those are the ones that collide across unrelated clips.
  if (sig.frames.size() * 2 < kept.size()) sig.frames.clear();
  return sig;
}

std::vector<cv::Mat> FillDecodeGaps(const std::vector<AnalysisFrame>& frames, double sample_fps) {
  // Sparse decoding skips runs of non-reference frames (1-3 in practice); a longer jump is not
  // a decoding gap, and blending across it would invent pictures.
  constexpr long kMaxGapFrames = 8;
  const double step = 1.0 / sample_fps;
  std::vector<cv::Mat> out;
  out.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i > 0) {
      const AnalysisFrame& before = frames[i - 1];
      const AnalysisFrame& after = frames[i];
      const long gap = after.index - before.index;
      const double dt = after.time - before.time;
      if (gap > 1 && gap <= kMaxGapFrames && dt > 0 && before.image.size() == after.image.size() &&
          before.image.type() == after.image.type()) {
        // One step per skipped frame, but never finer than dense sampling would take.
        const double unit = std::max(step, dt / static_cast<double>(gap));
        const int fills = static_cast<int>(std::lround(dt / unit)) - 1;
        for (int k = 1; k <= fills; ++k) {
          const double w = static_cast<double>(k) / (fills + 1);
          cv::Mat blend;
          cv::addWeighted(before.image, 1.0 - w, after.image, w, 0.0, blend);
          out.push_back(std::move(blend));
        }
      }
    }
    out.push_back(frames[i].image);
  }
  return out;
}

FrameNeed DupSignatureAnalyzer::need() const {
  FrameNeed need{options_.sample_fps, /*pairs=*/false, options_.long_side, /*gray=*/true};
  need.sparse_ok = options_.sparse;
  return need;
}

void DupSignatureAnalyzer::Analyze(const ClipSpan& /*clip*/,
                                   const std::vector<AnalysisFrame>& frames,
                                   std::vector<Attribute>* out) {
  std::vector<cv::Mat> grays;
  if (options_.sparse) {
    grays = FillDecodeGaps(frames, options_.sample_fps);
  } else {
    grays.reserve(frames.size());
    for (const AnalysisFrame& f : frames) grays.push_back(f.image);
  }
  out->push_back(Attribute::Text("dedup.signature", SignatureOfSamples(grays, options_).Format()));
}

}  // namespace clipdex
