#include <gtest/gtest.h>

#include "core/log/leader_epoch_cache.h"
#include "core/log/log_checkpoint.h"
#include "core/log/offset_index.h"
#include "core/log/sealed_text.h"
#include "core/log/segment_name.h"
#include "core/log/time_index.h"

namespace samsa {
namespace {

TEST(SegmentNameTest, FormatsAndParses) {
  EXPECT_EQ(SegmentFileName(0, kLogFileSuffix), "00000000000000000000.log");
  EXPECT_EQ(SegmentFileName(42, kIndexFileSuffix), "00000000000000000042.index");
  EXPECT_EQ(SegmentFileName(INT64_MAX, kTimeIndexFileSuffix), "09223372036854775807.timeindex");
  auto p = ParseSegmentFileName("00000000000000001234.timeindex");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->base_offset, 1234);
  EXPECT_EQ(p->suffix, kTimeIndexFileSuffix);
  EXPECT_FALSE(ParseSegmentFileName("0000000000000001234.log"));   // 19 digits
  EXPECT_FALSE(ParseSegmentFileName("00000000000000001234.txt"));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000123x.log"));
  EXPECT_FALSE(ParseSegmentFileName("99999999999999999999.log"));  // > INT64_MAX
  EXPECT_FALSE(ParseSegmentFileName("leader-epoch-checkpoint"));
}

TEST(OffsetIndexTest, RoundTripAndLookup) {
  std::vector<OffsetIndexEntry> entries = {{5, 100}, {9, 300}, {20, 900}};
  Bytes encoded = EncodeOffsetIndex(entries);
  ASSERT_EQ(encoded.size(), 24u);
  EXPECT_EQ(encoded[3], 5);  // big-endian int32
  EXPECT_EQ(*DecodeOffsetIndex(encoded), entries);
  EXPECT_EQ(LookupOffsetIndex(entries, 0), 0);
  EXPECT_EQ(LookupOffsetIndex(entries, 4), 0);
  EXPECT_EQ(LookupOffsetIndex(entries, 5), 100);
  EXPECT_EQ(LookupOffsetIndex(entries, 19), 300);
  EXPECT_EQ(LookupOffsetIndex(entries, 1000), 900);
  encoded.pop_back();
  EXPECT_EQ(DecodeOffsetIndex(encoded).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeOffsetIndex(EncodeOffsetIndex({{9, 300}, {5, 400}})).status().code(), StatusCode::kCorruption);
}

TEST(TimeIndexTest, RoundTripAndLookup) {
  std::vector<TimeIndexEntry> entries = {{1000, 3}, {2000, 8}};
  Bytes encoded = EncodeTimeIndex(entries);
  ASSERT_EQ(encoded.size(), 24u);
  EXPECT_EQ(*DecodeTimeIndex(encoded), entries);
  EXPECT_EQ(LookupTimeIndex(entries, 500), -1);
  EXPECT_EQ(LookupTimeIndex(entries, 1000), -1);
  EXPECT_EQ(LookupTimeIndex(entries, 1001), 3);
  EXPECT_EQ(LookupTimeIndex(entries, 5000), 8);
  EXPECT_EQ(DecodeTimeIndex(EncodeTimeIndex({{2000, 3}, {1000, 8}})).status().code(), StatusCode::kCorruption);
}

TEST(LeaderEpochCheckpointTest, KafkaTextFormat) {
  std::vector<EpochEntry> entries = {{0, 0}, {3, 150}};
  EXPECT_EQ(EncodeLeaderEpochCheckpoint(entries), "0\n2\n0 0\n3 150\n");
  EXPECT_EQ(*ParseLeaderEpochCheckpoint("0\n2\n0 0\n3 150\n"), entries);
  EXPECT_EQ(ParseLeaderEpochCheckpoint("0\n0\n")->size(), 0u);
  for (const char* bad : {"", "1\n0\n", "0\n2\n0 0\n", "0\n1\n0 0\nx", "0\n2\n3 0\n1 5\n", "0\n1\n-1 0\n",
                          "0\n1\n0 0", "0\n1\n00\n"})
    EXPECT_FALSE(ParseLeaderEpochCheckpoint(bad).ok()) << bad;
}

TEST(SealedTextTest, RoundTripAndEveryFlipIsCaught) {
  std::string body = "0\n1234\n1000\n";
  std::string sealed = SealText(body);
  ASSERT_EQ(sealed.size(), body.size() + 16);
  EXPECT_EQ(sealed.substr(body.size(), 7), "crc32c:");
  EXPECT_EQ(*UnsealText(sealed, "f"), body);
  EXPECT_EQ(*UnsealText(SealText(""), "f"), "");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = sealed;
      bad[i] = char(bad[i] ^ (1 << bit));
      EXPECT_FALSE(UnsealText(bad, "f").ok()) << i << " " << bit;
    }
  }
  EXPECT_FALSE(UnsealText(body, "f").ok());                       // no checksum line
  EXPECT_FALSE(UnsealText(sealed.substr(0, sealed.size() - 1), "f").ok());
  EXPECT_EQ(UnsealText("x", "recovery-point").status().message(), "recovery-point: no checksum line");
}

