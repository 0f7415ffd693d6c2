// ShotDetectionWorker: runs the shot detector on its own thread, so the ingest thread goes back to
// feeding the decoder's threads at once (on 2 cores, the 0.2 ms/frame of detection on the ingest
// thread left decoder threads idle). Frames go in in order; confirmed boundaries come back.
//
// Deterministic whatever the load: each boundary is tagged with the frame whose detection
// confirmed it, and TakeConfirmedThrough(n) waits until every queued frame up to n is detected,
// then hands out exactly the boundaries confirmed by frames <= n. The ingest thread asks for
// n = (frame it is about to sample) - a fixed lag, so where shots close and which samples each
// clip gets depend on the frames alone, never on how far the worker happens to be (under load
// it lagged, a clip's sample buffer thinned differently, and analyzer values changed).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/skipped_frames.h"
#include "pipeline/stage_times.h"
#include "shots/shot_detector.h"
#include "shots/transition.h"

namespace clipdex {

class ShotDetectionWorker {
 public:
  ShotDetectionWorker(ShotDetector* detector, StageTimes* profile)
      : detector_(detector), profile_(profile), thread_([this] { Work(); }) {}
  ~ShotDetectionWorker() { Finish(); }

  // Queues frames (moved out of `frames`); waits while too many are queued (bounded memory).
  void Push(std::vector<SkippedFrameFiller::Ready>* frames);
  // Boundaries confirmed by the detection of frames <= `frame` (every queued frame up to it is
  // detected first), in order, not handed out before.
  std::vector<Transition> TakeConfirmedThrough(long frame);
  // Every boundary confirmed so far (after Finish: all of them).
  std::vector<Transition> TakeConfirmed() { return TakeConfirmedThrough(kAll); }
  // Detects on everything queued, then decides what is still pending (end of stream).
  void Finish();

 private:
  static constexpr size_t kMaxQueued = 64;
  static constexpr long kAll = 1L << 62;

  struct Confirmed {
    long by_frame;  // the frame whose detection confirmed it
    Transition transition;
  };

  void Work();

  ShotDetector* detector_;
  StageTimes* profile_;
  std::mutex mu_;
  std::condition_variable ready_, room_, detected_;
  std::deque<SkippedFrameFiller::Ready> queue_;
  std::deque<Confirmed> confirmed_;
  long pushed_ = -1;            // the last frame queued
  long detected_through_ = -1;  // the last frame detected
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace clipdex
