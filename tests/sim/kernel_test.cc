#include "sim/kernel.h"

#include <gtest/gtest.h>

#include <vector>

namespace samsa::sim {
namespace {

struct Recorder : EventHandler {
  std::vector<std::pair<int64_t, uint64_t>> seen;  // (time, arg0)
  Kernel* kernel = nullptr;
  int respawn = 0;
  void HandleEvent(const Event& e) override {
    seen.emplace_back(e.time_ns, e.arg0);
    if (respawn > 0) {
      --respawn;
      kernel->ScheduleAfter(5, 0, -1, e.arg0 + 100);
    }
  }
};

TEST(KernelTest, OrdersByTimeThenInsertion) {
  Recorder r;
  Kernel k(&r);
  k.Schedule(30, 0, -1, 1);
  k.Schedule(10, 0, -1, 2);
  k.Schedule(30, 0, -1, 3);
  k.Schedule(10, 0, -1, 4);
  k.Schedule(20, 0, -1, 5);
  for (int i = 0; i < 100; ++i) k.Schedule(40, 0, -1, 1000 + uint64_t(i));
  k.RunAll();
  ASSERT_EQ(r.seen.size(), 105u);
  std::vector<uint64_t> first5;
  for (int i = 0; i < 5; ++i) first5.push_back(r.seen[size_t(i)].second);
  EXPECT_EQ(first5, (std::vector<uint64_t>{2, 4, 5, 1, 3}));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(r.seen[size_t(5 + i)].second, 1000u + uint64_t(i));  // ties: insertion order
}

TEST(KernelTest, TimeJumpsAndRunUntil) {
  Recorder r;
  Kernel k(&r);
  k.Schedule(1'000'000'000, 0);
  EXPECT_EQ(k.next_time_ns(), 1'000'000'000);
  EXPECT_EQ(k.RunUntil(999'999'999), 0u);
  EXPECT_EQ(k.now_ns(), 999'999'999);  // clock moves to the bound even with nothing due
  EXPECT_TRUE(k.Step());               // jumps straight to the next event
  EXPECT_EQ(k.now_ns(), 1'000'000'000);
  EXPECT_FALSE(k.Step());
  EXPECT_EQ(k.RunFor(500), 0u);
  EXPECT_EQ(k.now_ns(), 1'000'000'500);
  EXPECT_FALSE(k.next_time_ns().has_value());
}

TEST(KernelTest, StepRunsOneEventAndPastTimesClampToNow) {
  Recorder r;
  Kernel k(&r);
  k.Schedule(100, 0, -1, 1);
  k.Schedule(200, 0, -1, 2);
  ASSERT_TRUE(k.Step());
  EXPECT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(k.now_ns(), 100);
  k.Schedule(50, 0, -1, 3);  // in the past: runs now, after what is already due now
  ASSERT_TRUE(k.Step());
  EXPECT_EQ(r.seen.back(), (std::pair<int64_t, uint64_t>{100, 3}));
  EXPECT_EQ(k.events_run(), 2u);
  EXPECT_EQ(k.pending(), 1u);
}

TEST(KernelTest, HandlersScheduleMoreEvents) {
  Recorder r;
  Kernel k(&r);
  r.kernel = &k;
  r.respawn = 3;
  k.Schedule(0, 0, -1, 0);
  EXPECT_EQ(k.RunUntil(12), 3u);  // t=0, 5, 10
  EXPECT_EQ(k.RunAll(), 1u);      // t=15
  EXPECT_EQ(r.seen.back(), (std::pair<int64_t, uint64_t>{15, 300}));
}

}  // namespace
}  // namespace samsa::sim
