#include "core/client/murmur2.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace samsa::client {
namespace {

// Apache Kafka's UtilsTest.testMurmur2 vectors (Java signed ints).
TEST(Murmur2Test, KafkaKnownAnswers) {
  EXPECT_EQ(Murmur2(AsBytes("21")), -973932308);
  EXPECT_EQ(Murmur2(AsBytes("foobar")), -790332482);
  EXPECT_EQ(Murmur2(AsBytes("a-little-bit-long-string")), -985981536);
  EXPECT_EQ(Murmur2(AsBytes("a-little-bit-longer-string")), -1486304829);
  EXPECT_EQ(Murmur2(AsBytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")), -58897971);
  EXPECT_EQ(Murmur2(AsBytes("abc")), 479470107);
}

TEST(Murmur2Test, ToPositiveClearsTheSignBit) {
  EXPECT_EQ(ToPositive(-790332482), 1357151166);
  EXPECT_EQ(ToPositive(INT32_MIN), 0);  // not Math.abs
  EXPECT_EQ(ToPositive(5), 5);
  // toPositive(murmur2("foobar")) % 50 = 1357151166 % 50.
  EXPECT_EQ(KeyedPartition(AsBytes("foobar"), 50), 16);
  EXPECT_EQ(KeyedPartition(AsBytes("21"), 1), 0);
}

TEST(StickyPartitionerTest, SticksUntilNewBatchThenSwitchesAmongAvailable) {
  Prng prng(7);
  StickyPartitioner sp;
  std::vector<int32_t> avail = {0, 2, 3};
  int32_t p = sp.Partition("t", 4, avail, prng);
  EXPECT_NE(p, 1);  // partition 1 has no leader
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sp.Partition("t", 4, avail, prng), p);
  std::set<int32_t> seen = {p};
  for (int i = 0; i < 50; ++i) {
    int32_t prev = sp.Partition("t", 4, avail, prng);
    sp.OnNewBatch("t", prev, 4, avail, prng);
    int32_t next = sp.Partition("t", 4, avail, prng);
    EXPECT_NE(next, prev);  // a choice exists: never the same one twice
    EXPECT_NE(next, 1);
    seen.insert(next);
  }
  EXPECT_EQ(seen, (std::set<int32_t>{0, 2, 3}));
  // OnNewBatch for a partition that is not the sticky one changes nothing.
  int32_t cur = sp.Partition("t", 4, avail, prng);
  sp.OnNewBatch("t", cur == 0 ? 2 : 0, 4, avail, prng);
  EXPECT_EQ(sp.Partition("t", 4, avail, prng), cur);
  // No partition available: all partitions are candidates.
  StickyPartitioner other;
  int32_t q = other.Partition("u", 3, {}, prng);
  EXPECT_GE(q, 0);
  EXPECT_LT(q, 3);
}

TEST(StickyPartitionerTest, SameSeedSameChoices) {
  auto run = [](uint64_t seed) {
    Prng prng(seed);
    StickyPartitioner sp;
    std::vector<int32_t> out;
    for (int i = 0; i < 20; ++i) {
      int32_t p = sp.Partition("t", 8, {0, 1, 2, 3, 4, 5, 6, 7}, prng);
      out.push_back(p);
      sp.OnNewBatch("t", p, 8, {0, 1, 2, 3, 4, 5, 6, 7}, prng);
    }
    return out;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

}  // namespace
}  // namespace samsa::client
