#include "shots/shot_detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "shots/motion_residual.h"
#include "shots/shot_tuning.h"
#include "util/stats.h"

namespace clipdex {

namespace {

using namespace shot_tuning;

// Median of the differences that are not repeats; the raw median when every one is a repeat
// (still footage). Repeats are zeros between the motion steps: leaving them in halves the
// baseline of footage on twos and turns ordinary motion into cut-sized spikes. Dropping values
// below all others can only raise the median, so the cut test only gets stricter.
double MedianOfDistinct(const std::vector<double>& diffs) {
  std::vector<double> distinct;
  for (double d : diffs) {
    if (d >= kRepeatDiff) distinct.push_back(d);
  }
  return Median(distinct.empty() ? diffs : distinct);
}

}  // namespace

ShotDetector::ShotDetector(const ShotDetectorOptions& options, double fps)
    : opt_(options), cut_test_(options) {
  fps_ = (fps > 1.0 && fps < 1000.0) ? std::min(fps, 240.0) : 25.0;
  int lmax = std::max(6, static_cast<int>(std::lround(opt_.max_gradual_seconds * fps_)));
  for (double s : {0.2, 0.33, 0.5, 0.75, 1.0, 1.4, 2.0}) {
    if (s > opt_.max_gradual_seconds + 1e-9) break;
    int l = std::max(4, static_cast<int>(std::lround(s * fps_)));
    if (lengths_.empty() || l > lengths_.back()) lengths_.push_back(l);
  }
  if (lengths_.empty()) lengths_.push_back(lmax);
  // A cut is decided once the frames of its revert test (CutRevertsLater) are in.
  decide_lag_ = std::max(lookahead_, static_cast<int>(std::lround(kCutRevertSeconds * fps_)));
  capacity_ = 3 * lengths_.back() + 2 * lookahead_ + decide_lag_ + 16;
  ring_.resize(capacity_);
}

ShotDetector::Entry* ShotDetector::At(long index) {
  if (index < 0 || index > last_index_) return nullptr;
  Entry& e = ring_[index % capacity_];
  return e.index == index ? &e : nullptr;
}

double TinyDifference(const TinyYuv& a, const TinyYuv& b) {
  long sy = 0;
  for (size_t i = 0; i < a.y.size(); ++i) sy += std::abs(int(a.y[i]) - int(b.y[i]));
  long sc = 0;
  for (size_t i = 0; i < a.u.size(); ++i) {
    sc += std::abs(int(a.u[i]) - int(b.u[i])) + std::abs(int(a.v[i]) - int(b.v[i]));
  }
  double dy = double(sy) / std::max<size_t>(1, a.y.size());
  double dc = double(sc) / std::max<size_t>(1, 2 * a.u.size());
  return (2.0 * dy + dc) / 3.0;
}

double TinyChangedLumaFraction(const TinyYuv& a, const TinyYuv& b) {
  int changed = 0;
  for (size_t i = 0; i < a.y.size(); ++i) {
    if (std::abs(int(a.y[i]) - int(b.y[i])) > 16) ++changed;
  }
  return double(changed) / std::max<size_t>(1, a.y.size());
}

double ShotDetector::Diff(const Entry& a, const Entry& b) const {
  return TinyDifference(a.tiny, b.tiny);
}

// Sum over pixels of (|m-a| + |m-b| - |a-b|) divided by the sum of |a-b|: 0 when every pixel
// of m lies between a and b (a blend or a wipe), large when m shows something else (motion).
double ShotDetector::Betweenness(const Entry& a, const Entry& m, const Entry& b,
                                 double* progress) const {
  long excess = 0, span = 0, to_a = 0, to_b = 0;
  auto plane = [&](const std::vector<uint8_t>& pa, const std::vector<uint8_t>& pm,
                   const std::vector<uint8_t>& pb) {
    for (size_t i = 0; i < pa.size(); ++i) {
      int da = std::abs(int(pm[i]) - int(pa[i]));
      int db = std::abs(int(pm[i]) - int(pb[i]));
      int ab = std::abs(int(pa[i]) - int(pb[i]));
      excess += da + db - ab;
      span += ab;
      to_a += da;
      to_b += db;
    }
  };
  plane(a.tiny.y, m.tiny.y, b.tiny.y);
  plane(a.tiny.u, m.tiny.u, b.tiny.u);
  plane(a.tiny.v, m.tiny.v, b.tiny.v);
  if (progress != nullptr) *progress = to_a + to_b > 0 ? double(to_a) / double(to_a + to_b) : 0.5;
  return span > 0 ? double(excess) / double(span) : 1e9;
}

namespace {

// b ~ gain * a + offset over the luma cells, fitted robustly: least squares, then again without
// the 30% worst cells, so a subject moving through the picture does not decide the gain of the
// background. `err` holds each cell's residual under the final fit. nullopt: too little
// variance (or too few cells) to fit.
struct GainFit {
  double gain = 1, offset = 0;
  std::vector<double> err;
};
std::optional<GainFit> FitGain(const std::vector<uint8_t>& ya, const std::vector<uint8_t>& yb) {
  const size_t n = ya.size();
  std::vector<char> use(n, 1);
  GainFit fit;
  fit.err.assign(n, 0);
  for (int round = 0; round < 2; ++round) {
    double m = 0, sa = 0, sb = 0, saa = 0, sab = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!use[i]) continue;
      m += 1;
      sa += ya[i];
      sb += yb[i];
      saa += double(ya[i]) * ya[i];
      sab += double(ya[i]) * yb[i];
    }
    const double var = saa - sa * sa / m;
    if (m < 10 || var <= 0) return std::nullopt;
    fit.gain = (sab - sa * sb / m) / var;
    fit.offset = (sb - fit.gain * sa) / m;
    for (size_t i = 0; i < n; ++i) fit.err[i] = std::fabs(yb[i] - (fit.gain * ya[i] + fit.offset));
    if (round == 1) break;
    std::vector<double> sorted = fit.err;
    std::nth_element(sorted.begin(), sorted.begin() + n * 7 / 10, sorted.end());
    const double cut = sorted[n * 7 / 10];
    for (size_t i = 0; i < n; ++i) use[i] = fit.err[i] <= cut;
  }
  return fit;
}

}  // namespace

