// ShotDetectionWorker: runs the shot detector on its own thread, so the ingest thread goes back to
// feeding the decoder's threads at once (on 2 cores, the 0.2 ms/frame of detection on the ingest
// thread left decoder threads idle). Frames go in in order; confirmed boundaries come back.
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
  // Boundaries the detector confirmed since the last call, in order.
  std::vector<Transition> TakeConfirmed();
  // Detects on everything queued, then decides what is still pending (end of stream).
  void Finish();

 private:
  static constexpr size_t kMaxQueued = 64;

  void Work();

  ShotDetector* detector_;
  StageTimes* profile_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<SkippedFrameFiller::Ready> queue_;
  std::vector<Transition> confirmed_;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace clipdex
