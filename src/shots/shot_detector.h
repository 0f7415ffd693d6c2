// ShotDetector: online shot-boundary detection on tiny YUV frames (see docs/shots.md).
//
// Hard cuts: the frame difference spikes far above its local baseline, most pixels change, and
// the old picture does not come back within a few frames (that would be a flash or a glitch).
// Gradual transitions (dissolve, fades, wipes): over a window [a, b] every pixel of the frames
// in between lies between its values in frame a and frame b ("betweenness"), the change
// progresses monotonically and no single step accounts for it. Moving content, pans and zooms
// fail the betweenness test; blends and wipes pass it. Windows that pass are merged into
// regions, split at static stretches, trimmed, verified and classified.
//
// Memory is bounded: a ring of the last few seconds of tiny frames.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <vector>

#include "media/frame_convert.h"
#include "shots/cut_test.h"
#include "shots/transition.h"

namespace clipdex {

struct ShotDetectorOptions {
  // Hard cut: frame difference / (local median difference + 1.5) must reach this ratio.
  double cut_ratio = 3.0;
  // Hard cut: minimum mean absolute luma/chroma difference (0-255 scale, tiny frames).
  double cut_min_diff = 8.0;
  // Hard cut: minimum fraction of tiny-frame pixels whose luma changed by more than 16.
  double cut_min_changed = 0.25;
  // Gradual: minimum difference between the frames before and after the transition.
  double gradual_min_diff = 10.0;
  // Gradual: maximum "betweenness" error (0 = perfect blend/wipe); larger accepts more.
  double gradual_max_error = 0.25;
  // Gradual: maximum residual of a least-squares blend fit of the in-between frames, relative
  // to the size of the change (dissolves and fades fit almost exactly).
  double gradual_max_blend_error = 0.30;
  // Longest gradual transition searched for, seconds.
  double max_gradual_seconds = 2.0;
  // Boundaries closer than this to the previous one are dropped (flash trains, glitches).
  double min_shot_seconds = 0.3;
  // Multiplies every threshold's leniency: 1.2 finds more (weaker) boundaries, 0.8 fewer.
  double sensitivity = 1.0;
  bool detect_gradual = true;
  // The learned region check (shots/region_check.h) on dissolves; off = the classical tests
  // alone (and the check's training data: scripts/train_region_check.py).
  bool region_check = true;
};

// Per-frame signals, for --stats: why a boundary was (not) found.
struct FrameSignals {
  long index = 0;
  double time = 0;
  double mean_y = 0, std_y = 0;  // tiny-frame luma statistics
  double diff = 0;               // mean abs difference to the previous frame
  double changed = 0;            // fraction of pixels whose luma changed by > 16
  double cut_score = 0;          // diff / (local baseline + 1.5)
  const char* verdict = "";      // "cut", "flash", "gradual", "" ...
};

// Mean absolute difference of two tiny frames, luma weighted 2:1 over chroma (0-255 scale).
double TinyDifference(const TinyYuv& a, const TinyYuv& b);
// Fraction of tiny-frame pixels whose luma changed by more than 16.
double TinyChangedLumaFraction(const TinyYuv& a, const TinyYuv& b);

// Measurements of a wipe or dissolve region (shots/region_features.cpp), in this order.
inline constexpr int kRegionFeatureCount = 22;
extern const char* const kRegionFeatureNames[kRegionFeatureCount];

// A wipe or dissolve region that passed every classical test, with its measurements and the
// learned region check's verdict (for --stats: the data the check is trained on).
struct RegionRecord {
  bool wipe = false;
  long first_frame = 0, last_frame = 0;
  std::array<double, kRegionFeatureCount> features{};
  double check_score = 1;  // the check's probability that the region is a transition
  bool kept = true;
};

class ShotDetector {
 public:
  ShotDetector(const ShotDetectorOptions& options, double fps);

  // Feed frames in order (index 0, 1, 2, ...).
  void Push(long index, double time, const TinyYuv& frame);
  // No more frames: decide everything still pending.
  void Finish();

