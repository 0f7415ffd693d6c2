// The gradual-transition half of ShotDetector (docs/shots.md, "Gradual transitions"): candidate
// windows, their regions, and the verification and classification of each region. The cut half
// and the frame ring are in shot_detector.cpp.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "shots/blend_progress.h"
#include "shots/region_check.h"
#include "shots/shot_detector.h"
#include "shots/shot_tuning.h"
#include "shots/slide_fit.h"
#include "util/stats.h"

namespace clipdex {

using namespace shot_tuning;

void ShotDetector::ScanGradualWindows(long t) {
  Entry* b = At(t);
  if (b == nullptr) return;
  const double s = opt_.sensitivity > 0 ? opt_.sensitivity : 1.0;
  for (int len : lengths_) {
    long a_idx = t - len;
    Entry* a = At(a_idx);
    if (a == nullptr) break;
    if (WindowIsTransition(a_idx, len, s) || WindowIsSlide(a_idx, len, s)) {
      AddWindowToRegion(a_idx, t);
    }
  }
}

// The tests run cheapest first; most windows fail one of the first two.
bool ShotDetector::WindowIsTransition(long a_idx, int len, double s) {
  Entry* a = At(a_idx);
  Entry* b = At(a_idx + len);
  const double span = Diff(*a, *b);
  if (span < opt_.gradual_min_diff / s) return false;
  // No single step may carry the change (that is a cut, possibly next to a gradual one).
  double max_step = 0;
  for (long k = a_idx + 1; k <= a_idx + len; ++k) max_step = std::max(max_step, At(k)->sig.diff);
  if (max_step > 0.4 * span) return false;
  double p[3];
  for (int q = 0; q < 3; ++q) {
    Entry* m = At(a_idx + (q + 1) * len / 4);
    if (Betweenness(*a, *m, *b, &p[q]) > opt_.gradual_max_error * s) return false;
  }
  // The change must progress from a towards b inside the window, and be under way at the
  // middle rather than over in the first or last quarter.
  if (!(p[0] <= p[1] + 0.05 && p[1] <= p[2] + 0.05 && p[2] - p[0] > 0.25)) return false;
  if (p[1] < 0.15 || p[1] > 0.85) return false;
  if (HistogramDistance(*a, *b) < 0.15 / s) return false;
  // A transition replaces the whole picture; a subject moving over a still background
  // changes only part of it.
  if (ChangedFraction(*a, *b) < 0.7 / s) return false;
  // A dissolve fits a blend of the ends; a wipe does not (each pixel is at one end or the
  // other), so a frame whose changing pixels nearly all sit at an endpoint passes as a wipe.
  double blend_err = 0;
  for (int q = 0; q < 3; ++q) {
    Entry* m = At(a_idx + (q + 1) * len / 4);
    double at_end = 0;
    if (BlendResidual(*a, *m, *b, &at_end) > opt_.gradual_max_blend_error * s &&
        at_end < kWipeWindowAtEndFraction) {
      return false;
    }
    if (q == 1) blend_err = last_blend_abs_error_;
  }
  if (LightingChange(*a, *b)) return false;
  // Motion explains the half-way frame at least as well as a blend: a pan or tilt.
  Entry* mid = At(a_idx + len / 2);
  if (std::min(ShiftedDifference(*a, *mid), ShiftedDifference(*b, *mid)) <= blend_err) return false;
  return true;
}

// A slide moves the outgoing picture steadily out of the frame: the frames at a quarter, half
// and three quarters of the window are slide composites of its ends in one direction, at
// growing offsets, and the half-way one is under way. The ends must differ like two shots (the
// histogram, the 8x4 grid and lighting tests of WindowIsTransition).
bool ShotDetector::WindowIsSlide(long a_idx, int len, double s) {
  Entry* a = At(a_idx);
  Entry* b = At(a_idx + len);
  if (Diff(*a, *b) < opt_.gradual_min_diff / s) return false;
  if (HistogramDistance(*a, *b) < 0.15 / s) return false;
  if (ChangedFraction(*a, *b) < 0.7 / s) return false;
  double progress[3];
  int direction = -1;
  for (int q : {1, 0, 2}) {  // the half-way frame first: most windows fail there
    Entry* m = At(a_idx + (q + 1) * len / 4);
    const SlideFit fit = FitSlide(a->tiny, m->tiny, b->tiny, kSlideMaxResidual);
    if (fit.residual > kSlideMaxResidual * fit.plain || fit.seam < kSlideMinSeam) return false;
    if (direction >= 0 && fit.direction != direction) return false;
    direction = fit.direction;
    progress[q] = fit.progress;
  }
  if (!(progress[0] < progress[1] && progress[1] < progress[2] && progress[1] >= 0.2 &&
        progress[1] <= 0.8)) {
    return false;
  }
  return !LightingChange(*a, *b) && !MotionExplainsSlide(*a, *At(a_idx + len / 2), *b);
}

bool ShotDetector::RegionIsSlide(long p, long q) {
  const Entry& mid = *At((p + q) / 2);
  const SlideFit fit = FitSlide(At(p)->tiny, mid.tiny, At(q)->tiny, kSlideMaxResidual);
  return fit.residual <= kSlideMaxResidual * fit.plain && fit.seam >= kSlideMinSeam &&
         fit.progress >= 0.2 && fit.progress <= 0.8 && !MotionExplainsSlide(*At(p), mid, *At(q));
}

// A pan or tilt also makes every in-between frame a shifted end picture, with new content
// entering at one edge: when one shifted end explains the half-way frame about as well as the
// slide does, it is motion inside one shot.
bool ShotDetector::MotionExplainsSlide(const Entry& a, const Entry& m, const Entry& b) const {
  const SlideFit fit = FitSlide(a.tiny, m.tiny, b.tiny);
  const double moved = std::min(ShiftedDifference(a, m), ShiftedDifference(b, m));
  return fit.residual >= kSlideMaxResidual * moved;
}

void ShotDetector::AddWindowToRegion(long a_idx, long t) {
  if (!has_region_) {
    has_region_ = true;
    region_ = {a_idx, t, {}};
  } else if (a_idx <= region_.end) {
    region_.start = std::min(region_.start, a_idx);
    region_.end = std::max(region_.end, t);
  } else {
    Region done = std::move(region_);
    region_ = {a_idx, t, {}};
    FinalizeRegion(done);
  }
  region_.windows.push_back({a_idx, t});
}

void ShotDetector::FinalizeRegion(const Region& region) {
  // Split at still stretches (e.g. the black between a fade-out and a later fade-in), then
  // trim still frames off both ends, keeping one pure endpoint on each side.
  const long min_still = std::max(3L, static_cast<long>(std::lround(0.25 * fps_)));
  std::vector<std::pair<long, long>> pieces;
  long piece_start = region.start;
  long still_run = 0;
  for (long i = region.start + 1; i <= region.end; ++i) {
    Entry* e = At(i);
    if (e == nullptr) continue;
    if (std::string_view(e->sig.verdict) == "cut") {
      // A hard cut inside the region separates two candidate transitions.
      pieces.push_back({piece_start, i - 1 - (still_run >= min_still ? still_run : 0)});
      piece_start = i;
      still_run = 0;
      continue;
    }
    if (e->sig.diff < kStaticDiff) {
      ++still_run;
    } else {
      if (still_run >= min_still) {
        pieces.push_back({piece_start, i - still_run - 1});
        piece_start = i - 1;
      }
      still_run = 0;
    }
  }
  pieces.push_back({piece_start, region.end});
  std::vector<std::pair<long, long>> split;
  for (auto [p, q] : pieces) SplitAtCoverageDips(region, p, q, &split);
  for (auto [p, q] : split) {
    while (p < q && At(p + 1) && At(p + 1)->sig.diff < kStaticDiff) ++p;
    while (q > p && At(q) && At(q)->sig.diff < kStaticDiff) --q;
    if (q - p < 2) continue;
    Transition t;
    if (VerifyAndClassify(p, q, &t)) Emit(t);
  }
}

// Two transitions closer than the longest window merge into one region: windows of the first
// reach into the shot between them, windows of the second reach back into it. Each transition
// is covered by many passing windows, the shot between them only by the few that reach into
// it, so the region splits where the coverage drops well below the peaks on both sides.
void ShotDetector::SplitAtCoverageDips(const Region& region, long p, long q,
                                       std::vector<std::pair<long, long>>* out) {
  if (q - p < 8) {
    out->push_back({p, q});
    return;
  }
  std::vector<int> cover(q - p + 1, 0);
  for (auto [a, t] : region.windows) {
    for (long i = std::max(a, p); i <= std::min(t, q); ++i) ++cover[i - p];
  }
  const int n = static_cast<int>(cover.size());
  // Running maxima from both sides: a dip must have a peak on each side.
  std::vector<int> left(n), right(n);
  for (int i = 0; i < n; ++i) left[i] = std::max(i > 0 ? left[i - 1] : 0, cover[i]);
  for (int i = n - 1; i >= 0; --i) right[i] = std::max(i + 1 < n ? right[i + 1] : 0, cover[i]);
  int best = -1;
  double best_ratio = kRegionSplitDip;
  for (int i = 3; i < n - 3; ++i) {
    const int peak = std::min(left[i], right[i]);
    if (peak <= 0) continue;
    const double ratio = double(cover[i]) / peak;
    if (ratio < best_ratio) {
      best_ratio = ratio;
      best = i;
    }
  }
  if (best < 0) {
    // Windows reaching far into moving content on either side cover the ends thinly: trim
    // the piece to where the coverage is a real fraction of its peak.
    const int peak = left[n - 1];
    int first = 0, last = n - 1;
    while (first < last && cover[first] < kRegionTrimCover * peak) ++first;
    while (last > first && cover[last] < kRegionTrimCover * peak) --last;
    out->push_back({p + first, p + last});
    return;
  }
  SplitAtCoverageDips(region, p, p + best, out);
  SplitAtCoverageDips(region, p + best + 1, q, out);
}

bool ShotDetector::VerifyAndClassify(long p, long q, Transition* out) {
  Entry* a = At(p);
  Entry* b = At(q);
  if (a == nullptr || b == nullptr) return false;
  const double s = opt_.sensitivity > 0 ? opt_.sensitivity : 1.0;
  double span = Diff(*a, *b);
  if (span < opt_.gradual_min_diff / s) return false;
  // The frame closest to the half-way point, and the darkest/brightest frames inside.
  long mid = (p + q) / 2;
  double best = 1e9;
  double darkest = 1e9, brightest = -1;
  long darkest_i = p, brightest_i = p;
  for (long i = p + 1; i < q; ++i) {
    Entry* m = At(i);
    double prog;
    Betweenness(*a, *m, *b, &prog);
    if (std::fabs(prog - 0.5) < best) {
      best = std::fabs(prog - 0.5);
      mid = i;
    }
    if (m->sig.mean_y < darkest) {
      darkest = m->sig.mean_y;
      darkest_i = i;
    }
    if (m->sig.mean_y > brightest) {
      brightest = m->sig.mean_y;
      brightest_i = i;
    }
  }
  auto is_black = [](const Entry& e) { return e.sig.mean_y < 32 && e.sig.std_y < 10; };
  auto is_white = [](const Entry& e) { return e.sig.mean_y > 215 && e.sig.std_y < 10; };
  TransitionType type;
  if (is_black(*a) && !is_black(*b)) {
    type = TransitionType::kFadeIn;
  } else if (is_black(*b) && !is_black(*a)) {
    type = TransitionType::kFadeOut;
  } else if (is_white(*a) && !is_white(*b)) {
    type = TransitionType::kFadeIn;
  } else if (is_white(*b) && !is_white(*a)) {
    type = TransitionType::kFadeOut;
  } else if (is_black(*At(darkest_i))) {
    type = TransitionType::kFadeThroughBlack;
  } else if (is_white(*At(brightest_i))) {
    type = TransitionType::kFadeThroughWhite;
  } else if (RegionIsSlide(p, q)) {
    type = TransitionType::kWipe;
  } else {
    // The through-black/white fades fail the betweenness test on purpose, so only blends and
    // wipes get here: check the half-way frame is itself between the endpoints.
    Entry* m = At(mid);
    double err = Betweenness(*a, *m, *b, nullptr);
    if (err > 1.5 * opt_.gradual_max_error * s)
      return false;  // endpoints further apart than in a window
    // Wipe: most changing pixels already sit at one endpoint; dissolve: they sit in between.
    int moving = 0, at_end = 0;
    for (size_t i = 0; i < a->tiny.y.size(); ++i) {
      int ab = std::abs(int(a->tiny.y[i]) - int(b->tiny.y[i]));
      if (ab < 24) continue;
      ++moving;
      int da = std::abs(int(m->tiny.y[i]) - int(a->tiny.y[i]));
      int db = std::abs(int(m->tiny.y[i]) - int(b->tiny.y[i]));
      if (std::min(da, db) < ab / 5) ++at_end;
    }
    const double at_end_fraction = moving > 0 ? double(at_end) / moving : 0.0;
    // A wipe's half-way frame is made of endpoint pixels; a dissolve's of in-between values.
    // Anything else is new content entering the picture (a tilt revealing the ground, a
    // subject walking in), not a transition.
    if (at_end_fraction >= kWipeAtEndFraction) {
      type = TransitionType::kWipe;
    } else if (at_end_fraction <= 0.45) {
      type = TransitionType::kDissolve;
    } else {
      return false;
    }
  }
  if (type == TransitionType::kWipe || type == TransitionType::kDissolve) {
    // Like a cut, no dissolve or wipe within --min-shot of the file's start: decoder start-up
    // and an opening shot still settling are no shot of their own.
    if (p < std::lround(opt_.min_shot_seconds * fps_)) return false;
  }
  // A dissolve mixes the two pictures at a steadily growing weight; camera motion that looks
  // like a blend stalls, jumps and drifts back (every such region of the tuning half was a
  // dissolve; wipes are left alone).
  if (type == TransitionType::kDissolve) {
    std::vector<double> weights;
    for (long i = p; i <= q; ++i) weights.push_back(BlendWeight(a->tiny, At(i)->tiny, b->tiny));
    const BlendProgress progress = MeasureBlendProgress(weights);
    if (progress.min_rate < kMinProgressRate || progress.max_two_step > kMaxTwoStepProgress) {
      return false;
    }
  }
  // A dark object sweeping past the lens or a bright one passing through the picture looks
  // like a wipe or a dissolve, but the old picture comes back: within a second after the end
  // some frame matches the start again, or within a second before the start some frame
  // already matches the end. Fades are exempt (black or white ends match each other).
  if (type == TransitionType::kWipe || type == TransitionType::kDissolve) {
    const long reach = std::lround(kRevertSeconds * fps_);
    for (long k = 1; k <= reach; ++k) {
      const Entry* later = At(q + k);
      if (later != nullptr && Diff(*a, *later) < kRevertFraction * span) return false;
      const Entry* earlier = At(p - k);
      if (earlier != nullptr && Diff(*earlier, *b) < kRevertFraction * span) return false;
    }
  }
  if ((opt_.region_check || region_sink_) &&
      (type == TransitionType::kWipe || type == TransitionType::kDissolve)) {
    RegionRecord record;
    record.wipe = type == TransitionType::kWipe;
    record.first_frame = p;
    record.last_frame = q;
    record.features = RegionFeatures(p, q, record.wipe);
    // Dissolves only: every wipe region of the tuning half was a real wipe (docs/shots.md).
    if (!record.wipe) {
      record.check_score = RegionCheckScore(record.features);
      record.kept = !opt_.region_check || RegionCheckPasses(record.check_score);
    }
    if (region_sink_) region_sink_(record);
    if (!record.kept) return false;
  }
  for (long i = p; i <= q; ++i) At(i)->sig.verdict = "gradual";
  out->type = type;
  out->first_frame = p;
  out->last_frame = q;
  out->first_time = a->time;
  out->last_time = b->time;
  out->score = span;
  return true;
}

}  // namespace clipdex