// True when b is a with its brightness and contrast changed (b ~ gain * a + offset for most
// pixels): auto-exposure or a light switched on inside one shot, not a transition. Fades to or
// from a uniform picture are left to the fade logic (a uniform endpoint explains nothing).
bool ShotDetector::LightingChange(const Entry& a, const Entry& b) const {
  if (a.sig.std_y < 5 || b.sig.std_y < 5) return false;
  const auto fit = FitGain(a.tiny.y, b.tiny.y);
  if (!fit) return false;
  long explained = 0;
  for (double e : fit->err) explained += e < 10;
  return explained >= 0.6 * double(fit->err.size());
}

// Fraction of the cells of an 8x4 grid whose mean luma difference exceeds 8: a transition
// replaces the whole picture, while a subject moving (even fast, blurred) over a still
// background leaves part of the grid untouched.
double ShotDetector::ChangedFraction(const Entry& a, const Entry& b) const {
  const int w = a.tiny.width, h = a.tiny.height;
  constexpr int kCols = 8, kRows = 4;
  int changed = 0;
  for (int cy = 0; cy < kRows; ++cy) {
    for (int cx = 0; cx < kCols; ++cx) {
      long sum = 0, n = 0;
      for (int y = cy * h / kRows; y < (cy + 1) * h / kRows; ++y) {
        for (int x = cx * w / kCols; x < (cx + 1) * w / kCols; ++x) {
          sum += std::abs(int(a.tiny.y[y * w + x]) - int(b.tiny.y[y * w + x]));
          ++n;
        }
      }
      if (n > 0 && sum > 8 * n) ++changed;
    }
  }
  return double(changed) / (kCols * kRows);
}

