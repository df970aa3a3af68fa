#include "core/base/varint.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/base/prng.h"

namespace samsa {
namespace {

TEST(VarintTest, KnownAnswers) {
  // From the protocol documentation's zigzag table and protobuf's encoding.
  struct Case {
    int32_t value;
    Bytes bytes;
  } cases[] = {{0, {0x00}}, {-1, {0x01}}, {1, {0x02}}, {-2, {0x03}}, {63, {0x7e}}, {-64, {0x7f}},
               {64, {0x80, 0x01}}, {300, {0xd8, 0x04}},
               {std::numeric_limits<int32_t>::max(), {0xfe, 0xff, 0xff, 0xff, 0x0f}},
               {std::numeric_limits<int32_t>::min(), {0xff, 0xff, 0xff, 0xff, 0x0f}}};
  for (const auto& c : cases) {
    Bytes out;
    PutVarint(out, c.value);
    EXPECT_EQ(out, c.bytes) << c.value;
    EXPECT_EQ(VarintSize(c.value), c.bytes.size());
    size_t pos = 0;
    int32_t back;
    ASSERT_TRUE(GetVarint(c.bytes, &pos, &back));
    EXPECT_EQ(back, c.value);
    EXPECT_EQ(pos, c.bytes.size());
  }
  Bytes u;
  PutUnsignedVarint(u, 150);
  EXPECT_EQ(u, (Bytes{0x96, 0x01}));
}

TEST(VarintTest, RejectsTruncatedAndOverlong) {
  size_t pos = 0;
  uint32_t v;
  Bytes truncated = {0x80, 0x80};
  EXPECT_FALSE(GetUnsignedVarint(truncated, &pos, &v));
  EXPECT_EQ(pos, 0u);
  Bytes overlong = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_FALSE(GetUnsignedVarint(overlong, &pos, &v));
  Bytes too_big = {0xff, 0xff, 0xff, 0xff, 0x1f};  // 2^35 - 1 does not fit 32 bits
  EXPECT_FALSE(GetUnsignedVarint(too_big, &pos, &v));
  Bytes empty;
  int64_t l;
  EXPECT_FALSE(GetVarlong(empty, &pos, &l));
  Bytes long_overlong(11, 0xff);
  EXPECT_FALSE(GetVarlong(long_overlong, &pos, &l));
}

TEST(VarintTest, RandomRoundTripsWithFixedSeed) {
  Prng p(20261121);
  for (int i = 0; i < 20000; ++i) {
    int64_t x = int64_t(p.NextU64()) >> p.Uniform(64);
    int32_t y = int32_t(x);
    Bytes out;
    PutVarlong(out, x);
    PutVarint(out, y);
    ASSERT_EQ(out.size(), VarlongSize(x) + VarintSize(y));
    size_t pos = 0;
    int64_t bx;
    int32_t by;
    ASSERT_TRUE(GetVarlong(out, &pos, &bx));
    ASSERT_TRUE(GetVarint(out, &pos, &by));
    ASSERT_EQ(bx, x);
    ASSERT_EQ(by, y);
    ASSERT_EQ(pos, out.size());
    // The in-place writers produce the same bytes and end exactly at the predicted size.
    Bytes in_place(out.size() + 1, 0xAB);
    uint8_t* end = WriteVarint(WriteVarlong(in_place.data(), x), y);
    ASSERT_EQ(size_t(end - in_place.data()), out.size());
    ASSERT_EQ(in_place.back(), 0xAB);  // nothing written past the end
    in_place.pop_back();
    ASSERT_EQ(in_place, out);
  }
}

// The inline one-byte fast paths and the general forms must agree on every input, including the
// boundary values, decoding at an offset, at the end of the buffer, and appending to a buffer.
TEST(VarintTest, OneByteFastPathsAgreeWithTheGeneralForms) {
  for (uint64_t v : {uint64_t(0), uint64_t(1), uint64_t(0x7e), uint64_t(0x7f), uint64_t(0x80), uint64_t(0x81),
                     uint64_t(0x3fff), uint64_t(0x4000), uint64_t(UINT32_MAX), UINT64_MAX}) {
    Bytes fast = {0xaa}, slow = {0xaa};
    PutUnsignedVarlong(fast, v);
    PutUnsignedVarlongSlow(slow, v);
    EXPECT_EQ(fast, slow) << v;
    EXPECT_EQ(UnsignedVarlongSize(v), UnsignedVarlongSizeSlow(v)) << v;
    EXPECT_EQ(UnsignedVarlongSize(v), fast.size() - 1) << v;
    // Decode from offset 1 (after the marker byte), both ways.
    size_t p1 = 1, p2 = 1;
    uint64_t a = 0, b = 0;
    ASSERT_TRUE(GetUnsignedVarlong(fast, &p1, &a)) << v;
    ASSERT_TRUE(GetUnsignedVarlongSlow(fast, &p2, &b)) << v;
    EXPECT_EQ(a, v);
    EXPECT_EQ(b, v);
    EXPECT_EQ(p1, fast.size());
    EXPECT_EQ(p2, fast.size());
    if (v <= UINT32_MAX) {
      size_t q1 = 1, q2 = 1;
      uint32_t c = 0, d = 0;
      ASSERT_TRUE(GetUnsignedVarint(fast, &q1, &c));
      ASSERT_TRUE(GetUnsignedVarintSlow(fast, &q2, &d));
      EXPECT_EQ(c, uint32_t(v));
      EXPECT_EQ(d, uint32_t(v));
      EXPECT_EQ(q1, q2);
    }
  }
  // At the end of the input both fail and leave the position alone.
  Bytes one = {0x05};
  size_t pos = 1;
  uint32_t u32 = 7;
  uint64_t u64 = 7;
  int32_t s32 = 7;
  int64_t s64 = 7;
  EXPECT_FALSE(GetUnsignedVarint(one, &pos, &u32));
  EXPECT_FALSE(GetUnsignedVarlong(one, &pos, &u64));
  EXPECT_FALSE(GetVarint(one, &pos, &s32));
  EXPECT_FALSE(GetVarlong(one, &pos, &s64));
  EXPECT_EQ(pos, 1u);
  // Signed one-byte values: -64..63.
  for (int32_t x = -70; x <= 70; ++x) {
    Bytes out;
    PutVarint(out, x);
    EXPECT_EQ(out.size(), (x >= -64 && x <= 63) ? 1u : 2u) << x;
    size_t q = 0;
    int32_t back = 0;
    ASSERT_TRUE(GetVarint(out, &q, &back));
    EXPECT_EQ(back, x);
  }
}

}  // namespace
}  // namespace samsa
