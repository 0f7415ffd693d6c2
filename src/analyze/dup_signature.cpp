#include "analyze/dup_signature.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

namespace clipdex {
namespace {

constexpr int kHashSide = 32;  // PHash's working size: its DCT runs on 32x32

uint64_t ToUint64(const cv::Mat& hash_bytes) {
  uint64_t v = 0;
  for (int i = 0; i < hash_bytes.cols; ++i) v = (v << 8) | hash_bytes.at<uint8_t>(0, i);
  return v;
}

uint64_t PHashOf(const cv::Mat& small) {
  // PHash keeps no state between calls; one instance per thread spares the allocation.
  thread_local cv::Ptr<cv::img_hash::PHash> phash = cv::img_hash::PHash::create();
  cv::Mat bytes;
  phash->compute(small, bytes);
  return ToUint64(bytes);
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
  cv::Mat f, coeffs;
  small.convertTo(f, CV_32F);
  cv::dct(f, coeffs);
  float largest = 0;
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      if (x != 0 || y != 0) largest = std::max(largest, std::abs(coeffs.at<float>(y, x)));
    }
  }
  int n = 0;
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      if ((x != 0 || y != 0) && std::abs(coeffs.at<float>(y, x)) > 0.1f * largest) ++n;
    }
  }
  return n;
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
  out.reserve(frames.size() * (17 * kHashKinds));
  const int kinds = has_windows ? kHashKinds : kBaseHashKinds;
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
    // A token of the first format has the 5 base hashes only; a signature is one format.
    const int kinds = token.size() == 17 * kBaseHashKinds - 1 ? kBaseHashKinds : kHashKinds;
    if (sig.frames.empty()) sig.has_windows = kinds == kHashKinds;
    bool ok = token.size() == static_cast<size_t>(17 * kinds - 1) &&
              sig.has_windows == (kinds == kHashKinds);
    for (int k = 0; ok && k < kinds; ++k) {
      ok = (k == 0 || token[17 * k - 1] == '/') && ParseHex(token.substr(17 * k, 16), &f.h[k]);
    }
    if (!ok) {
      return Status::Error("bad dedup.signature token '" + std::string(token.substr(0, 90)) +
                           "' (expected " + std::to_string(kHashKinds) +
                           " (or 5) x 16 hex digits separated by '/')");
    }
    sig.frames.push_back(f);
    pos = end;
  }
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

std::optional<FrameHash> HashPicture(const cv::Mat& gray, const DupSignatureOptions& options) {
  if (gray.empty()) return std::nullopt;
  cv::Mat small;
  cv::resize(gray, small, cv::Size(kHashSide, kHashSide), 0, 0, cv::INTER_AREA);
  cv::Scalar mean, stddev;
  cv::meanStdDev(small, mean, stddev);
  if (stddev[0] < options.min_contrast) return std::nullopt;
  if (StructureOf(small) < options.min_structure) return std::nullopt;
  auto centre_of = [&](const cv::Mat& m) {
    const int w = std::max(1, static_cast<int>(std::lround(m.cols * options.centre_fraction)));
    const int h = std::max(1, static_cast<int>(std::lround(m.rows * options.centre_fraction)));
    return m(cv::Rect((m.cols - w) / 2, (m.rows - h) / 2, w, h));
  };
  auto reduce = [](const cv::Mat& m) {
    cv::Mat out;
    cv::resize(m, out, cv::Size(kHashSide, kHashSide), 0, 0, cv::INTER_AREA);
    return out;
  };
  // PHash resizes to 32x32 itself; given 32x32 that is the identity. Area reduction commutes with
  // mirroring, so mirroring the 32x32 picture is exact and cheap.
  const cv::Mat centre = reduce(centre_of(gray));
  const cv::Mat inner = reduce(centre_of(centre_of(gray)));
  cv::Mat mirrored, mirrored_centre;
  cv::flip(small, mirrored, 1);
  cv::flip(centre, mirrored_centre, 1);
  FrameHash f;
  f.of(HashKind::kPlain) = PHashOf(small);
  f.of(HashKind::kMirrored) = PHashOf(mirrored);
  f.of(HashKind::kCentre) = PHashOf(centre);
  f.of(HashKind::kMirroredCentre) = PHashOf(mirrored_centre);
  f.of(HashKind::kInner) = PHashOf(inner);
  for (int w = 0; w < kWindows; ++w) {
    f.of(WindowKind(w)) = PHashOf(reduce(gray(WindowRect(w, gray.cols, gray.rows))));
  }
  return f;
}

DupSignature SignatureOfSamples(const std::vector<cv::Mat>& grays,
                                const DupSignatureOptions& options) {
  DupSignature sig;
  sig.has_windows = true;
  if (grays.empty()) return sig;
  // Subsample first: hashing samples that are dropped afterwards would be wasted work.
  std::vector<size_t> keep;
  const size_t n = grays.size();
  const size_t m = std::min<size_t>(n, kMaxSignatureFrames);
  for (size_t i = 0; i < m; ++i) keep.push_back(m == 1 ? 0 : i * (n - 1) / (m - 1));
  std::vector<cv::Mat> kept;
  for (size_t i : keep) kept.push_back(grays[i]);
  const cv::Rect box = ContentBox(kept, options);
  for (const cv::Mat& g : kept) {
    if (g.empty()) continue;
    const cv::Rect roi = box & cv::Rect(0, 0, g.cols, g.rows);
    if (auto h = HashPicture(roi.area() > 0 ? g(roi) : g, options)) sig.frames.push_back(*h);
  }
  // A clip that is mostly featureless is featureless: its few passing samples sit just above
  // the thresholds, and those are the ones that collide across unrelated clips.
  if (sig.frames.size() * 2 < kept.size()) sig.frames.clear();
  return sig;
}

FrameNeed DupSignatureAnalyzer::need() const {
  return FrameNeed{options_.sample_fps, /*pairs=*/false, options_.long_side, /*gray=*/true};
}

void DupSignatureAnalyzer::Analyze(const ClipSpan& /*clip*/,
                                   const std::vector<AnalysisFrame>& frames,
                                   std::vector<Attribute>* out) {
  std::vector<cv::Mat> grays;
  grays.reserve(frames.size());
  for (const AnalysisFrame& f : frames) grays.push_back(f.image);
  out->push_back(Attribute::Text("dedup.signature", SignatureOfSamples(grays, options_).Format()));
}

}  // namespace clipdex
