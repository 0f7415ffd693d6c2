// FifoGate (serve/fifo_gate.h): at most `slots` holders at once, and waiters enter in the order
// they arrived.
#include "serve/fifo_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace clipdex {
namespace {

void WaitUntil(const std::function<bool()>& done) {
  for (int i = 0; i < 5000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(done()) << "timed out";
}

TEST(FifoGate, WaitersEnterInArrivalOrderAndNeverMoreThanTheSlots) {
  // Every holder keeps its slot until the test releases it, and the test frees one slot at a time
  // and waits for the one admission it allows: admission order is then observable without races
  // (recording after waking, as an earlier version did, let a slow-to-wake waiter record late on a
  // loaded machine although the gate had admitted it first).
  FifoGate gate(2);
  constexpr int kHolders = 2, kWaiters = 8, kAll = kHolders + kWaiters;
  std::mutex mu;
  std::vector<int> entered;  // thread ids in the order they got a slot
  std::atomic<int> inside{0}, most_inside{0};
  std::vector<std::unique_ptr<std::atomic<bool>>> release;
  for (int i = 0; i < kAll; ++i) release.push_back(std::make_unique<std::atomic<bool>>(false));
  auto entrant = [&](int id) {
    FifoGate::Pass pass(gate);
    const int now = ++inside;
    int seen = most_inside;
    while (now > seen && !most_inside.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard lock(mu);
      entered.push_back(id);
    }
    while (!*release[id]) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    inside--;
  };
  auto entered_count = [&] {
    std::lock_guard lock(mu);
    return static_cast<int>(entered.size());
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < kHolders; ++id) threads.emplace_back(entrant, id);
  WaitUntil([&] { return entered_count() == kHolders; });
  // Waiters arrive one after another (each is queued before the next starts).
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back(entrant, kHolders + i);
    WaitUntil([&] { return gate.waiting() == i + 1; });
  }
  EXPECT_EQ(entered_count(), kHolders) << "a waiter entered while both slots were held";
  // Free the slots one by one, oldest holder first; each frees exactly one admission.
  for (int next = 0; next < kAll; ++next) {
    int oldest;
    {
      std::lock_guard lock(mu);
      oldest = entered[static_cast<size_t>(next)];
    }
    *release[oldest] = true;
    const int expect = std::min(kAll, next + 1 + kHolders);
    WaitUntil([&] { return entered_count() == expect; });
  }
  for (auto& t : threads) t.join();
  // The two holders entered in either order; the waiters exactly in their arrival order.
  std::vector<int> waiters_in(entered.begin() + kHolders, entered.end());
  std::vector<int> arrival;
  for (int i = kHolders; i < kAll; ++i) arrival.push_back(i);
  EXPECT_EQ(waiters_in, arrival);
  EXPECT_LE(most_inside.load(), 2);
  EXPECT_EQ(gate.waiting(), 0);
}

TEST(FifoGate, OneSlotAdmitsStrictlyInArrivalOrder) {
  FifoGate gate(1);
  std::vector<int> entered;  // written only by the one holder of the slot
  std::atomic<bool> release{false}, holding{false};
  std::thread holder([&] {
    FifoGate::Pass pass(gate);
    holding = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  WaitUntil([&] { return holding.load(); });
  std::vector<std::thread> waiters;
  for (int i = 0; i < 6; ++i) {
    waiters.emplace_back([&, i] {
      FifoGate::Pass pass(gate);
      entered.push_back(i);
    });
    WaitUntil([&] { return gate.waiting() == i + 1; });
  }
  release = true;
  holder.join();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(entered, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(FifoGate, ZeroOrNegativeSlotsMeanOne) {
  FifoGate gate(0);
  EXPECT_EQ(gate.slots(), 1);
  FifoGate::Pass pass(gate);
  EXPECT_EQ(gate.waiting(), 0);
}

}  // namespace
}  // namespace clipdex
