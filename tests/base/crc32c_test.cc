#include "core/base/crc32c.h"

#include <gtest/gtest.h>

#include "core/base/prng.h"

namespace samsa {
namespace {

TEST(Crc32cTest, CheckValue) { EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xE3069283u); }

TEST(Crc32cTest, KnownVectorsFromRfc3720) {
  // RFC 3720 B.4: 32 bytes of zeros, of 0xff, and an ascending sequence.
  EXPECT_EQ(Crc32c(Bytes(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(Bytes(32, 0xff)), 0x62A8AB43u);
  Bytes ascending(32);
  for (int i = 0; i < 32; ++i) ascending[i] = uint8_t(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(Bytes{}), 0u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  Prng p(3);
  Bytes data(10000);
  for (auto& b : data) b = uint8_t(p.NextU64());
  for (size_t cut : {size_t(0), size_t(1), size_t(7), size_t(4096), size_t(9999), size_t(10000)}) {
    ByteView all(data);
    EXPECT_EQ(Crc32cExtend(Crc32c(all.first(cut)), all.subspan(cut)), Crc32c(all)) << cut;
  }
}

}  // namespace
}  // namespace samsa
