// TimeRing: recent frame times by index; old entries fall off. Shot ends are decided within a few
// seconds of the frame, far inside this window, so a fixed ring bounds the memory.
#pragma once

#include <vector>

namespace clipdex {

class TimeRing {
 public:
  void Add(long index, double time, double duration) {
    ring_[index % kSize] = {index, time, duration};
  }
  // False when the frame is unknown or has fallen off the ring.
  bool Get(long index, double* time, double* duration) const {
    const Item& it = ring_[index % kSize];
    if (it.index != index) return false;
    *time = it.time;
    if (duration) *duration = it.duration;
    return true;
  }

 private:
  struct Item {
    long index = -1;
    double time = 0, duration = 0;
  };
  static constexpr long kSize = 8192;
  std::vector<Item> ring_ = std::vector<Item>(kSize);
};

}  // namespace clipdex
