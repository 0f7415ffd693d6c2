// Where ingest time goes (`clipdex ingest --profile`): wall seconds per stage (decode, shot
// detection, frame conversion, each analyzer by name, thumbnails), summed over all videos and
// threads. Stages run on different threads (decoder thread, per-video analysis thread), so the
// sum of stages can exceed the run's wall time; the table says so.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace clipdex {

class StageTimes {
 public:
  void Add(const std::string& stage, double seconds) {
    std::lock_guard lock(mu_);
    seconds_[stage] += seconds;
  }
  // Stages by time spent, largest first.
  std::vector<std::pair<std::string, double>> Sorted() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, double>> out(seconds_.begin(), seconds_.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, double> seconds_;
};

// Adds the scope's wall time to `times` under `stage`; does nothing when `times` is null, so
// un-profiled runs pay one branch.
class StageTimer {
 public:
  StageTimer(StageTimes* times, const char* stage) : times_(times), stage_(stage) {
    if (times_ != nullptr) start_ = std::chrono::steady_clock::now();
  }
  StageTimer(StageTimes* times, std::string stage) : times_(times), owned_(std::move(stage)) {
    stage_ = owned_.c_str();
    if (times_ != nullptr) start_ = std::chrono::steady_clock::now();
  }
  ~StageTimer() {
    if (times_ == nullptr) return;
    times_->Add(stage_,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  StageTimes* times_;
  std::string owned_;
  const char* stage_ = "";
  std::chrono::steady_clock::time_point start_;
};

}  // namespace clipdex
