#include "core/record/compression.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/prng.h"

namespace samsa {
namespace {

constexpr CompressionCodec kAllCodecs[] = {CompressionCodec::kNone, CompressionCodec::kGzip, CompressionCodec::kSnappy,
                                           CompressionCodec::kLz4, CompressionCodec::kZstd};
constexpr CompressionCodec kRealCodecs[] = {CompressionCodec::kGzip, CompressionCodec::kSnappy, CompressionCodec::kLz4,
                                            CompressionCodec::kZstd};
constexpr size_t kNoLimit = size_t(1) << 30;

Bytes FromHex(std::string_view hex) {
  Bytes out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(uint8_t(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

// Random bytes mixed with repeated runs, so that every codec finds something to compress.
Bytes TestData(uint64_t seed, size_t n) {
  Prng p(seed);
  Bytes b;
  b.reserve(n);
  while (b.size() < n) {
    size_t run = size_t(p.Range(1, 200));
    if (p.Chance(1, 2)) {
      uint8_t v = uint8_t(p.NextU64());
      for (size_t i = 0; i < run && b.size() < n; ++i) b.push_back(v);
    } else {
      for (size_t i = 0; i < run && b.size() < n; ++i) b.push_back(uint8_t(p.NextU64()));
    }
  }
  return b;
}

std::string Name(CompressionCodec c) { return std::string(CompressionCodecName(c)); }

// ---- known answers from reference tools ----

// printf 'hello samsa, hello kafka, hello samsa!\n'
const std::string kHello = "hello samsa, hello kafka, hello samsa!\n";

TEST(CompressionTest, GzipKnownAnswerFromGzipCli) {
  // `gzip -9 -n`
  Bytes blob = FromHex("1f8b0800000000000203cb48cdc9c957284ecc2d4ed451c80073b213d3b2e11cb08c221700f754090027000000");
  auto out = Decompress(CompressionCodec::kGzip, blob, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), kHello);
}

TEST(CompressionTest, Lz4KnownAnswerFromLz4Cli) {
  // `lz4 -c`: one block, content checksum.
  Bytes blob =
      FromHex("04224d186440a71f000000d268656c6c6f2073616d73612c200d00456b61666b0d007073616d7361210a00000000ac0d4f31");
  auto out = Decompress(CompressionCodec::kLz4, blob, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), kHello);
}

TEST(CompressionTest, Lz4KnownAnswerMultiBlockWithoutContentChecksum) {
  // 40000 x 'a' then 30000 x 'b', `lz4 -B4 --no-frame-crc`: two 64 KiB blocks, no checksum.
  Bytes blob = FromHex(
      "04224d18604082100100001f610100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffc81f620100ffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0b5062626262621c0000001f"
      "620100ffffffffffffffffffffffffffffffffff6850626262626200000000");
  ASSERT_EQ(blob.size(), 319u);
  auto out = Decompress(CompressionCodec::kLz4, blob, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::string expected = std::string(40000, 'a') + std::string(30000, 'b');
  EXPECT_EQ(AsString(*out), expected);
}

TEST(CompressionTest, ZstdKnownAnswerFromZstdCliWithoutContentSize) {
  // `cat | zstd -c`: read from a pipe, so the frame does not state its content size.
  Bytes blob = FromHex("28b52ffd0458050100c068656c6c6f2073616d73612c206b61666b73616d7361210a0200a01030cc2ff08118e3");
  ASSERT_EQ(blob[4] & 0xc0, 0) << "frame header should have no content size field";
  auto out = Decompress(CompressionCodec::kZstd, blob, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), kHello);
}

// A raw snappy block built by hand: "abcabcabcabc" as the literal "abc" plus one copy.
const Bytes kRawSnappyAbc = {
    0x0c,                  // preamble: uncompressed length 12 (varint)
    0x08, 'a',  'b', 'c',  // literal tag: (3 - 1) << 2 | 0b00, then the 3 bytes
    0x15, 0x03,            // copy with 1-byte offset: (9 - 4) << 2 | 0b01, offset 3: copies 9 bytes
};
// A literal-only raw snappy block: "hello".
const Bytes kRawSnappyHello = {0x05, 0x10, 'h', 'e', 'l', 'l', 'o'};  // (5 - 1) << 2 | 0b00

Bytes XerialHeader() {
  return {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00,  // magic
          0,    0,   0,   1,                         // version 1
          0,    0,   0,   1};                        // compatible version 1
}
void AppendXerialBlock(Bytes& out, const Bytes& raw) {
  PutBe32(out, uint32_t(raw.size()));
  Append(out, raw);
}

TEST(CompressionTest, SnappyRawBlockByHand) {
  auto out = Decompress(CompressionCodec::kSnappy, kRawSnappyAbc, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), "abcabcabcabc");
}

TEST(CompressionTest, SnappyXerialByHand) {
  Bytes blob = XerialHeader();
  AppendXerialBlock(blob, kRawSnappyHello);
  AppendXerialBlock(blob, kRawSnappyAbc);
  auto out = Decompress(CompressionCodec::kSnappy, blob, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), "helloabcabcabcabc");