TEST(LogCheckpointTest, Format) {
  EXPECT_EQ(EncodeLogCheckpoint({1234, 1000}), "0\n1234\n1000\n");
  EXPECT_EQ(*ParseLogCheckpoint("0\n1234\n1000\n"), (LogCheckpoint{1234, 1000}));
  EXPECT_FALSE(ParseLogCheckpoint("0\n1234\n").ok());
  EXPECT_FALSE(ParseLogCheckpoint("1\n1\n1\n").ok());
  EXPECT_FALSE(ParseLogCheckpoint("0\n1\n1\nx").ok());
  // The lost-data mark: version 1 with a fourth line; without the mark, version 0 as before.
  EXPECT_EQ(EncodeLogCheckpoint({1234, 1000, true}), "1\n1234\n1000\n1\n");
  EXPECT_EQ(*ParseLogCheckpoint("1\n1234\n1000\n1\n"), (LogCheckpoint{1234, 1000, true}));
  EXPECT_EQ(*ParseLogCheckpoint("1\n1234\n1000\n0\n"), (LogCheckpoint{1234, 1000, false}));
  EXPECT_FALSE(ParseLogCheckpoint("1\n1234\n1000\n2\n").ok());
  EXPECT_FALSE(ParseLogCheckpoint("0\n1234\n1000\n1\n").ok());  // version 0 has three lines
  EXPECT_FALSE(ParseLogCheckpoint("2\n1\n1\n1\n").ok());
}

TEST(LeaderEpochCacheTest, AssignAndTruncate) {
  LeaderEpochCache c;
  EXPECT_TRUE(c.Assign(1, 0));
  EXPECT_FALSE(c.Assign(1, 10));  // same epoch: keeps the first start
  EXPECT_FALSE(c.Assign(0, 20));  // older epoch: ignored
  EXPECT_TRUE(c.Assign(3, 20));
  EXPECT_TRUE(c.Assign(5, 40));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{1, 0}, {3, 20}, {5, 40}}));
  EXPECT_TRUE(c.TruncateFromEnd(40));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{1, 0}, {3, 20}}));
  EXPECT_FALSE(c.TruncateFromEnd(41));
  EXPECT_TRUE(c.TruncateFromStart(25));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{3, 25}}));
  EXPECT_TRUE(c.Assign(6, 24));  // a new epoch starting before the latest's start replaces it
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{6, 24}}));
  EXPECT_EQ(c.EpochForOffset(23), kUndefinedEpoch);
  EXPECT_EQ(c.EpochForOffset(100), 6);
}

TEST(LeaderEpochCacheTest, EndOffsetFor) {
  LeaderEpochCache c({{2, 0}, {4, 100}, {7, 250}});
  int64_t leo = 300;
  EXPECT_EQ(c.EndOffsetFor(7, leo), (EpochEndOffset{7, 300}));    // latest: the log end
  EXPECT_EQ(c.EndOffsetFor(4, leo), (EpochEndOffset{4, 250}));    // start of the next epoch
  EXPECT_EQ(c.EndOffsetFor(5, leo), (EpochEndOffset{4, 250}));    // largest epoch <= requested
  EXPECT_EQ(c.EndOffsetFor(6, leo), (EpochEndOffset{4, 250}));
  EXPECT_EQ(c.EndOffsetFor(2, leo), (EpochEndOffset{2, 100}));
  EXPECT_EQ(c.EndOffsetFor(1, leo), (EpochEndOffset{1, 0}));      // below the earliest (Kafka)
  EXPECT_EQ(c.EndOffsetFor(8, leo), (EpochEndOffset{-1, -1}));    // above the latest
  EXPECT_EQ(c.EndOffsetFor(-1, leo), (EpochEndOffset{-1, -1}));
  EXPECT_EQ(LeaderEpochCache().EndOffsetFor(0, leo), (EpochEndOffset{-1, -1}));
}

}  // namespace
}  // namespace samsa
