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

// A keyed event replaces the pending one with its key, as if that were removed and the new one
// scheduled: checked against exactly that (a model that leaves superseded events in the queue
// and skips them when they come up) over random schedules and re-arms of many keys, with ties.
TEST(KernelTest, KeyedEventsRunAsIfTheSupersededOnesWereRemoved) {
  struct Model : EventHandler {
    Kernel* kernel = nullptr;
    bool keyed = false;
    std::vector<uint64_t> live;  // by key: the arg0 of its current event
    std::vector<std::pair<int64_t, uint64_t>> ran;
    uint64_t next_arg = 0;
    uint64_t rng = 12345;
    uint64_t Next() {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      return rng >> 33;
    }
    void Arm(uint32_t key, int64_t at) {
      live[key] = ++next_arg;
      if (keyed) kernel->ScheduleKeyed(key, at, 1, int32_t(key), live[key]);
      else kernel->Schedule(at, 1, int32_t(key), live[key]);
    }
    void HandleEvent(const Event& e) override {
      if (e.kind == 1) {
        if (e.arg0 != live[size_t(e.node)]) return;  // superseded (only the model sees these)
        live[size_t(e.node)] = 0;
      }
      ran.emplace_back(e.time_ns, e.arg0);
      if (ran.size() > 20000) return;
      // Re-arm a few keys, often at times already taken (ties), sometimes earlier than before.
      for (int i = 0; i < 3; ++i) Arm(uint32_t(Next() % 50), kernel->now_ns() + int64_t(Next() % 8) * 10);
      if (Next() % 4 == 0) kernel->ScheduleAfter(int64_t(Next() % 8) * 10, 2, -1, ++next_arg);
    }
  };
  auto run = [](bool keyed) {
    Model m;
    Kernel k(&m);
    m.kernel = &k;
    m.keyed = keyed;
    m.live.assign(50, 0);
    for (uint32_t key = 0; key < 50; ++key) m.Arm(key, int64_t(key % 5) * 10);
    k.RunAll();
    return std::pair(m.ran, k.pending());
  };
  const auto [with_keys, left_keyed] = run(true);
  const auto [model, left_model] = run(false);
  ASSERT_GT(with_keys.size(), 20000u);
  EXPECT_EQ(with_keys, model);
  EXPECT_EQ(left_keyed, 0u);
}

TEST(KernelTest, KeyedEventReplacesOnlyItsOwnKey) {
  Recorder r;
  Kernel k(&r);
  k.ScheduleKeyed(0, 50, 0, -1, 1);
  k.ScheduleKeyed(1, 50, 0, -1, 2);
  k.Schedule(40, 0, -1, 3);
  k.ScheduleKeyed(0, 30, 0, -1, 4);  // key 0 moves earlier
  k.ScheduleKeyed(1, 60, 0, -1, 5);  // key 1 moves later
  EXPECT_EQ(k.pending(), 3u);
  k.RunAll();
  EXPECT_EQ(r.seen, (std::vector<std::pair<int64_t, uint64_t>>{{30, 4}, {40, 3}, {60, 5}}));
  k.ScheduleKeyed(0, 70, 0, -1, 6);  // its last event ran: this one is simply queued
  EXPECT_EQ(k.pending(), 1u);
}

}  // namespace
}  // namespace samsa::sim
