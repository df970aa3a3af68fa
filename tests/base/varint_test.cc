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

}  // namespace
}  // namespace samsa
