#include "pipeline/shot_detection_worker.h"

#include <algorithm>
#include <utility>

namespace clipdex {

void ShotDetectionWorker::Push(std::vector<SkippedFrameFiller::Ready>* frames) {
  if (frames->empty()) return;
  std::unique_lock lock(mu_);
  room_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
  for (auto& f : *frames) {
    pushed_ = std::max(pushed_, f.index);
    queue_.push_back(std::move(f));
  }
  frames->clear();
  ready_.notify_one();
}

std::vector<Transition> ShotDetectionWorker::TakeConfirmedThrough(long frame) {
  std::unique_lock lock(mu_);
  // Every frame queued up to `frame` must be detected: frames not queued yet (held back by the
  // skipped-frame filler) cannot have confirmed anything.
  detected_.wait(lock, [&] { return finished_ || detected_through_ >= std::min(frame, pushed_); });
  std::vector<Transition> out;
  while (!confirmed_.empty() && confirmed_.front().by_frame <= frame) {
    out.push_back(std::move(confirmed_.front().transition));
    confirmed_.pop_front();
  }
  return out;
}

void ShotDetectionWorker::Finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    ready_.notify_one();
  }
  thread_.join();
  detector_->Finish();
  auto last = detector_->TakeConfirmed();
  std::lock_guard lock(mu_);
  for (Transition& t : last) confirmed_.push_back({kAll, std::move(t)});
  detected_.notify_all();
}

void ShotDetectionWorker::Work() {
  while (true) {
    std::deque<SkippedFrameFiller::Ready> batch;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return !queue_.empty() || finished_; });
      if (queue_.empty()) {
        detected_.notify_all();
        return;
      }
      batch.swap(queue_);
      room_.notify_all();
    }
    StageTimer timer(profile_, "shot detection");
    std::vector<Confirmed> found;
    for (const auto& r : batch) {
      detector_->Push(r.index, r.time, r.tiny);
      for (Transition& t : detector_->TakeConfirmed()) found.push_back({r.index, std::move(t)});
    }
    std::lock_guard lock(mu_);
    for (Confirmed& c : found) confirmed_.push_back(std::move(c));
    detected_through_ = std::max(detected_through_, batch.back().index);
    detected_.notify_all();
  }
}

}  // namespace clipdex
