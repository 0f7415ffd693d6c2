// FifoGate (serve/fifo_gate.h): at most `slots` holders at once, and waiters enter in the order
// they arrived.
#include "serve/fifo_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
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
  FifoGate gate(2);
  std::mutex mu;
  std::vector<int> entered;
  std::atomic<int> inside{0}, most_inside{0};
  // Two holders take both slots and keep them until released.
  std::atomic<bool> release{false};
  auto holder = [&] {
    FifoGate::Pass pass(gate);
    inside++;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    inside--;
  };
  std::thread h1(holder), h2(holder);
  WaitUntil([&] { return inside == 2; });
  // Eight waiters arrive one after another (each is queued before the next starts).
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&, i] {
      FifoGate::Pass pass(gate);
      const int now = ++inside;
      int seen = most_inside;
      while (now > seen && !most_inside.compare_exchange_weak(seen, now)) {
      }
      {
        std::lock_guard lock(mu);
        entered.push_back(i);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      inside--;
    });
    WaitUntil([&] { return gate.waiting() == i + 1; });
  }
  EXPECT_EQ(inside.load(), 2) << "a waiter entered while both slots were held";
  release = true;
  h1.join();
  h2.join();
  for (auto& t : waiters) t.join();
  // Two slots admit two waiters at (nearly) the same moment when two holders leave together, so
  // the two may record themselves in either order; beyond that the order is the arrival order.
  ASSERT_EQ(entered.size(), 8u);
  for (int pos = 0; pos < 8; ++pos) {
    EXPECT_LE(std::abs(entered[pos] - pos), 1)
        << "waiter " << entered[pos] << " entered at " << pos;
  }
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
