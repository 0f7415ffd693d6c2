// A first-come, first-served limit on how many searches run at once.
//
// Why: HTTP workers are many (one per kept-alive connection), cores few. Sixteen searches running
// together on two cores share the CPU, so a heavy one (a common word ranked over 5,000 matches)
// takes eight times its work to finish and sets the tail latency: p99 130 ms for p50 27 ms at 16
// clients (bench/search_load.sh). Admitted in arrival order, `slots` at a time (a few per core),
// each search runs at near full speed and waits only for those that came before it; the mean is
// about the same (the same work on the same cores) and the tail much shorter (p99 48 ms). The order
// is kept with tickets: std::counting_semaphore promises no fairness, and a starved request is a
// timeout.
#pragma once

#include <condition_variable>
#include <cstdint>
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
    return static_cast<int>(next_ticket_ - admitted_);
  }

 private:
  void Enter() {
    std::unique_lock lock(mu_);
    const uint64_t ticket = next_ticket_++;
    turn_.wait(lock, [&] { return ticket == admitted_ && running_ < slots_; });
    ++admitted_;
    ++running_;
    turn_.notify_all();  // the next ticket may enter too when a slot is still free
  }
  void Leave() {
    {
      std::lock_guard lock(mu_);
      --running_;
    }
    turn_.notify_all();
  }

  const int slots_;
  std::mutex mu_;
  std::condition_variable turn_;
  uint64_t next_ticket_ = 0;  // the ticket the next arrival takes
  uint64_t admitted_ = 0;     // tickets admitted so far: the next to enter holds this number
  int running_ = 0;           // admitted and not yet left
};

}  // namespace clipdex