// Half the L1 distance between the normalised luma (16 bins) and chroma (2 x 8 bins)
// histograms, 0 (same colours) .. 1 (disjoint). Different shots rarely share their colours;
// one moving shot mostly does.
double ShotDetector::HistogramDistance(const Entry& a, const Entry& b) const {
  int ha[32] = {0}, hb[32] = {0};
  for (size_t i = 0; i < a.tiny.y.size(); ++i) {
    ++ha[a.tiny.y[i] >> 4];
    ++hb[b.tiny.y[i] >> 4];
  }
  for (size_t i = 0; i < a.tiny.u.size(); ++i) {
    ++ha[16 + (a.tiny.u[i] >> 5)];
    ++hb[16 + (b.tiny.u[i] >> 5)];
    ++ha[24 + (a.tiny.v[i] >> 5)];
    ++hb[24 + (b.tiny.v[i] >> 5)];
  }
  const double ny = std::max<size_t>(1, a.tiny.y.size()), nc = std::max<size_t>(1, a.tiny.u.size());
  double d = 0;
  for (int i = 0; i < 16; ++i) d += std::fabs(ha[i] - hb[i]) / ny;
  double dc = 0;
  for (int i = 16; i < 32; ++i) dc += std::fabs(ha[i] - hb[i]) / nc;
  return 0.5 * (0.5 * d + 0.25 * dc);
}

// How well a globally shifted copy of `a` explains `m` (mean abs luma difference over the
// overlap, best shift near zero or along one axis). Camera or subject motion is explained by a
// shift; a blend of two different pictures is not.
double ShotDetector::ShiftedDifference(const Entry& a, const Entry& m) const {
  const int w = a.tiny.width, h = a.tiny.height;
  auto shifted = [&](int dx, int dy) {
    long sum = 0, n = 0;
    // Every other row: the shift search runs ~120 times per call.
    for (int y = std::max(0, -dy); y < std::min(h, h - dy); y += 2) {
      const uint8_t* ra = &a.tiny.y[size_t(y + dy) * w];
      const uint8_t* rm = &m.tiny.y[size_t(y) * w];
      for (int x = std::max(0, -dx); x < std::min(w, w - dx); ++x) {
        sum += std::abs(int(rm[x]) - int(ra[x + dx]));
        ++n;
      }
    }
    // Require a real overlap so a huge shift cannot "explain" the frame by a sliver.
    return n >= long(w) * h / 6 ? double(sum) / n : 1e9;
  };
  double best = 1e9;
  for (int dy = -3; dy <= 3; ++dy) {
    for (int dx = -3; dx <= 3; ++dx) best = std::min(best, shifted(dx, dy));
  }
  // Pans and tilts move content further than that: search the axes out to a third of the frame.
  for (int dx = -w / 3; dx <= w / 3; ++dx) best = std::min(best, shifted(dx, 0));
  for (int dy = -h / 3; dy <= h / 3; ++dy) best = std::min(best, shifted(0, dy));
  return best;
}

// Least-squares blend fit m ~ b + alpha (a - b); returns the L1 residual relative to the
// L1 size of (a - b), and the fraction of changing pixels that already sit at one endpoint.
double ShotDetector::BlendResidual(const Entry& a, const Entry& m, const Entry& b,
                                   double* at_end_fraction) const {
  double num = 0, den = 0;
  auto fit = [&](const std::vector<uint8_t>& pa, const std::vector<uint8_t>& pm,
                 const std::vector<uint8_t>& pb) {
    for (size_t i = 0; i < pa.size(); ++i) {
      double ab = double(pa[i]) - pb[i];
      num += (double(pm[i]) - pb[i]) * ab;
      den += ab * ab;
    }
  };
  fit(a.tiny.y, m.tiny.y, b.tiny.y);
  fit(a.tiny.u, m.tiny.u, b.tiny.u);
  fit(a.tiny.v, m.tiny.v, b.tiny.v);
  const double alpha = den > 0 ? num / den : 0.5;
  double resid = 0, span = 0;
  long moving = 0, at_end = 0;
  auto measure = [&](const std::vector<uint8_t>& pa, const std::vector<uint8_t>& pm,
                     const std::vector<uint8_t>& pb, bool luma) {
    for (size_t i = 0; i < pa.size(); ++i) {
      double ab = double(pa[i]) - pb[i];
      resid += std::fabs(double(pm[i]) - pb[i] - alpha * ab);
      span += std::fabs(ab);
      if (luma && std::fabs(ab) >= 24) {
        ++moving;
        double da = std::fabs(double(pm[i]) - pa[i]), db = std::fabs(double(pm[i]) - pb[i]);
        if (std::min(da, db) < std::fabs(ab) / 5) ++at_end;
      }
    }
  };
  measure(a.tiny.y, m.tiny.y, b.tiny.y, true);
  measure(a.tiny.u, m.tiny.u, b.tiny.u, false);
  measure(a.tiny.v, m.tiny.v, b.tiny.v, false);
  if (at_end_fraction != nullptr) *at_end_fraction = moving > 0 ? double(at_end) / moving : 0.0;
  last_blend_abs_error_ = resid / std::max<size_t>(1, a.tiny.y.size() + 2 * a.tiny.u.size());
  return span > 0 ? resid / span : 1e9;
}

