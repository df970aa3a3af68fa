#include "core/base/prng.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace samsa {
namespace {

TEST(PrngTest, SameSeedSameSequence) {
  Prng a(42), b(42), c(43);
  std::vector<uint64_t> va, vb, vc;
  for (int i = 0; i < 100; ++i) {
    va.push_back(a.NextU64());
    vb.push_back(b.NextU64());
    vc.push_back(c.NextU64());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
}

TEST(PrngTest, KnownAnswerPinsTheAlgorithm) {
  // Pinned so that a change of generator (which would change every recorded seed's run) is caught.
  Prng p(0);
  uint64_t first = p.NextU64();
  Prng q(0);
  EXPECT_EQ(first, q.NextU64());
  EXPECT_EQ(Mix64(0), 0xe220a8397b1dcdafULL);
}

TEST(PrngTest, SplitStreamsAreIndependentOfDrawOrder) {
  Prng root(7);
  Prng net1 = root.Split("network");
  // Drawing from another stream does not change what "network" produces.
  Prng root2(7);
  Prng disk = root2.Split("disk");
  for (int i = 0; i < 10; ++i) disk.NextU64();
  Prng net2 = root2.Split("network");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(net1.NextU64(), net2.NextU64());
  EXPECT_NE(root.Split("a").NextU64(), root.Split("b").NextU64());
  EXPECT_NE(root.Split(1).NextU64(), root.Split(2).NextU64());
}

TEST(PrngTest, UniformStaysInBoundsAndCoversRange) {
  Prng p(1);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = p.Uniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  for (int i = 0; i < 1000; ++i) {
    int64_t r = p.Range(-5, 5);
    ASSERT_GE(r, -5);
    ASSERT_LE(r, 5);
  }
  EXPECT_EQ(p.Range(3, 3), 3);
}

TEST(PrngTest, ChanceMatchesRatioRoughly) {
  Prng p(99);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += p.Chance(1, 4);
  EXPECT_GT(hits, 24000);
  EXPECT_LT(hits, 26000);
  EXPECT_FALSE(Prng(5).Chance(0, 10));
  EXPECT_TRUE(Prng(5).Chance(10, 10));
}

}  // namespace
}  // namespace samsa
