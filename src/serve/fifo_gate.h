// A first-come, first-served limit on how many searches run at once.
//
// Why: HTTP workers are many (one per kept-alive connection), cores few. Sixteen searches running
// together on two cores share the CPU, so a heavy one (a common word ranked over 5,000 matches)
// takes eight times its work to finish and sets the tail latency: p99 130 ms for p50 27 ms at 16
// clients (bench/search_load.sh). Admitted in arrival order, `slots` at a time (a few per core),
// each search runs at near full speed and waits only for those that came before it; the mean is
// about the same (the same work on the same cores) and the tail much shorter (p99 48 ms). The order
// is kept with a queue: std::counting_semaphore promises no fairness, and a starved request is a
// timeout.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

namespace clipdex {

class FifoGate {
 public:
  explicit FifoGate(int slots) : slots_(slots < 1 ? 1 : slots) {}
  FifoGate(const FifoGate&) = delete;
  FifoGate& operator=(const FifoGate&) = delete;

  // Holds one slot from construction (after waiting for its turn) to destruction.
  class Pass {
   public:
    explicit Pass(FifoGate& gate) : gate_(gate) { gate_.Enter(); }
    ~Pass() { gate_.Leave(); }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    FifoGate& gate_;
  };

  int slots() const { return slots_; }
  // Searches waiting for their turn now.
  int waiting() {
    std::lock_guard lock(mu_);
    return static_cast<int>(queue_.size());
  }

 private:
  // A waiter sleeps on its own condition variable and is woken alone, when a leaving holder hands
  // it the slot (waking every waiter to see whose turn it is cost 6 % of the server's CPU).
  struct Waiter {
    std::condition_variable turn;
    bool admitted = false;
  };

  void Enter() {
    std::unique_lock lock(mu_);
    if (running_ < slots_ && queue_.empty()) {
      ++running_;
      return;
    }
    Waiter me;
    queue_.push_back(&me);
    me.turn.wait(lock, [&] { return me.admitted; });
  }
  void Leave() {
    std::lock_guard lock(mu_);
    if (queue_.empty()) {
      --running_;
      return;
    }
    Waiter* next = queue_.front();  // the slot passes to the longest waiter
    queue_.pop_front();
    next->admitted = true;
    next->turn.notify_one();
  }

  const int slots_;
  std::mutex mu_;
  std::deque<Waiter*> queue_;  // in arrival order
  int running_ = 0;            // holders now
};

}  // namespace clipdex
