// The number of CPUs this process may run on: its affinity mask (what a scheduler's CPU binding
// -- Slurm's task/affinity or cgroup plugins, a Kubernetes static CPU policy, taskset -- left it),
// not every core of the machine, which std::thread::hardware_concurrency() reports.
#pragma once

#include <sched.h>

#include <algorithm>
#include <thread>

namespace clipdex {

inline int UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace clipdex
