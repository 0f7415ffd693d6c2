#include "pipeline/skipped_frames.h"

#include <algorithm>
#include <cmath>

#include "util/stats.h"

namespace clipdex {

namespace {

void Blend(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, double w,
           std::vector<uint8_t>* out) {
  out->resize(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    (*out)[i] = static_cast<uint8_t>(std::lround((1.0 - w) * a[i] + w * b[i]));
  }
}

// How many recent per-frame differences make the "before" motion level (the detector's cut
// baseline uses 6).
constexpr size_t kRecentDiffs = 6;

}  // namespace

bool SkippedFrameFiller::MayHideCut(const TinyYuv& a, const TinyYuv& b, int gap,
                                    double after_motion) const {
  std::vector<double> before(recent_diffs_.begin(), recent_diffs_.end());
  const double before_motion = before.empty() ? 0.0 : Median(before);
  return cut_test_.GapMayHideCut(TinyDifference(a, b), TinyChangedLumaFraction(a, b), gap,
                                 before_motion, after_motion);
}

double SkippedFrameFiller::recent_motion() const {
  std::vector<double> v(recent_diffs_.begin(), recent_diffs_.end());
  return v.empty() ? 0.0 : Median(v);
}

void SkippedFrameFiller::Emit(long index, double time, const TinyYuv& tiny,
                              std::vector<Ready>* ready) {
  if (have_last_) {
    recent_diffs_.push_back(TinyDifference(last_, tiny));
    if (recent_diffs_.size() > kRecentDiffs) recent_diffs_.pop_front();
  }
  last_ = tiny;
  last_time_ = time;
  have_last_ = true;
  ready->push_back(Ready{index, time, tiny});
}

bool SkippedFrameFiller::Release(const TinyYuv* after, int after_steps, std::vector<Ready>* ready) {
  holding_ = false;
  const std::vector<SkippedFrame>& skipped = held_.skipped;
  const TinyYuv* prev = have_last_ ? &last_ : nullptr;
  const TinyYuv* next = held_.has_frame ? &held_.tiny : nullptr;
  const double prev_time = last_time_;
  std::vector<TinyYuv> gap(skipped.size());
  bool exact = false;
  if (!skipped.empty() && prev != nullptr && next != nullptr) {
    double after_motion = -1;
    if (after != nullptr) after_motion = TinyDifference(*next, *after) / std::max(1, after_steps);
    if (MayHideCut(*prev, *next, static_cast<int>(skipped.size()), after_motion)) {
      std::vector<int64_t> pts;
      for (const SkippedFrame& s : skipped) pts.push_back(s.pts);
      std::vector<FramePtr> frames;
      if (fetcher_.Fetch(pts, &frames).ok()) {
        for (size_t i = 0; i < frames.size(); ++i) tiny_maker_->Make(frames[i].get(), &gap[i]);
        fetched_ += static_cast<long>(skipped.size());
        exact = true;
      } else {
        // Interpolation below is the fallback: a cut may then be off by the gap's width.
        ++fetch_failures_;
      }
    }
  }
  if (!exact && !skipped.empty()) {
    interpolated_ += static_cast<long>(skipped.size());
    for (size_t i = 0; i < skipped.size(); ++i) {
      TinyYuv& t = gap[i];
      if (prev == nullptr || next == nullptr) {
        if (prev != nullptr || next != nullptr) t = prev != nullptr ? *prev : *next;  // hold
        continue;
      }
      const double span = held_.time - prev_time;
      const double w = span > 0 ? std::clamp((skipped[i].time - prev_time) / span, 0.0, 1.0) : 0.5;
      t.width = prev->width;
      t.height = prev->height;
      Blend(prev->y, next->y, w, &t.y);
      Blend(prev->u, next->u, w, &t.u);
      Blend(prev->v, next->v, w, &t.v);
    }
  }
  for (size_t i = 0; i < skipped.size(); ++i) {
    if (!gap[i].y.empty()) Emit(skipped[i].index, skipped[i].time, gap[i], ready);
  }
  if (held_.has_frame) Emit(held_.index, held_.time, held_.tiny, ready);
  return exact;
}

bool SkippedFrameFiller::Add(const std::vector<SkippedFrame>& skipped, const TinyYuv* tiny,
                             long index, double time, std::vector<Ready>* ready) {
  bool exact = false;
  if (holding_) {
    exact = Release(tiny, 1 + static_cast<int>(skipped.size()), ready);
  }
  if (skipped.empty() && tiny != nullptr) {
    // Nothing skipped: nothing to decide, the frame goes straight through.
    Emit(index, time, *tiny, ready);
    return exact;
  }
  holding_ = true;
  held_.skipped = skipped;
  held_.has_frame = tiny != nullptr;
  held_.index = index;
  held_.time = time;
  if (tiny != nullptr) held_.tiny = *tiny;
  return exact;
}

void SkippedFrameFiller::Finish(std::vector<Ready>* ready) {
  if (holding_) Release(nullptr, 1, ready);
}

}  // namespace clipdex
