// ShotStartHint: "this decoded frame differs sharply from the ones before it; it may open a new
// shot". Not a decision (the detector decides, a few frames later): it lets the pipeline take an
// analysis sample right there, so even a short shot has one. Works on the decoded frames as they
// arrive, before the detector has seen them (it lags behind sparse decoding's held gaps).
#pragma once

#include <deque>
#include <vector>

#include "shots/cut_test.h"
#include "shots/shot_detector.h"
#include "util/stats.h"

namespace clipdex {

class ShotStartHint {
 public:
  explicit ShotStartHint(const ShotDetectorOptions& options) : cut_test_(options) {}

  // Feeds the next decoded frame; true when it may start a shot.
  bool Update(const TinyYuv& frame) {
    bool start = false;
    if (have_prev_) {
      const double d = TinyDifference(prev_, frame);
      std::vector<double> before(recent_.begin(), recent_.end());
      start = cut_test_.MayStartShot(d, Median(before));
      recent_.push_back(d);
      if (recent_.size() > 6) recent_.pop_front();
    }
    prev_ = frame;
    have_prev_ = true;
    return start;
  }

 private:
  CutTest cut_test_;
  bool have_prev_ = false;
  TinyYuv prev_;
  std::deque<double> recent_;
};

}  // namespace clipdex
