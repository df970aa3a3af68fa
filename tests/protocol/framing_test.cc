#include "core/protocol/framing.h"

#include <gtest/gtest.h>

#include "core/base/prng.h"

namespace samsa {
namespace {

Bytes B(std::initializer_list<int> v) {
  Bytes out;
  for (int x : v) out.push_back(uint8_t(x));
  return out;
}

std::vector<Bytes> SampleFrames() { return {B({1, 2, 3}), B({}), Bytes(300, 0x42), B({9})}; }

Bytes Stream(const std::vector<Bytes>& frames) {
  Bytes out;
  for (const Bytes& f : frames) AppendFrame(out, f);
  return out;
}

TEST(Framing, AppendFrameLayout) {
  Bytes out = B({0xee});
  AppendFrame(out, B({0x61, 0x62}));
  EXPECT_EQ(out, B({0xee, 0, 0, 0, 2, 0x61, 0x62}));

  Bytes in_place;
  size_t at = BeginFrame(in_place);
  in_place.push_back(0x61);
  in_place.push_back(0x62);
  FinishFrame(in_place, at);
  EXPECT_EQ(in_place, B({0, 0, 0, 2, 0x61, 0x62}));
}

TEST(Framing, SeveralFramesInOneChunk) {
  FrameDecoder d;
  std::vector<Bytes> got;
  ASSERT_TRUE(d.Feed(Stream(SampleFrames()), &got).ok());
  EXPECT_EQ(got, SampleFrames());
  EXPECT_EQ(d.buffered_bytes(), 0u);
}

TEST(Framing, SplitAtEveryPoint) {
  Bytes stream = Stream(SampleFrames());
  for (size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder d;
    std::vector<Bytes> got;
    ASSERT_TRUE(d.Feed(ByteView(stream).first(split), &got).ok());
    ASSERT_TRUE(d.Feed(ByteView(stream).subspan(split), &got).ok());
    ASSERT_EQ(got, SampleFrames()) << "split " << split;
    EXPECT_EQ(d.buffered_bytes(), 0u);
  }
}

TEST(Framing, TwoSplitPointsAndOneByteAtATime) {
  Bytes stream = Stream({B({1, 2, 3}), B({}), B({4, 5})});
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      FrameDecoder d;
      std::vector<Bytes> got;
      ASSERT_TRUE(d.Feed(ByteView(stream).subspan(0, a), &got).ok());
      ASSERT_TRUE(d.Feed(ByteView(stream).subspan(a, b - a), &got).ok());
      ASSERT_TRUE(d.Feed(ByteView(stream).subspan(b), &got).ok());
      ASSERT_EQ(got, (std::vector<Bytes>{B({1, 2, 3}), B({}), B({4, 5})})) << a << " " << b;
    }
  }
  FrameDecoder d;
  std::vector<Bytes> got;
  Bytes big = Stream(SampleFrames());
  for (size_t i = 0; i < big.size(); ++i) {
    ASSERT_TRUE(d.Feed(ByteView(big).subspan(i, 1), &got).ok());
    EXPECT_LE(d.buffered_bytes(), 304u);
  }
  EXPECT_EQ(got, SampleFrames());
}

TEST(Framing, RandomChunks) {
  Prng prng(99);
  std::vector<Bytes> frames;
  for (int i = 0; i < 200; ++i) frames.push_back(Bytes(prng.Uniform(100), uint8_t(i)));
  Bytes stream = Stream(frames);
  for (int iter = 0; iter < 20; ++iter) {
    FrameDecoder d;
    std::vector<Bytes> got;
    size_t pos = 0;
    while (pos < stream.size()) {
      size_t n = std::min<size_t>(stream.size() - pos, prng.Uniform(300));
      ASSERT_TRUE(d.Feed(ByteView(stream).subspan(pos, n), &got).ok());
      pos += n;
    }
    EXPECT_EQ(got, frames);
  }
}

TEST(Framing, OversizeFrameFailsAsSoonAsThePrefixArrives) {
  FrameDecoder d(10);
  std::vector<Bytes> got;
  Bytes stream = Stream({Bytes(10, 1)});  // exactly the maximum: fine
  ASSERT_TRUE(d.Feed(stream, &got).ok());
  ASSERT_EQ(got.size(), 1u);
  // 11 bytes declared; only the first 3 bytes of the prefix, then the 4th.
  ASSERT_TRUE(d.Feed(B({0, 0, 0}), &got).ok());
  Status s = d.Feed(B({11}), &got);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange) << s.ToString();
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(d.buffered_bytes(), 0u);
  // Sticky: further input is refused.
  EXPECT_EQ(d.Feed(Stream({B({1})}), &got).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(got.size(), 1u);
}

TEST(Framing, DefaultMaximumIsKafkas) {
  FrameDecoder d;
  EXPECT_EQ(d.max_frame_bytes(), 104857600u);
  std::vector<Bytes> got;
  EXPECT_EQ(d.Feed(B({0x06, 0x40, 0x00, 0x01}), &got).code(), StatusCode::kOutOfRange);
  FrameDecoder d2;
  EXPECT_TRUE(d2.Feed(B({0x06, 0x40, 0x00, 0x00, 1, 2}), &got).ok());  // 100 MiB: pending
  EXPECT_EQ(d2.buffered_bytes(), 6u);
  EXPECT_TRUE(got.empty());
}

TEST(Framing, NegativeSizeAndFramesBeforeIt) {
  FrameDecoder d;
  std::vector<Bytes> got;
  Bytes stream = Stream({B({7}), B({8})});
  stream.insert(stream.end(), {0xff, 0xff, 0xff, 0xff, 1, 2});
  Status s = d.Feed(stream, &got);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(got, (std::vector<Bytes>{B({7}), B({8})}));
}

}  // namespace
}  // namespace samsa