  // Boundaries decided so far that no later frame can change, in order; removes them.
  std::vector<Transition> TakeConfirmed();
  // Every boundary that starts before this frame has been confirmed.
  long safe_frame() const { return safe_frame_; }

  // Called once per frame when its signals are final (for the --stats CSV).
  void set_signals_sink(std::function<void(const FrameSignals&)> sink) { sink_ = std::move(sink); }
  // Called for every dissolve and wipe that passed the classical tests (--stats).
  void set_region_sink(std::function<void(const RegionRecord&)> sink) {
    region_sink_ = std::move(sink);
  }

 private:
  struct Entry {
    long index = -1;
    double time = 0;
    TinyYuv tiny;
    FrameSignals sig;
  };
  struct Region {
    long start = 0, end = 0;                     // union of passing windows, inclusive
    std::vector<std::pair<long, long>> windows;  // the passing windows (first, last frame)
  };

  Entry* At(long index);
  double Diff(const Entry& a, const Entry& b) const;
  double Betweenness(const Entry& a, const Entry& m, const Entry& b, double* progress) const;
  double ShiftedDifference(const Entry& a, const Entry& m) const;
  bool LightingChange(const Entry& a, const Entry& b) const;
  double ChangedFraction(const Entry& a, const Entry& b) const;
  double HistogramDistance(const Entry& a, const Entry& b) const;
  double BlendResidual(const Entry& a, const Entry& m, const Entry& b,
                       double* at_end_fraction) const;
  bool CandidateIsCut(const Entry& prev, const Entry& cur) const;
  bool Relit(const Entry& prev, const Entry& cur) const;

  bool SamePictureAgain(const Entry& before, const Entry& after, double d) const;
  bool CutRevertsLater(long c, double d);
  void DecideCut(long c, bool final);
  void ScanGradualWindows(long t);
  bool WindowIsTransition(long a_idx, int len, double sensitivity);
  // A window that is no blend or wipe may still hold a slide (shots/slide_fit.h).
  bool WindowIsSlide(long a_idx, int len, double sensitivity);
  // The frame half-way through [p, q] is a slide of the ends' pictures.
  bool RegionIsSlide(long p, long q);
  bool MotionExplainsSlide(const Entry& a, const Entry& m, const Entry& b) const;
  void AddWindowToRegion(long a_idx, long t);
  void FinalizeRegion(const Region& region);
  static void SplitAtCoverageDips(const Region& region, long p, long q,
                                  std::vector<std::pair<long, long>>* out);
  bool VerifyAndClassify(long p, long q, Transition* out);
  std::array<double, kRegionFeatureCount> RegionFeatures(long p, long q, bool wipe);
  void Emit(Transition t);
  bool ShortShotStands(const Transition& t);
  void FlushSignals(long upto);

  ShotDetectorOptions opt_;
  CutTest cut_test_;
  double fps_;
  int capacity_;
  int lookahead_ = 3;   // frames after a cut candidate its baseline and flash tests read
  int decide_lag_ = 3;  // frames after a candidate before it is decided (>= lookahead_)
  std::vector<int> lengths_;
  std::vector<Entry> ring_;
  long last_index_ = -1;
  long next_cut_check_ = 1;
  long next_signal_ = 0;
  bool has_region_ = false;
  Region region_;
  std::vector<Transition> pending_;  // decided, waiting for safe_frame
  std::vector<Transition> confirmed_;
  long safe_frame_ = 0;
  // The file's first frame counts as a boundary for --min-shot (see ShortShotStands).
  long last_boundary_end_ = 0;
  bool last_boundary_gradual_ = false;
  bool had_boundary_ = false;
  long last_gradual_end_ = -1;
  std::function<void(const FrameSignals&)> sink_;
  std::function<void(const RegionRecord&)> region_sink_;
  mutable double last_blend_abs_error_ = 0;
};

}  // namespace clipdex
