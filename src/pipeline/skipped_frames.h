// SkippedFrameFiller: tiny shot-detection pictures for the frames sparse decoding skipped, and
// the order in which every frame then reaches the shot detector.
//
// Each gap of skipped frames is held until the decoded frame after the gap's right neighbour
// arrives, so both sides' motion is known. If no frame in the gap could pass the detector's cut
// test, the gap is interpolated in time between its decoded neighbours (exact for fades and
// dissolves, which are linear blends; close for motion). Otherwise the real pictures are decoded
// by a FrameFetcher, so cuts land on the exact frame as in dense decoding.
#pragma once

#include <deque>
#include <filesystem>
#include <vector>

#include "media/decoder.h"
#include "media/frame_convert.h"
#include "media/frame_fetcher.h"
#include "shots/cut_test.h"
#include "shots/shot_detector.h"

namespace clipdex {

class SkippedFrameFiller {
 public:
  SkippedFrameFiller(const std::filesystem::path& path, const DecodeOptions& decode,
                     const ShotDetectorOptions& shots, TinyYuvMaker* tiny_maker)
      : fetcher_(path, decode.fast, decode.time_limit_seconds),
        cut_test_(shots),
        tiny_maker_(tiny_maker) {}

  struct Ready {
    long index = 0;
    double time = 0;
    TinyYuv tiny;
  };
  // Takes the next decoded frame (`tiny` null for a record of trailing skipped frames) and the
  // frames skipped just before it; appends to `ready` the frames the detector can take now, in
  // order. Returns true when a gap had to be decoded exactly (the content jumps).
  bool Add(const std::vector<SkippedFrame>& skipped, const TinyYuv* tiny, long index, double time,
           std::vector<Ready>* ready);
  // End of stream: releases the held frames.
  void Finish(std::vector<Ready>* ready);

  // Median per-frame difference of the last frames handed out (tiny-frame units).
  double recent_motion() const;
  long interpolated() const { return interpolated_; }
  long fetched() const { return fetched_; }
  long fetch_failures() const { return fetch_failures_; }
  long fetches() const { return fetcher_.fetches(); }
  long seeks() const { return fetcher_.seeks(); }

 private:
  struct Held {
    std::vector<SkippedFrame> skipped;
    bool has_frame = false;
    long index = 0;
    double time = 0;
    TinyYuv tiny;
  };
  // Resolves the held gap; `after` is the decoded frame after it (null if unknown).
  bool Release(const TinyYuv* after, int after_steps, std::vector<Ready>* ready);
  bool MayHideCut(const TinyYuv& a, const TinyYuv& b, int gap, double after_motion) const;
  void Emit(long index, double time, const TinyYuv& tiny, std::vector<Ready>* ready);

  FrameFetcher fetcher_;
  CutTest cut_test_;
  TinyYuvMaker* tiny_maker_;
  bool holding_ = false;
  Held held_;
  bool have_last_ = false;  // the last frame handed out, the left neighbour of the held gap
  TinyYuv last_;
  double last_time_ = 0;
  std::deque<double> recent_diffs_;  // per-frame differences of the last frames handed out
  long interpolated_ = 0, fetched_ = 0, fetch_failures_ = 0;
};

}  // namespace clipdex
