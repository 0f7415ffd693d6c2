// Fork-join over a fixed number of workers, for batch steps (dedup candidate search and
// verification) that split their work by worker index.
#pragma once

#include <thread>
#include <vector>

namespace clipdex {

// Runs fn(0) .. fn(workers - 1), each on its own thread (the calling thread runs fn(0)).
template <typename Fn>
void RunOnWorkers(unsigned workers, Fn&& fn) {
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back([&fn, w] { fn(w); });
  fn(0);
  for (std::thread& t : threads) t.join();
}

}  // namespace clipdex