  // A second stream concatenated after the first (snappy-java reads these too).
  Bytes two = blob;
  Append(two, XerialHeader());
  AppendXerialBlock(two, kRawSnappyHello);
  out = Decompress(CompressionCodec::kSnappy, two, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), "helloabcabcabcabchello");

  // Header only: an empty stream.
  out = Decompress(CompressionCodec::kSnappy, XerialHeader(), kNoLimit);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(CompressionTest, SnappyWritesXerialFraming) {
  Bytes data = TestData(7, 100000);  // 4 blocks of <= 32 KiB input
  auto blob = Compress(CompressionCodec::kSnappy, data);
  ASSERT_TRUE(blob.ok());
  ASSERT_GE(blob->size(), 16u);
  Bytes header(blob->begin(), blob->begin() + 16);
  EXPECT_EQ(header, XerialHeader());
  // Walk the blocks: each is [int32 BE length][raw snappy block of <= 32 KiB].
  size_t pos = 16;
  size_t blocks = 0;
  while (pos < blob->size()) {
    uint32_t n = LoadBe32(blob->data() + pos);
    pos += 4;
    ASSERT_LE(pos + n, blob->size());
    auto raw = Decompress(CompressionCodec::kSnappy, ByteView(blob->data() + pos, n), kNoLimit);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->size(), blocks < 3 ? 32768u : 100000u - 3 * 32768u);
    pos += n;
    ++blocks;
  }
  EXPECT_EQ(blocks, 4u);
}

TEST(CompressionTest, Lz4WritesIndependent64KiBBlocks) {
  auto blob = Compress(CompressionCodec::kLz4, TestData(3, 200000));
  ASSERT_TRUE(blob.ok());
  ASSERT_GE(blob->size(), 7u);
  EXPECT_EQ(LoadBe32(blob->data()), 0x04224d18u);
  uint8_t flg = (*blob)[4];
  EXPECT_EQ(flg >> 6, 1) << "version 01";
  EXPECT_TRUE(flg & 0x20) << "block independence (the Java consumer requires it)";
  EXPECT_TRUE(flg & 0x04) << "content checksum";
  EXPECT_EQ((*blob)[5], 0x40) << "64 KiB blocks";
}

TEST(CompressionTest, GzipConcatenatedMembers) {
  auto a = Compress(CompressionCodec::kGzip, AsBytes("first "));
  auto b = Compress(CompressionCodec::kGzip, AsBytes("second"));
  ASSERT_TRUE(a.ok() && b.ok());
  Bytes both = *a;
  Append(both, *b);
  auto out = Decompress(CompressionCodec::kGzip, both, kNoLimit);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(AsString(*out), "first second");
  // Garbage after a member is not ignored.
  Bytes trailing = *a;
  trailing.push_back(0);
  EXPECT_FALSE(Decompress(CompressionCodec::kGzip, trailing, kNoLimit).ok());
}

TEST(CompressionTest, ConcatenatedFramesLz4Zstd) {
  for (CompressionCodec c : {CompressionCodec::kLz4, CompressionCodec::kZstd}) {
    auto a = Compress(c, AsBytes("one "));
    auto b = Compress(c, AsBytes("two"));
    ASSERT_TRUE(a.ok() && b.ok());
    Bytes both = *a;
    Append(both, *b);
    auto out = Decompress(c, both, kNoLimit);
    ASSERT_TRUE(out.ok()) << Name(c) << ": " << out.status().ToString();
    EXPECT_EQ(AsString(*out), "one two") << Name(c);
    Bytes trailing = *a;
    trailing.push_back(0x42);
    EXPECT_FALSE(Decompress(c, trailing, kNoLimit).ok()) << Name(c);
  }
}

// ---- round trips ----

