#include "analyze/camera_motion.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "util/stats.h"

namespace clipdex {

std::string CameraSpeedLabel(const std::string& movement, double diagonals_per_second) {
  if (movement == "static" || movement == "unknown") return "none";
  // Thresholds in diagonals / s; at 1280x720, 25 fps: slow < ~3 px/frame, fast > ~9 px/frame.
  return diagonals_per_second < 0.05 ? "slow" : diagonals_per_second < 0.15 ? "medium" : "fast";
}
namespace {

constexpr double kDiag720p = 1468.6;  // sqrt(1280^2 + 720^2)

// The four label components of one pair, all as "diagonals per second" so they compare: a
// translation directly, a zoom or roll as the displacement it causes at the frame corner
// (half a diagonal from the centre).
struct Components {
  double pan = 0, tilt = 0, zoom = 0, roll = 0;
};

Components ToComponents(const PairMotion& p, double w_over_d, double h_over_d) {
  return {p.pan * w_over_d, p.tilt * h_over_d, 0.5 * p.zoom, 0.5 * p.roll};
}

// A global fit of one pair: where the camera moved the picture.
struct SimilarityFit {
  cv::Mat m;  // 2x3 similarity; empty when none was found or its scale is implausible
  std::vector<uchar> inlier;
  double inlier_fraction = 0;
};

SimilarityFit FitSimilarity(const std::vector<cv::Point2f>& g0, const std::vector<cv::Point2f>& g1,
                            double tolerance_px) {
  SimilarityFit fit;
  fit.m = cv::estimateAffinePartial2D(g0, g1, fit.inlier, cv::RANSAC, tolerance_px, 2000, 0.995);
  if (fit.m.empty()) return fit;
  const double scale = std::hypot(fit.m.at<double>(0, 0), fit.m.at<double>(1, 0));
  if (!(scale > 0.5 && scale < 2.0)) {
    fit.m = cv::Mat();
    return fit;
  }
  int n = 0;
  for (uchar v : fit.inlier) n += v ? 1 : 0;
  fit.inlier_fraction = double(n) / g0.size();
  return fit;
}

// A pure translation (a similarity without zoom or roll), for the coarse fallback: on blurred,
// sparse tracks a zoom or roll estimate is noise. Every point's move is a hypothesis (at most
// max_corners, so all of them are tried); the one that most moves agree with within the
// tolerance wins, and the result is the mean of those moves.
SimilarityFit FitTranslation(const std::vector<cv::Point2f>& g0, const std::vector<cv::Point2f>& g1,
                             double tolerance_px) {
  SimilarityFit fit;
  const size_t n = g0.size();
  if (n == 0) return fit;
  std::vector<cv::Point2f> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = g1[i] - g0[i];
  const double tol2 = tolerance_px * tolerance_px;
  size_t best = 0;
  int best_count = -1;
  for (size_t i = 0; i < n; ++i) {
    int count = 0;
    for (size_t j = 0; j < n; ++j) {
      const cv::Point2f e = d[j] - d[i];
      count += e.dot(e) <= tol2;
    }
    if (count > best_count) {
      best_count = count;
      best = i;
    }
  }
  cv::Point2d mean(0, 0);
  fit.inlier.assign(n, 0);
  for (size_t j = 0; j < n; ++j) {
    const cv::Point2f e = d[j] - d[best];
    if (e.dot(e) > tol2) continue;
    fit.inlier[j] = 1;
    mean += cv::Point2d(d[j]);
  }
  mean /= best_count;
  fit.m = (cv::Mat_<double>(2, 3) << 1, 0, mean.x, 0, 1, mean.y);
  fit.inlier_fraction = double(best_count) / n;
  return fit;
}

// Mean displacement the similarity `m` gives the points, pixels.
double MeanDisplacement(const cv::Mat& m, const std::vector<cv::Point2f>& pts) {
  const double ma = m.at<double>(0, 0), mb = m.at<double>(1, 0);
  const double tx = m.at<double>(0, 2), ty = m.at<double>(1, 2);
  double sum = 0;
  for (const cv::Point2f& p : pts) {
    sum += std::hypot(ma * p.x - mb * p.y + tx - p.x, mb * p.x + ma * p.y + ty - p.y);
  }
  return pts.empty() ? 0.0 : sum / pts.size();
}

constexpr int kGrid = 4;  // 4x4 cells: 12 on the frame border, 4 inside
constexpr int kBorderCells = 4 * kGrid - 4;

bool IsBorderCell(int c) {
  const int gx = c % kGrid, gy = c / kGrid;
  return gx == 0 || gy == 0 || gx == kGrid - 1 || gy == kGrid - 1;
}

int CellOf(const cv::Point2f& p, double w, double h) {
  const int gx = std::clamp(static_cast<int>(p.x / w * kGrid), 0, kGrid - 1);
  const int gy = std::clamp(static_cast<int>(p.y / h * kGrid), 0, kGrid - 1);
  return gy * kGrid + gx;
}

// Of the grid cells that hold tracked points, the fraction that also hold inliers: a camera
// move is seen all over the frame, a subject in one part of it.
double CellSpread(const std::vector<cv::Point2f>& pts, const std::vector<uchar>& inlier, double w,
                  double h) {
  bool any[kGrid * kGrid] = {}, in[kGrid * kGrid] = {};
  for (size_t i = 0; i < pts.size(); ++i) {
    const int c = CellOf(pts[i], w, h);
    any[c] = true;
    in[c] = in[c] || inlier[i];
  }
  int n_any = 0, n_in = 0;
  for (int c = 0; c < kGrid * kGrid; ++c) {
    n_any += any[c];
    n_in += in[c];
  }
  return n_any > 0 ? double(n_in) / n_any : 0.0;
}

// Segments of the frame border (a strip a sixth of the frame deep all round: 4 segments along
// the top and the bottom, 2 down each side) where "nothing moved" (b == a) explains b clearly
// better than the fit (b == a warped by m), and the other way round. All pixels count, not
// only corners, so weak background texture (a wall's edge, asphalt) has its say; segments
// with no texture, or where the two differ by little, abstain. A subject framed inside the
// picture touches few of them (a talking head's shoulders: the middle of the bottom strip).
struct BorderVotes {
  int still = 0, moving = 0;
};

BorderVotes VoteBorder(const cv::Mat& a, const cv::Mat& b, const cv::Mat& m) {
  const int w = a.cols, h = a.rows;
  cv::Mat warped, e_fit, e_still, inside;
  cv::warpAffine(a, warped, m, a.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::absdiff(b, warped, e_fit);
  cv::absdiff(b, a, e_still);
  // Only pixels the fit brings in from inside `a` count; the rest the warp made up.
  cv::warpAffine(cv::Mat(a.size(), CV_8UC1, cv::Scalar(255)), inside, m, a.size(),
                 cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar(0));
  const int dx = w / 6, dy = h / 6;
  std::vector<cv::Rect> segments;
  for (int k = 0; k < 4; ++k) {
    const int x0 = k * w / 4, x1 = (k + 1) * w / 4;
    segments.emplace_back(x0, 0, x1 - x0, dy);
    segments.emplace_back(x0, h - dy, x1 - x0, dy);
  }
  for (int k = 0; k < 2; ++k) {
    const int y0 = dy + k * (h - 2 * dy) / 2, y1 = dy + (k + 1) * (h - 2 * dy) / 2;
    segments.emplace_back(0, y0, dx, y1 - y0);
    segments.emplace_back(w - dx, y0, dx, y1 - y0);
  }
  BorderVotes votes;
  for (const cv::Rect& r : segments) {
    if (cv::countNonZero(inside(r)) < r.area() / 4) continue;
    const double fit = cv::mean(e_fit(r), inside(r))[0];
    const double still = cv::mean(e_still(r), inside(r))[0];
    // 20 % and half a grey level: more than interpolation blur and compression noise.
    if (still < 0.8 * fit && fit - still > 0.5) ++votes.still;
    if (fit < 0.8 * still && still - fit > 0.5) ++votes.moving;
  }
  return votes;
}

// Zoom and roll must earn their place: on the inliers, the similarity's residual has to be
// clearly below that of a pure shift (the inliers' mean move); else the shift is kept. Tracks
// that slide on smooth gradients under sensor noise otherwise fit a small zoom or roll that
// survives the time median; a real zoom of 0.2 %/frame moves the points near the frame edge
// several times the tracking error.
void KeepZoomAndRollOnlyIfTheyExplain(const std::vector<cv::Point2f>& g0,
                                      const std::vector<cv::Point2f>& g1, double min_gain,
                                      SimilarityFit* fit) {
  if (fit->m.empty()) return;
  cv::Point2d shift(0, 0);
  int n = 0;
  for (size_t i = 0; i < g0.size(); ++i) {
    if (!fit->inlier[i]) continue;
    shift += cv::Point2d(g1[i] - g0[i]);
    ++n;
  }
  if (n < 3) return;
  shift /= n;
  const cv::Mat& m = fit->m;
  const double ma = m.at<double>(0, 0), mb = m.at<double>(1, 0);
  const double tx = m.at<double>(0, 2), ty = m.at<double>(1, 2);
  double sim = 0, trans = 0;
  for (size_t i = 0; i < g0.size(); ++i) {
    if (!fit->inlier[i]) continue;
    const cv::Point2d p(g0[i]), q(g1[i]);
    sim +=
        std::pow(ma * p.x - mb * p.y + tx - q.x, 2) + std::pow(mb * p.x + ma * p.y + ty - q.y, 2);
    trans += std::pow(p.x + shift.x - q.x, 2) + std::pow(p.y + shift.y - q.y, 2);
  }
  if (sim >= min_gain * min_gain * trans) {
    fit->m = (cv::Mat_<double>(2, 3) << 1, 0, shift.x, 0, 1, shift.y);
  }
}

}  // namespace

PairMotion EstimatePairMotion(const cv::Mat& a, const cv::Mat& b, double dt,
                              const CameraMotionOptions& o) {
  PairMotion out;
  if (a.empty() || b.empty() || a.size() != b.size() || a.type() != CV_8UC1) return out;
  if (!(dt > 0)) dt = 1.0 / 25;
  const double w = a.cols, h = a.rows, diag = std::hypot(w, h);
  // Spacing scales with the frame so the point budget covers the whole picture, not one corner.
  const double min_distance = std::max(4.0, diag / 60);
  std::vector<cv::Point2f> p0;
  // Full-size corners: from a half-size picture they cost a quarter, but land off the finest
  // texture, and on a real handheld phone clip the motion read from them came out 15 % lower
  // (its shake fell under the handheld threshold).
  cv::goodFeaturesToTrack(a, p0, o.max_corners, o.corner_quality, min_distance);
  if (static_cast<int>(p0.size()) < o.min_tracked) return out;
  // Identical textured frames (a still, or repeats the pipeline could not pass over) carry no
  // motion evidence for this moment; the caller decides from the neighbours.
  if (SamePicture(a, b)) {
    out.duplicate = true;
    return out;
  }

  const cv::TermCriteria term(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 10, 0.03);
  // Both pyramids (with derivatives) are built once, padded for the larger window, and serve
  // every pass below; calcOpticalFlowPyrLK would otherwise build each twice per pass.
  const int pad = std::max(o.lk_window, o.wide_lk_window);
  std::vector<cv::Mat> pyr_a, pyr_b;
  const int levels = cv::buildOpticalFlowPyramid(a, pyr_a, cv::Size(pad, pad), 3, true);
  cv::buildOpticalFlowPyramid(b, pyr_b, cv::Size(pad, pad), 3, true);
  std::vector<cv::Point2f> p1, back;
  std::vector<uchar> st1, st2;
  std::vector<float> error;
  float half = 0;
  // The fast pass: forward only, a small window; a track counts when LK converged and the
  // patches match (mean absolute difference at most fast_max_patch_error grey levels).
  auto track_fast = [&](int window) {
    const cv::Size win(window, window);
    cv::calcOpticalFlowPyrLK(pyr_a, pyr_b, p0, p1, st1, error, win, levels, term);
    back = p0;  // no backward pass: every track "returns" exactly
    st2.assign(st1.size(), 1);
    for (size_t i = 0; i < error.size(); ++i) st2[i] = error[i] <= o.fast_max_patch_error;
    half = (window - 1) / 2.0f;
  };
  // The careful pass: forward and back, no per-point error output (the forward-backward check
  // is the quality test).
  auto track_both_ways = [&](int window) {
    const cv::Size win(window, window);
    cv::calcOpticalFlowPyrLK(pyr_a, pyr_b, p0, p1, st1, cv::noArray(), win, levels, term);
    cv::calcOpticalFlowPyrLK(pyr_b, pyr_a, p1, back, st2, cv::noArray(), win, levels, term);
    half = (window - 1) / 2.0f;
  };
  // Without the error output (careful pass), LK keeps tracks that end more than half a window
  // outside the frame; drop them as it does when it computes the error.
  auto in_reach = [&](const cv::Point2f& p) {
    return p.x >= -half - 1 && p.y >= -half - 1 && p.x < w + half && p.y < h + half;
  };
  // Points whose forward-backward disagreement is at most `fb_px`.
  auto tracks = [&](double fb_px, std::vector<cv::Point2f>* g0, std::vector<cv::Point2f>* g1) {
    for (size_t i = 0; i < p0.size(); ++i) {
      if (!st1[i] || !st2[i] || !in_reach(p1[i]) || !in_reach(back[i])) continue;
      const cv::Point2f d = back[i] - p0[i];
      if (d.dot(d) > fb_px * fb_px) continue;
      g0->push_back(p0[i]);
      g1->push_back(p1[i]);
    }
  };
  std::vector<cv::Point2f> g0, g1;
  SimilarityFit fit;
  // The strict fit: tight forward-backward agreement and RANSAC tolerance.
  auto strict_fit = [&]() {
    g0.clear();
    g1.clear();
    tracks(o.fb_max_error_px, &g0, &g1);
    out.tracked = static_cast<int>(g0.size());
    fit = SimilarityFit();
    if (out.tracked >= o.min_tracked) fit = FitSimilarity(g0, g1, o.ransac_px);
    out.inliers = fit.inlier_fraction;
    return !fit.m.empty() && fit.inlier_fraction >= o.min_inlier_fraction;
  };
  track_fast(o.lk_window);
  bool fitted = strict_fit();
  if (!fitted) {
    // Weak texture, blur, noise, a large move or a lighting change: forward-backward tracks
    // with a larger window, which sees more of the texture and follows larger moves. Only
    // these pairs pay for it; they are read as with this careful pass alone.
    out.careful = true;
    track_both_ways(o.wide_lk_window);
    fitted = strict_fit();
  }
  double tolerance = o.ransac_px;
  if (!fitted) {
    // Low texture plus fast motion (underwater, night, motion blur): the strict fit finds no
    // consensus. Retry with looser tracks and tolerance, but trust only a large move that the
    // whole frame agrees on; anything else stays unknown.
    std::vector<cv::Point2f> c0, c1;
    tracks(o.coarse_fb_px, &c0, &c1);
    if (static_cast<int>(c0.size()) < o.min_tracked) return out;
    // LK's error grows with the move (blur, large displacement): the tolerance grows with the
    // median track length.
    std::vector<double> lengths;
    for (size_t i = 0; i < c0.size(); ++i) lengths.push_back(cv::norm(c1[i] - c0[i]));
    tolerance = std::max(o.coarse_ransac_px, o.coarse_ransac_fraction * Median(lengths));
    SimilarityFit coarse = FitTranslation(c0, c1, tolerance);
    if (coarse.m.empty() || coarse.inlier_fraction < o.min_inlier_fraction) return out;
    if (MeanDisplacement(coarse.m, c0) < o.coarse_min_px ||
        CellSpread(c0, coarse.inlier, w, h) < o.coarse_min_spread) {
      return out;
    }
    g0.swap(c0);
    g1.swap(c1);
    fit = std::move(coarse);
    out.tracked = static_cast<int>(g0.size());
    out.inliers = fit.inlier_fraction;
    out.coarse = true;
  }

  if (!out.coarse) KeepZoomAndRollOnlyIfTheyExplain(g0, g1, o.min_similarity_gain, &fit);

  // A subject that carries most of the corners (a talking head, a car crossing a car park) can
  // win the fit while the camera stands still. Signs: a good share of the points did not move
  // and the fit contradicts them, or the fit's inliers stay off the frame border (a plain wall
  // has no corners to contradict it). Then the border, where the background is, decides: if
  // the unmoved picture explains it better than the fit, the camera is still.
  int still_outliers = 0;
  bool inlier_cell[kGrid * kGrid] = {};
  for (size_t i = 0; i < g0.size(); ++i) {
    const cv::Point2f d = g1[i] - g0[i];
    still_outliers += d.dot(d) <= tolerance * tolerance && !fit.inlier[i];
    if (fit.inlier[i]) inlier_cell[CellOf(g0[i], w, h)] = true;
  }
  int border_inlier_cells = 0;
  for (int c = 0; c < kGrid * kGrid; ++c) border_inlier_cells += inlier_cell[c] && IsBorderCell(c);
  const bool off_border = border_inlier_cells < kBorderCells / 2;
  if ((still_outliers >= o.still_outlier_fraction * out.tracked || off_border) &&
      MeanDisplacement(fit.m, g0) > tolerance) {
    const BorderVotes votes = VoteBorder(a, b, fit.m);
    if (votes.still >= o.min_still_border_cells && votes.still >= 2 * votes.moving) {
      fit.m = cv::Mat::eye(2, 3, CV_64F);
      out.still_background = true;
    }
  }

  const cv::Mat& m = fit.m;
  const double ma = m.at<double>(0, 0), mb = m.at<double>(1, 0);
  const double tx = m.at<double>(0, 2), ty = m.at<double>(1, 2);
  const double scale = std::hypot(ma, mb);
  // Translation of the frame centre, not of the (0,0) corner the matrix is written about:
  // a centred zoom moves the corner but not the centre.
  const double cx = w / 2, cy = h / 2;
  const double ctx = ma * cx - mb * cy + tx - cx;
  const double cty = mb * cx + ma * cy + ty - cy;
  out.pan = ctx / w / dt;
  out.tilt = cty / h / dt;
  out.zoom = std::log(scale) / dt;
  out.roll = std::atan2(mb, ma) / dt;  // y points down, so a positive angle turns clockwise

  double cam = 0, raw = 0, residual = 0;
  for (size_t i = 0; i < g0.size(); ++i) {
    const cv::Point2f& p = g0[i];
    const cv::Point2d fp(ma * p.x - mb * p.y + tx, mb * p.x + ma * p.y + ty);
    cam += std::hypot(fp.x - p.x, fp.y - p.y);
    raw += std::hypot(g1[i].x - p.x, g1[i].y - p.y);
    const double r = std::hypot(g1[i].x - fp.x, g1[i].y - fp.y);
    // Only displacement the fit cannot explain counts as subject motion; inlier noise does not.
    // A mean (not a median) so a subject smaller than half the tracked points still registers.
    if (r > tolerance) residual += r;
  }
  const double n = double(g0.size());
  out.px_per_frame = cam / n;
  out.camera = cam / n / diag / dt;
  out.overall = raw / n / diag / dt;
  out.subject = residual / n / diag / dt;
  out.valid = true;
  return out;
}

FrameNeed CameraMotionAnalyzer::need() const {
  return FrameNeed{options_.sample_fps, /*pairs=*/true, options_.long_side, /*gray=*/true};
}

void CameraMotionAnalyzer::Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                                   std::vector<Attribute>* out) {
  pairs_.clear();
  labels_.clear();
  segments_.clear();
  // A still image has no camera movement at all; "static" would be a claim about a video.
  if (clip.is_image) return;
  std::vector<double> dts;
  cv::Size size;
  for (const AnalysisFrame& f : frames) {
    if (f.next_image.empty()) continue;
    cv::Mat a = f.image, b = f.next_image;
    if (a.channels() == 3) cv::cvtColor(a, a, cv::COLOR_BGR2GRAY);
    if (b.channels() == 3) cv::cvtColor(b, b, cv::COLOR_BGR2GRAY);
    const double dt = f.next_time - f.time;
    PairMotion p = EstimatePairMotion(a, b, dt, options_);
    p.time = f.time;
    // Sparse decoding may pair a frame with one two or three frames later: rates per second
    // already account for it, per-frame displacements are divided by the frames spanned.
    const long steps = f.next_index > f.index ? f.next_index - f.index : 1;
    p.px_per_frame /= static_cast<double>(steps);
    pairs_.push_back(p);
    if (dt > 0) dts.push_back(dt / static_cast<double>(steps));
    size = a.size();
  }
  if (pairs_.empty()) return;
  const double frame_dt = dts.empty() ? 1.0 / 25 : Median(dts);
  const double diag = std::hypot(size.width, size.height);
  const double w_over_d = size.width / diag, h_over_d = size.height / diag;
  // Diagonals/s -> analysis pixels per frame, for the tracker noise floor.
  const double to_px = diag * frame_dt;
  const CameraMotionOptions& o = options_;
  const int n = static_cast<int>(pairs_.size());

  // 1. Per-sample labels. Directions come from a median over ~5 samples (1.7 s at 3 pairs/s) so a
  //    single bad fit does not flip a pan; handheld comes from the spread of the raw velocities
  //    in a ~1.5 s window: shake is large velocity change with little mean velocity.
  // A duplicate pair is the same picture even after the pipeline passed over up to
  // kMaxRepeatedPairFrames repeats (frame-rate conversion): the picture held still, so it is a
  // measurement of zero motion (its components are 0). A textureless pair measures nothing.
  auto measured = [&](int j) { return pairs_[j].valid || pairs_[j].duplicate; };
  std::vector<Components> comp(n);
  for (int i = 0; i < n; ++i) comp[i] = ToComponents(pairs_[i], w_over_d, h_over_d);
  labels_.assign(n, "unknown");
  std::vector<double> speed(n, 0.0);  // the magnitude behind each sample's label, diagonals / s
  std::vector<Components> smooth(n);
  std::vector<bool> has_smooth(n, false);
  for (int i = 0; i < n; ++i) {
    std::vector<double> pan, tilt;
    for (int j = std::max(0, i - 2); j <= std::min(n - 1, i + 2); ++j) {
      if (!measured(j)) continue;
      pan.push_back(comp[j].pan);
      tilt.push_back(comp[j].tilt);
    }
    if (pan.empty()) continue;
    smooth[i].pan = Median(pan);
    smooth[i].tilt = Median(tilt);
    has_smooth[i] = true;
  }
  for (int i = 0; i < n; ++i) {
    // The median keeps a pan whose window has a stray duplicate, and a window of mostly
    // duplicates is static. A textureless pair stays unknown.
    if (!measured(i)) continue;
    std::vector<double> pan, tilt, zoom, roll;
    for (int j = std::max(0, i - 2); j <= std::min(n - 1, i + 2); ++j) {
      if (!measured(j)) continue;
      pan.push_back(comp[j].pan);
      tilt.push_back(comp[j].tilt);
      zoom.push_back(comp[j].zoom);
      roll.push_back(comp[j].roll);
    }
    const Components s{Median(pan), Median(tilt), Median(zoom), Median(roll)};

    // Shake = high-frequency velocity: what a 5-sample running median (which keeps the steps
    // where a pan starts or stops) does not follow, large against the smoothed velocity.
    double sq = 0;
    int k = 0;
    for (int j = std::max(0, i - 4); j <= std::min(n - 1, i + 4); ++j) {
      if (!measured(j) || !has_smooth[j]) continue;
      sq += std::pow(comp[j].pan - smooth[j].pan, 2) + std::pow(comp[j].tilt - smooth[j].tilt, 2);
      ++k;
    }
    const double jitter = k >= 3 ? std::sqrt(sq / k) : 0.0;
    const double typical_speed = std::hypot(s.pan, s.tilt);
    if (jitter > o.handheld_jitter && jitter * to_px > 2 * o.min_px_per_frame &&
        jitter > o.handheld_ratio * typical_speed) {
      labels_[i] = "handheld";
      speed[i] = jitter;
      continue;
    }

    const double mags[4] = {std::abs(s.pan), std::abs(s.tilt), std::abs(s.zoom), std::abs(s.roll)};
    const int best = static_cast<int>(std::max_element(mags, mags + 4) - mags);
    if (mags[best] < o.move_threshold || mags[best] * to_px < o.min_px_per_frame) {
      labels_[i] = "static";
      continue;
    }
    speed[i] = mags[best];
    switch (best) {
      case 0:
        labels_[i] = s.pan > 0 ? "pan_left" : "pan_right";
        break;
      case 1:
        labels_[i] = s.tilt > 0 ? "tilt_up" : "tilt_down";
        break;
      case 2:
        labels_[i] = s.zoom > 0 ? "zoom_in" : "zoom_out";
        break;
      default:
        labels_[i] = s.roll > 0 ? "roll_ccw" : "roll_cw";
        break;
    }
  }

  // 2. Each sample stands for the time around it; runs of one label become segments.
  std::vector<double> t0(n), t1(n);
  for (int i = 0; i < n; ++i) {
    t0[i] = i == 0 ? clip.start_time : 0.5 * (pairs_[i - 1].time + pairs_[i].time);
    t1[i] = i == n - 1 ? std::max(clip.end_time, pairs_[i].time)
                       : 0.5 * (pairs_[i].time + pairs_[i + 1].time);
  }
  struct Run {
    std::string label;
    int first, last;
  };
  std::vector<Run> runs;
  for (int i = 0; i < n; ++i) {
    if (!runs.empty() && runs.back().label == labels_[i]) {
      runs.back().last = i;
    } else {
      runs.push_back({labels_[i], i, i});
    }
  }
  auto duration = [&](const Run& r) { return t1[r.last] - t0[r.first]; };
  // 3. Absorb runs shorter than the minimum into a neighbour, shortest first; the longer
  //    neighbour wins because a brief blip is more likely a mis-fit than a real move.
  while (runs.size() > 1) {
    size_t shortest = 0;
    for (size_t r = 1; r < runs.size(); ++r) {
      if (duration(runs[r]) < duration(runs[shortest])) shortest = r;
    }
    if (duration(runs[shortest]) >= o.min_segment_seconds) break;
    size_t into;
    if (shortest == 0) {
      into = 1;
    } else if (shortest == runs.size() - 1) {
      into = shortest - 1;
    } else {
      into = duration(runs[shortest - 1]) >= duration(runs[shortest + 1]) ? shortest - 1
                                                                          : shortest + 1;
    }
    Run& target = runs[into];
    target.first = std::min(target.first, runs[shortest].first);
    target.last = std::max(target.last, runs[shortest].last);
    runs.erase(runs.begin() + shortest);
    // Neighbours that now share a label become one run.
    for (size_t r = 1; r < runs.size();) {
      if (runs[r].label == runs[r - 1].label) {
        runs[r - 1].last = runs[r].last;
        runs.erase(runs.begin() + r);
      } else {
        ++r;
      }
    }
  }
  for (const Run& r : runs) {
    for (int i = r.first; i <= r.last; ++i) labels_[i] = r.label;
  }

  std::map<std::string, double> covered;
  double shaky = 0;
  for (const Run& r : runs) {
    MotionSegment seg;
    seg.label = r.label;
    seg.start = t0[r.first];
    seg.end = t1[r.last];
    double sum = 0;
    int k = 0;
    for (int i = r.first; i <= r.last; ++i) {
      if (!pairs_[i].valid) continue;
      sum += pairs_[i].camera;
      ++k;
    }
    seg.rate = k > 0 ? sum / k : 0;
    seg.px_per_frame_720p = seg.rate * kDiag720p * frame_dt;
    segments_.push_back(seg);
    covered[r.label] += seg.end - seg.start;
    // Short directional bursts inside shaky footage (a whip, a lurch) are part of the shake.
    const bool directional = r.label != "static" && r.label != "unknown" && r.label != "handheld";
    if (r.label == "handheld" || (directional && seg.end - seg.start < 1.5)) {
      shaky += seg.end - seg.start;
    }
  }

  // 4. Clip-level label: the label covering most of the clip's *known* time (stretches too
  // textureless to measure are no evidence either way), if it covers enough.
  const double total =
      std::max(1e-9, t1[n - 1] - t0[0] - (covered.count("unknown") ? covered["unknown"] : 0.0));
  std::string dominant;
  double best_cover = -1;
  for (const auto& [label, d] : covered) {
    if (label == "unknown" && d < total) continue;
    if (d > best_cover) {
      best_cover = d;
      dominant = label;
    }
  }
  // "unknown" wins only when it covers more than the known time; its coverage is then its share
  // of the whole clip (against the known time it would exceed 1).
  const double coverage =
      dominant == "unknown" ? best_cover / std::max(1e-9, t1[n - 1] - t0[0]) : best_cover / total;
  int valid = 0;
  for (const PairMotion& p : pairs_) valid += p.valid ? 1 : 0;
  const double valid_fraction = double(valid) / n;
  std::string movement = coverage >= o.dominant_fraction ? dominant : "mixed";
  // No dominant label, but shake plus short bursts fill the clip: handheld footage.
  if (movement == "mixed" && shaky >= o.dominant_fraction * total && covered.count("handheld")) {
    movement = "handheld";
  }
  const double confidence =
      movement == "mixed" ? valid_fraction * (1.0 - coverage) : valid_fraction * coverage;

  std::vector<double> label_speeds, cam, subj, overall;
  for (int i = 0; i < n; ++i) {
    if (!pairs_[i].valid) continue;
    if (movement == "mixed" || labels_[i] == movement) label_speeds.push_back(speed[i]);
    cam.push_back(pairs_[i].camera);
    subj.push_back(pairs_[i].subject);
    overall.push_back(pairs_[i].overall);
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / v.size();
  };
  const double speed_value = Median(label_speeds);
  const std::string speed_text = CameraSpeedLabel(movement, speed_value);

  nlohmann::json segs = nlohmann::json::array();
  for (const MotionSegment& s : segments_) {
    segs.push_back({{"label", s.label},
                    {"start", std::round(s.start * 1000) / 1000},
                    {"end", std::round(s.end * 1000) / 1000},
                    {"rate", std::round(s.rate * 1e5) / 1e5},
                    {"px_per_frame_720p", std::round(s.px_per_frame_720p * 100) / 100}});
  }
  out->push_back(Attribute::Text("camera.movement", movement));
  out->push_back(Attribute::Num("camera.confidence", confidence));
  out->push_back(Attribute::Text("camera.speed", speed_text));
  out->push_back(Attribute::Num("camera.speed_value", speed_value));
  out->push_back(Attribute::Text("camera.segments", segs.dump()));
  if (valid > 0) {
    out->push_back(Attribute::Num("motion.camera", mean(cam)));
    out->push_back(Attribute::Num("motion.subject", mean(subj)));
    out->push_back(Attribute::Num("motion.overall", mean(overall)));
  }
}

}  // namespace clipdex