void ShotDetector::Push(long index, double time, const TinyYuv& frame) {
  last_index_ = index;
  Entry& e = ring_[index % capacity_];
  e.index = index;
  e.time = time;
  e.tiny = frame;
  e.sig = FrameSignals{};
  e.sig.index = index;
  e.sig.time = time;
  double sum = 0, sum2 = 0;
  for (uint8_t v : frame.y) {
    sum += v;
    sum2 += double(v) * v;
  }
  double n = std::max<size_t>(1, frame.y.size());
  e.sig.mean_y = sum / n;
  e.sig.std_y = std::sqrt(std::max(0.0, sum2 / n - e.sig.mean_y * e.sig.mean_y));
  if (Entry* prev = At(index - 1)) {
    e.sig.diff = Diff(*prev, e);
    e.sig.changed = TinyChangedLumaFraction(prev->tiny, frame);
  }
  while (next_cut_check_ <= index - decide_lag_) DecideCut(next_cut_check_++, false);
  if (opt_.detect_gradual) ScanGradualWindows(index);

  // Regions close once no window ending later could still touch them; force-close ones that
  // would outgrow the ring.
  const int lmax = lengths_.back();
  // A region's splitting reads the cut verdicts inside it, so its cuts are decided first.
  if (has_region_ && ((index - region_.end > lmax + lookahead_ && next_cut_check_ > region_.end) ||
                      index - region_.start > capacity_ - lmax - 2 * lookahead_)) {
    has_region_ = false;
    FinalizeRegion(region_);
  }
  long safe = std::min<long>(next_cut_check_ - 1, index - lmax - lookahead_);
  if (has_region_) safe = std::min(safe, region_.start);
  safe_frame_ = std::max(safe_frame_, safe);
  FlushSignals(safe_frame_ - 1);
}

// Evidence beyond the frame difference, asked only for frames that pass the cut test.
bool ShotDetector::CandidateIsCut(const Entry& prev, const Entry& cur) const {
  // Same colours: two windows of one shot (a scrolling texture, a re-encoded pulse) rather than
  // two shots. Adjacent shots of the labelled real clips differ by >= 0.16.
  if (HistogramDistance(prev, cur) < kCutMinHistogram) return false;
  // Motion: a local shift of every block explains most of the change. A uniform frame (black,
  // white) matches anything dark or bright, so it gives no evidence either way.
  if (prev.sig.std_y >= kTexturedStd && cur.sig.std_y >= kTexturedStd) {
    const MotionResidual mc = TinyMotionResidual(prev.tiny, cur.tiny);
    if (mc.ratio() < kCutMinMotionResidual) return false;
  }
  // Flicker, a light switched on, exposure jumping: the new frame is the old one with its
  // brightness and contrast changed, which a histogram and a block search both miss.
  if (prev.sig.std_y >= kTexturedStd && cur.sig.std_y >= kTexturedStd && Relit(prev, cur)) {
    return false;
  }
  return true;
}

// True when cur ~ gain * prev + offset (luma) explains most of the change: a robust least-squares
// fit (refit without the 30% worst pixels, so a subject moving meanwhile does not decide the
// gain), with a plausible gain, whose residual is a small fraction of the plain difference.
bool ShotDetector::Relit(const Entry& prev, const Entry& cur) const {
  const auto& ya = prev.tiny.y;
  const auto& yb = cur.tiny.y;
  if (ya.size() < 16) return false;
  const auto fit = FitGain(ya, yb);
  if (!fit) return false;
  double resid = 0, raw = 0;
  for (size_t i = 0; i < ya.size(); ++i) {
    resid += fit->err[i];
    raw += std::fabs(double(yb[i]) - ya[i]);
  }
  return fit->gain >= kRelitMinGain && fit->gain <= kRelitMaxGain &&
         resid < kRelitMaxResidual * raw;
}

