// SampleBuffer: the analysis samples of the shot that is still open, for one FrameNeed.
// Bounded: when full, every other sample is dropped and the sampling interval doubles, so a
// two-hour shot costs the same memory as a two-minute one.
#pragma once

#include <deque>
#include <vector>

#include "analyze/analyzer.h"

namespace clipdex {

class SampleBuffer {
 public:
  SampleBuffer(const FrameNeed& need, size_t capacity)
      : need_(need),
        capacity_(capacity),
        interval_(need.sample_fps > 0 ? 1.0 / need.sample_fps : 1.0) {}

  const FrameNeed& need() const { return need_; }
  // True when a frame at `time` should be sampled.
  bool Wants(double time) const { return time >= next_due_ - 1e-9; }
  // True when the previous sample still waits for its pair frame.
  bool WantsPair() const { return need_.pairs && pair_pending_; }

  void Add(AnalysisFrame frame) {
    next_due_ = frame.time + interval_;
    samples_.push_back(std::move(frame));
    pair_pending_ = need_.pairs;
    repeats_skipped_ = 0;
    if (samples_.size() > capacity_) {
      std::deque<AnalysisFrame> kept;
      for (size_t i = 0; i < samples_.size(); i += 2) kept.push_back(std::move(samples_[i]));
      samples_.swap(kept);
      interval_ *= 2;
      // If the newest sample was dropped, the survivor before it already has its pair.
      pair_pending_ = need_.pairs && samples_.back().next_image.empty();
    }
  }
  // Offers the frame after the newest sample as its pair; a repeat of the sample is passed over
  // (up to kMaxRepeatedPairFrames times) and WantsPair() stays true.
  void SetPair(cv::Mat image, double time, long index) {
    if (samples_.empty()) return;
    if (repeats_skipped_ < kMaxRepeatedPairFrames && SamePicture(samples_.back().image, image)) {
      ++repeats_skipped_;
      return;
    }
    samples_.back().next_image = std::move(image);
    samples_.back().next_time = time;
    samples_.back().next_index = index;
    pair_pending_ = false;
  }
  // The newest sample will get no pair (the next frame belongs to another shot).
  void CancelPair() { pair_pending_ = false; }
  // Samples with first <= index <= last (copies share pixel data: cv::Mat is ref-counted).
  std::vector<AnalysisFrame> Range(long first, long last) const {
    std::vector<AnalysisFrame> out;
    for (const AnalysisFrame& f : samples_) {
      if (f.index >= first && f.index <= last) out.push_back(f);
    }
    return out;
  }
  void DropBefore(long index) {
    while (!samples_.empty() && samples_.front().index < index) samples_.pop_front();
    // A new shot starts: sample at the original rate again, and right away if the new shot has
    // no sample yet (its start is confirmed a few frames late; a short shot must still get one).
    interval_ = need_.sample_fps > 0 ? 1.0 / need_.sample_fps : 1.0;
    if (samples_.empty()) next_due_ = -1e18;
  }

 private:
  FrameNeed need_;
  size_t capacity_;
  double interval_;
  double next_due_ = -1e18;
  bool pair_pending_ = false;
  int repeats_skipped_ = 0;  // repeats of the newest sample passed over while pairing it
  std::deque<AnalysisFrame> samples_;
};

}  // namespace clipdex
