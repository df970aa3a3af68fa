#include "core/base/partition_slots.h"

#include <gtest/gtest.h>

namespace samsa {
namespace {

constexpr size_t kNone = PartitionSlots::kNone;

TEST(PartitionSlotsTest, FindsSmallLargeAndNegativeNumbers) {
  PartitionSlots s;
  EXPECT_EQ(s.Find(0), kNone);
  s.Set(3, 0, 1);       // in the array (bound 8 + 64)
  s.Set(5000, 1, 2);    // past the bound: the map
  s.Set(-7, 2, 3);      // negative: the map
  s.Set(71, 3, 4);      // below 8 * 4 + 64
  EXPECT_EQ(s.Find(3), 0u);
  EXPECT_EQ(s.Find(5000), 1u);
  EXPECT_EQ(s.Find(-7), 2u);
  EXPECT_EQ(s.Find(71), 3u);
  for (int32_t p : {0, 2, 4, 70, 72, 4999, 5001, -1, -8}) EXPECT_EQ(s.Find(p), kNone) << p;
  s.Set(3, 9, 4);  // filed again: the new slot
  EXPECT_EQ(s.Find(3), 9u);
  s.Clear();
  for (int32_t p : {3, 5000, -7, 71}) EXPECT_EQ(s.Find(p), kNone) << p;
}

// A number first filed in the map (past the bound of a small count) moves to the array when
// filed again under a larger count, and is found once, with its new slot.
TEST(PartitionSlotsTest, ANumberKeepsOneSlotWhenTheBoundGrows) {
  PartitionSlots s;
  s.Set(100, 0, 1);  // bound 72: the map
  EXPECT_EQ(s.Find(100), 0u);
  s.Set(100, 5, 10);  // bound 144: the array
  EXPECT_EQ(s.Find(100), 5u);
  s.Set(20, 6, 11);
  s.ShiftFrom(6);
  EXPECT_EQ(s.Find(100), 5u);
  EXPECT_EQ(s.Find(20), 7u);
}

// An entry inserted at `from` moves every slot at or above it up by one, in the array and in the
// map alike; slots below it stay.
TEST(PartitionSlotsTest, ShiftFromMovesTheSlotsAtOrAboveIt) {
  PartitionSlots s;
  s.Set(0, 0, 4);
  s.Set(1, 1, 4);
  s.Set(90000, 2, 4);
  s.Set(-1, 3, 4);
  s.ShiftFrom(1);
  EXPECT_EQ(s.Find(0), 0u);
  EXPECT_EQ(s.Find(1), 2u);
  EXPECT_EQ(s.Find(90000), 3u);
  EXPECT_EQ(s.Find(-1), 4u);
  EXPECT_EQ(s.Find(2), kNone);
  s.ShiftFrom(0);
  EXPECT_EQ(s.Find(0), 1u);
}

}  // namespace
}  // namespace samsa
