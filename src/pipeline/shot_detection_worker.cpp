#include "pipeline/shot_detection_worker.h"

#include <utility>

namespace clipdex {

void ShotDetectionWorker::Push(std::vector<SkippedFrameFiller::Ready>* frames) {
  if (frames->empty()) return;
  std::unique_lock lock(mu_);
  room_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
  for (auto& f : *frames) queue_.push_back(std::move(f));
  frames->clear();
  ready_.notify_one();
}

std::vector<Transition> ShotDetectionWorker::TakeConfirmed() {
  std::lock_guard lock(mu_);
  return std::exchange(confirmed_, {});
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
  confirmed_.insert(confirmed_.end(), last.begin(), last.end());
}

void ShotDetectionWorker::Work() {
  while (true) {
    std::deque<SkippedFrameFiller::Ready> batch;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return !queue_.empty() || finished_; });
      if (queue_.empty()) return;
      batch.swap(queue_);
      room_.notify_all();
    }
    StageTimer timer(profile_, "shot detection");
    for (const auto& r : batch) detector_->Push(r.index, r.time, r.tiny);
    auto confirmed = detector_->TakeConfirmed();
    if (confirmed.empty()) continue;
    std::lock_guard lock(mu_);
    confirmed_.insert(confirmed_.end(), confirmed.begin(), confirmed.end());
  }
}

}  // namespace clipdex