TEST(CompressionTest, RoundTripRandomData) {
  const size_t sizes[] = {0, 1, 2, 100, 4096, 65536, 65537, 70000, 300000};
  for (CompressionCodec c : kAllCodecs) {
    uint64_t seed = 100;
    for (size_t n : sizes) {
      Bytes data = TestData(++seed, n);
      auto blob = Compress(c, data);
      ASSERT_TRUE(blob.ok()) << Name(c) << " " << n;
      auto out = Decompress(c, *blob, n);  // the exact size is within the bound
      ASSERT_TRUE(out.ok()) << Name(c) << " " << n << ": " << out.status().ToString();
      EXPECT_EQ(*out, data) << Name(c) << " " << n;
    }
  }
}

TEST(CompressionTest, RoundTripIncompressibleData) {
  Prng p(99);
  Bytes data(150000);
  for (auto& b : data) b = uint8_t(p.NextU64());
  for (CompressionCodec c : kAllCodecs) {
    auto blob = Compress(c, data);
    ASSERT_TRUE(blob.ok());
    auto out = Decompress(c, *blob, data.size());
    ASSERT_TRUE(out.ok()) << Name(c) << ": " << out.status().ToString();
    EXPECT_EQ(*out, data) << Name(c);
  }
}

TEST(CompressionTest, EmptyInput) {
  for (CompressionCodec c : kAllCodecs) {
    auto blob = Compress(c, ByteView());
    ASSERT_TRUE(blob.ok()) << Name(c);
    auto out = Decompress(c, *blob, 0);
    ASSERT_TRUE(out.ok()) << Name(c) << ": " << out.status().ToString();
    EXPECT_TRUE(out->empty());
    // Zero bytes are not a valid compressed stream (kNone: they are the empty payload).
    auto none = Decompress(c, ByteView(), kNoLimit);
    EXPECT_EQ(none.ok(), c == CompressionCodec::kNone) << Name(c);
    if (!none.ok()) {
      EXPECT_EQ(none.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(CompressionTest, ExplicitLevels) {
  Bytes data = TestData(5, 50000);
  struct Case {
    CompressionCodec codec;
    int level;
    bool ok;
  } cases[] = {
      {CompressionCodec::kGzip, 1, true},   {CompressionCodec::kGzip, 9, true},   {CompressionCodec::kGzip, 0, true},
      {CompressionCodec::kGzip, 10, false}, {CompressionCodec::kGzip, -1, false}, {CompressionCodec::kLz4, 1, true},
      {CompressionCodec::kLz4, 12, true},   {CompressionCodec::kLz4, 17, true},   {CompressionCodec::kLz4, 18, false},
      {CompressionCodec::kZstd, 1, true},   {CompressionCodec::kZstd, 19, true},  {CompressionCodec::kZstd, -5, true},
      {CompressionCodec::kZstd, 23, false}, {CompressionCodec::kSnappy, 5, true},
  };
  for (const Case& k : cases) {
    auto blob = Compress(k.codec, data, k.level);
    ASSERT_EQ(blob.ok(), k.ok) << Name(k.codec) << " level " << k.level;
    if (!k.ok) {
      EXPECT_EQ(blob.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    auto out = Decompress(k.codec, *blob, kNoLimit);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(*out, data);
  }
}

TEST(CompressionTest, UnknownCodec) {
  for (int v : {5, 6, 7}) {
    auto codec = CompressionCodec(v);
    EXPECT_EQ(Compress(codec, AsBytes("x")).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Decompress(codec, AsBytes("x"), kNoLimit).status().code(), StatusCode::kCorruption);
    EXPECT_EQ(CompressionCodecName(codec), "unknown");
  }
}

// ---- malformed input ----

// Truncation: every proper prefix fails, except that an xerial snappy stream cut at a block
// boundary is a valid stream of fewer blocks.
TEST(CompressionTest, TruncatedInputFails) {
  // Every prefix of a small blob; a sample of prefixes (and the last 100) of a multi-block one.
  for (size_t size : {size_t(4000), size_t(80000)}) {
    Bytes data = TestData(11, size);
    for (CompressionCodec c : kRealCodecs) {
      auto blob = Compress(c, data);
      ASSERT_TRUE(blob.ok());
      for (size_t n = 0; n < blob->size(); ++n) {
        if (size > 4000 && n % 97 != 0 && n + 100 < blob->size()) continue;
        auto out = Decompress(c, ByteView(blob->data(), n), kNoLimit);
        if (c == CompressionCodec::kSnappy && out.ok()) {
          ASSERT_EQ(out->size() % kXerialSnappyBlockInputBytes, 0u) << n;
          ASSERT_TRUE(std::equal(out->begin(), out->end(), data.begin())) << n;
          continue;
        }
        ASSERT_FALSE(out.ok()) << Name(c) << " prefix " << n << " of " << blob->size();
        ASSERT_EQ(out.status().code(), StatusCode::kCorruption);
      }
    }
  }
  // A raw snappy block cut short always fails (its preamble states the length).
  Bytes raw = kRawSnappyAbc;
  for (size_t n = 0; n < raw.size(); ++n)
    EXPECT_FALSE(Decompress(CompressionCodec::kSnappy, ByteView(raw.data(), n), kNoLimit).ok()) << n;
}

// Flipped bits never crash. gzip, lz4 and zstd (with the checksums we write) either fail or,
// for bits the format does not interpret (e.g. gzip MTIME), return the original: never wrong
// data. Snappy has no checksum: only the bound is checked.
TEST(CompressionTest, BitFlipsNeverCrashAndNeverSilentlyCorruptChecksummedCodecs) {
  Bytes data = TestData(13, 3000);
  for (CompressionCodec c : kRealCodecs) {
    auto blob = Compress(c, data);
    ASSERT_TRUE(blob.ok());
    int failures = 0;
    for (size_t i = 0; i < blob->size(); ++i) {
      for (uint8_t mask : {0x01, 0x10, 0x80}) {
        Bytes bad = *blob;
        bad[i] ^= mask;
        auto out = Decompress(c, bad, 10000);
        if (!out.ok()) {
          ASSERT_EQ(out.status().code(), StatusCode::kCorruption);
          ++failures;
          continue;
        }
        ASSERT_LE(out->size(), 10000u);
        if (c != CompressionCodec::kSnappy) {
          ASSERT_EQ(*out, data) << Name(c) << " byte " << i << " mask " << int(mask);
        }
      }
    }
    EXPECT_GT(failures, 0) << Name(c);
  }
}

TEST(CompressionTest, GarbageInputFails) {
  Prng p(17);
  for (CompressionCodec c : kRealCodecs) {
    for (int i = 0; i < 200; ++i) {
      Bytes junk(size_t(p.Range(0, 300)));
      for (auto& b : junk) b = uint8_t(p.NextU64());
      auto out = Decompress(c, junk, 1 << 20);
      if (!out.ok()) {
        EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
      } else {
        EXPECT_LE(out->size(), size_t(1) << 20);
      }
    }
  }
}

// ---- the output bound ----

TEST(CompressionTest, OutputBoundRejectsBombs) {
  const size_t n = 16 << 20;
  Bytes zeros(n, 0);
  for (CompressionCodec c : kAllCodecs) {
    auto blob = Compress(c, zeros);
    ASSERT_TRUE(blob.ok());
    if (c != CompressionCodec::kNone) {
      EXPECT_LT(blob->size(), 1u << 20) << Name(c);
    }
    auto small = Decompress(c, *blob, 1 << 20);
    ASSERT_FALSE(small.ok()) << Name(c);
    EXPECT_EQ(small.status().code(), StatusCode::kCorruption);
    EXPECT_NE(small.status().message().find("exceeds limit"), std::string::npos) << small.status().ToString();
    EXPECT_FALSE(Decompress(c, *blob, n - 1).ok()) << Name(c);
    auto exact = Decompress(c, *blob, n);
    ASSERT_TRUE(exact.ok()) << Name(c) << ": " << exact.status().ToString();
    EXPECT_EQ(exact->size(), n);
  }
}

TEST(CompressionTest, SnappyLengthClaimCheckedBeforeAllocating) {
  // A 6-byte raw block claiming 4 GiB - 1 of output.
  Bytes bomb = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  auto out = Decompress(CompressionCodec::kSnappy, bomb, 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  // The same inside xerial framing, and a block length past the end.
  Bytes x = XerialHeader();
  AppendXerialBlock(x, bomb);
  EXPECT_FALSE(Decompress(CompressionCodec::kSnappy, x, 1 << 20).ok());
  Bytes y = XerialHeader();
  PutBe32(y, 0xffffffff);
  y.push_back(0);
  EXPECT_FALSE(Decompress(CompressionCodec::kSnappy, y, 1 << 20).ok());
}

TEST(CompressionTest, BoundAppliesAcrossXerialBlocksAndFrames) {
  Bytes data = TestData(21, 100000);
  for (CompressionCodec c : kRealCodecs) {
    auto blob = Compress(c, data);
    ASSERT_TRUE(blob.ok());
    EXPECT_FALSE(Decompress(c, *blob, 99999).ok()) << Name(c);
    EXPECT_FALSE(Decompress(c, *blob, 50000).ok()) << Name(c);
    EXPECT_TRUE(Decompress(c, *blob, 100000).ok()) << Name(c);
  }
}

}  // namespace
}  // namespace samsa