// True when `after` shows the picture of `before` again, across a flash or a short black run of
// a cut candidate whose difference is `d`: much closer than the jump itself, or (both textured)
// the same picture moved a little, as moving footage does over the frames of the flash (a block
// search explains the change, rule 2's test).
bool ShotDetector::SamePictureAgain(const Entry& before, const Entry& after, double d) const {
  if (Diff(before, after) < 0.35 * d) return true;
  return before.sig.std_y >= kTexturedStd && after.sig.std_y >= kTexturedStd &&
         TinyMotionResidual(before.tiny, after.tiny).ratio() < kCutMinMotionResidual;
}

// A dark object sweeping past the lens, a bright one crossing the picture: the frames change
// as much as at a cut, but once the object has passed the shot is there again. True when a
// frame within decide_lag_ after the candidate matches one just before it much more closely
// than the candidate's own jump.
bool ShotDetector::CutRevertsLater(long c, double d) {
  for (long i = 1; i <= kCutRevertBefore; ++i) {
    const Entry* earlier = At(c - i);
    if (earlier == nullptr) break;
    for (long j = lookahead_ + 1; j <= decide_lag_; ++j) {
      const Entry* later = At(c + j);
      if (later == nullptr) break;
      if (Diff(*earlier, *later) < kCutRevertFraction * d) return true;
    }
  }
  return false;
}

void ShotDetector::DecideCut(long c, bool final) {
  Entry* cur = At(c);
  Entry* prev = At(c - 1);
  if (cur == nullptr || prev == nullptr) return;
  // Baseline: the calmer side of the cut. A cut out of (or into) fast motion still stands out
  // against the other side; motion on both sides raises both medians.
  std::vector<double> before, after;
  for (long k = c - 6; k < c; ++k) {
    if (Entry* e = At(k); e != nullptr && k >= 1) before.push_back(e->sig.diff);
  }
  for (long k = c + 1; k <= c + lookahead_; ++k) {
    if (Entry* e = At(k)) after.push_back(e->sig.diff);
  }
  double baseline = before.empty()  ? MedianOfDistinct(after)
                    : after.empty() ? MedianOfDistinct(before)
                                    : std::min(MedianOfDistinct(before), MedianOfDistinct(after));
  double d = cur->sig.diff;
  cur->sig.cut_score = CutTest::Score(d, baseline);
  // The cut frame must stand out from both neighbours (motion ramps up over several frames).
  double neighbours = prev->sig.diff;
  if (Entry* next = At(c + 1)) neighbours = std::max(neighbours, next->sig.diff);
  if (!cut_test_.Passes(d, cur->sig.cut_score, cur->sig.changed, neighbours)) return;
  // Costlier checks on candidates only. They can only reject (the sparse-decoding gap bound of
  // CutTest stays an upper bound).
  if (!CandidateIsCut(*prev, *cur)) {
    cur->sig.verdict = "motion";
    return;
  }
  // A flash, a glitch or a one-frame insert: the old picture comes back within a few frames.
  for (long k = 1; k <= lookahead_; ++k) {
    Entry* later = At(c + k);
    if (later == nullptr) break;
    if (SamePictureAgain(*prev, *later, d)) {
      cur->sig.verdict = "flash";
      return;
    }
  }
  // The end of a flash (a white frame, a black run, a muzzle flash): the frame matches a frame
  // from just before the spike started. Checked backwards because the flash's first frame has
  // already been judged (and rejected) by the forward check above.
  for (long k = 2; k <= lookahead_ + 1; ++k) {
    Entry* earlier = At(c - k);
    if (earlier == nullptr) break;
    if (SamePictureAgain(*earlier, *cur, d)) {
      cur->sig.verdict = "flash";
      return;
    }
  }
  if (CutRevertsLater(c, d)) {
    cur->sig.verdict = "passing";
    return;
  }
  (void) final;
  cur->sig.verdict = "cut";
  Transition t;
  t.type = TransitionType::kCut;
  t.first_frame = t.last_frame = c;
  t.first_time = t.last_time = cur->time;
  t.score = cur->sig.cut_score;
  Emit(t);
}

