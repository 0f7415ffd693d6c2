// Where ingest time goes (`clipdex ingest --profile`): per stage (decode, shot detection, frame
// conversion, each analyzer by name, thumbnails), wall seconds and the CPU seconds of the thread
// that ran it, summed over all videos and threads. Stages run on different threads (decoder
// thread, per-video analysis thread), so the sum of stages can exceed the run's wall time. CPU
// time is the fair cost on a busy machine (waiting for a core does not count), except for
// decode, whose work runs on the decoder's own threads: its CPU column shows only the calling
// thread's share.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace clipdex {

struct StageCost {
  double wall = 0;  // seconds
  double cpu = 0;   // CPU seconds of the running thread
};

inline double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

class StageTimes {
 public:
  void Add(const std::string& stage, double wall, double cpu) {
    std::lock_guard lock(mu_);
    StageCost& c = costs_[stage];
    c.wall += wall;
    c.cpu += cpu;
  }
  // Event counts (e.g. frames sparse decoding skipped), summed over videos.
  void Count(const std::string& name, long n) {
    std::lock_guard lock(mu_);
    counts_[name] += n;
  }
  std::map<std::string, long> Counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }
  // Stages by wall time spent, largest first.
  std::vector<std::pair<std::string, StageCost>> Sorted() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, StageCost>> out(costs_.begin(), costs_.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second.wall != b.second.wall ? a.second.wall > b.second.wall : a.first < b.first;
    });
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, StageCost> costs_;
  std::map<std::string, long> counts_;
};

// Adds the scope's wall and thread-CPU time to `times` under `stage`; does nothing when `times`
// is null, so un-profiled runs pay one branch.
class StageTimer {
 public:
  StageTimer(StageTimes* times, const char* stage) : times_(times), stage_(stage) { Start(); }
  StageTimer(StageTimes* times, std::string stage) : times_(times), owned_(std::move(stage)) {
    stage_ = owned_.c_str();
    Start();
  }
  ~StageTimer() {
    if (times_ == nullptr) return;
    times_->Add(stage_,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
                ThreadCpuSeconds() - start_cpu_);
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  void Start() {
    if (times_ == nullptr) return;
    start_ = std::chrono::steady_clock::now();
    start_cpu_ = ThreadCpuSeconds();
  }

  StageTimes* times_;
  std::string owned_;
  const char* stage_ = "";
  std::chrono::steady_clock::time_point start_;
  double start_cpu_ = 0;
};

}  // namespace clipdex