void ShotDetector::Emit(Transition t) {
  // A gradual transition absorbs cuts detected inside it; a cut inside a known gradual one
  // is dropped.
  if (IsGradual(t.type)) {
    // Regions re-opened next to an emitted one can produce the same transition twice.
    if (t.first_frame <= last_gradual_end_) return;
    for (const Transition& x : pending_) {
      if (IsGradual(x.type) && t.first_frame <= x.last_frame && x.first_frame <= t.last_frame) {
        return;
      }
    }
    last_gradual_end_ = t.last_frame;
    std::erase_if(pending_, [&](const Transition& x) {
      // The frame before the first blended one too: the first step of a fast fade or wipe.
      return x.type == TransitionType::kCut && x.first_frame >= t.first_frame - 1 &&
             x.first_frame <= t.last_frame;
    });
  } else {
    for (const Transition& x : pending_) {
      if (IsGradual(x.type) && t.first_frame >= x.first_frame - 1 &&
          t.first_frame <= x.last_frame) {
        return;
      }
    }
  }
  pending_.push_back(t);
  std::sort(pending_.begin(), pending_.end(),
            [](const Transition& x, const Transition& y) { return x.first_frame < y.first_frame; });
}

// A cut closer than --min-shot to the previous boundary still stands when the short shot is
// real content: a cut straight after a dissolve ends (the dissolve's own end is not a cut), or
// an insert of at least two textured frames between two cuts. A black or white run between two
// cuts stays one boundary (a cut through black), and flash trains are rejected before this.
bool ShotDetector::ShortShotStands(const Transition& t) {
  const long cut = t.first_frame;
  // The file's start is no boundary: a cut within --min-shot of it is decoder start-up (a grey
  // or half-decoded first frame, an encoder's fade-in glitch), never a shot of its own.
  if (!had_boundary_) return false;
  if (last_boundary_gradual_) {
    // Into textured content and clearly stronger than the cut test's minimum: the tail of a
    // fade (into black, or a repeated-frame fade step) must not count.
    const Entry* e = At(cut);
    return cut > last_boundary_end_ && e != nullptr && e->sig.std_y >= kTexturedStd &&
           t.score >= 2 * cut_test_.ratio();
  }
  if (cut - last_boundary_end_ < 2) return false;
  const Entry* first = At(last_boundary_end_);
  const Entry* last = At(cut);
  if (first == nullptr || last == nullptr) return false;
  // The insert holds still against the two cuts around it; inside a fast wipe or a whip every
  // step is large.
  const double calm = 0.35 * std::min(first->sig.diff, last->sig.diff);
  for (long i = last_boundary_end_; i < cut; ++i) {
    const Entry* e = At(i);
    if (e == nullptr || e->sig.std_y < kTexturedStd) return false;
    if (i > last_boundary_end_ && e->sig.diff > calm) return false;
  }
  return true;
}

std::vector<Transition> ShotDetector::TakeConfirmed() {
  const long min_gap = std::max(1L, static_cast<long>(std::lround(opt_.min_shot_seconds * fps_)));
  size_t n = 0;
  while (n < pending_.size() && pending_[n].first_frame < safe_frame_) {
    const Transition& t = pending_[n];
    if (t.first_frame - last_boundary_end_ >= min_gap || IsGradual(t.type) || ShortShotStands(t)) {
      confirmed_.push_back(t);
      last_boundary_end_ = t.last_frame;
      last_boundary_gradual_ = IsGradual(t.type);
      had_boundary_ = true;
    }
    ++n;
  }
  pending_.erase(pending_.begin(), pending_.begin() + n);
  std::vector<Transition> out;
  out.swap(confirmed_);
  return out;
}

void ShotDetector::FlushSignals(long upto) {
  while (next_signal_ <= upto && next_signal_ <= last_index_) {
    if (Entry* e = At(next_signal_); e != nullptr && sink_) sink_(e->sig);
    ++next_signal_;
  }
}

void ShotDetector::Finish() {
  while (next_cut_check_ <= last_index_) DecideCut(next_cut_check_++, true);
  if (has_region_) {
    has_region_ = false;
    FinalizeRegion(region_);
  }
  safe_frame_ = last_index_ + 1;
  FlushSignals(last_index_);
}

}  // namespace clipdex
