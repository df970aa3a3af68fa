#include "core/record/record_batch.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/base/prng.h"

namespace samsa {
namespace {

constexpr CompressionCodec kAllCodecs[] = {CompressionCodec::kNone, CompressionCodec::kGzip, CompressionCodec::kSnappy,
                                           CompressionCodec::kLz4, CompressionCodec::kZstd};
constexpr size_t kLimit = 16 << 20;

std::string Name(CompressionCodec c) { return std::string(CompressionCodecName(c)); }

// CRC-32C written from its definition (reflected polynomial 0x82F63B78, init and xor-out all
// ones), bit by bit: independent of the ISA-L implementation under test.
uint32_t BitwiseCrc32c(ByteView data) {
  uint32_t crc = 0xffffffff;
  for (uint8_t b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
  }
  return ~crc;
}

TEST(RecordBatchTest, BitwiseCrcCheckValue) { EXPECT_EQ(BitwiseCrc32c(AsBytes("123456789")), 0xe3069283u); }

// Two records, worked out by hand from the v2 format:
//   record 0: offset 0, timestamp 1700000000000, key "k1", value "v1", header "h1" -> "hv"
//   record 1: offset 1, timestamp 1700000000005, null key, value "v2", no headers
// 1700000000000 = 0x0000018BCFE56800.
const Bytes kKnownBatch = {
    // baseOffset int64 = 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // batchLength int32 = 87 - 12 = 75
    0x00, 0x00, 0x00, 0x4b,
    // partitionLeaderEpoch int32 = 0
    0x00, 0x00, 0x00, 0x00,
    // magic int8 = 2
    0x02,
    // crc uint32: CRC-32C of everything from attributes to the end (computed below, bitwise)
    0x05, 0x59, 0xc2, 0xe0,
    // attributes int16 = 0 (no compression, CreateTime, not transactional, not control)
    0x00, 0x00,
    // lastOffsetDelta int32 = 1
    0x00, 0x00, 0x00, 0x01,
    // baseTimestamp int64 = 1700000000000
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
    // maxTimestamp int64 = 1700000000005
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x05,
    // producerId int64 = -1
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    // producerEpoch int16 = -1
    0xff, 0xff,
    // baseSequence int32 = -1
    0xff, 0xff, 0xff, 0xff,
    // recordCount int32 = 2
    0x00, 0x00, 0x00, 0x02,
    // --- record 0 (17 bytes) ---
    0x20,            // length varint: 16 -> zigzag 32
    0x00,            // attributes
    0x00,            // timestampDelta varlong 0
    0x00,            // offsetDelta varint 0
    0x04, 'k', '1',  // keyLength 2 (zigzag 4), key
    0x04, 'v', '1',  // valueLength 2, value
    0x02,            // headersCount 1 (zigzag 2)
    0x04, 'h', '1',  //   headerKeyLength 2, key
    0x04, 'h', 'v',  //   headerValueLength 2, value
    // --- record 1 (9 bytes) ---
    0x10,            // length varint: 8 -> zigzag 16
    0x00,            // attributes
    0x0a,            // timestampDelta 5 (zigzag 10)
    0x02,            // offsetDelta 1 (zigzag 2)
    0x01,            // keyLength -1 (zigzag 1): null key
    0x04, 'v', '2',  // valueLength 2, value
    0x00,            // headersCount 0
};
constexpr int64_t kT0 = 1700000000000;

RecordBatchBuilder KnownBuilder() {
  RecordBatchBuilder b;
  b.set_base_offset(0).set_partition_leader_epoch(0);
  RecordHeader h{"h1", ToBytes("hv")};
  b.Add(kT0, AsBytes("k1"), AsBytes("v1"), std::span<const RecordHeader>(&h, 1));
  b.Add(kT0 + 5, std::nullopt, AsBytes("v2"));
  return b;
}

TEST(RecordBatchTest, KnownAnswerBytes) {
  ASSERT_EQ(kKnownBatch.size(), 87u);
  uint32_t crc = BitwiseCrc32c(ByteView(kKnownBatch).subspan(21));
  EXPECT_EQ(crc, 0x0559c2e0u);
  EXPECT_EQ(LoadBe32(kKnownBatch.data() + 17), crc);

  auto built = KnownBuilder().Build();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(HexString(*built, 200), HexString(kKnownBatch, 200));
  EXPECT_EQ(*built, kKnownBatch);
}

TEST(RecordBatchTest, KnownAnswerDecodes) {
  auto h = ValidateBatch(kKnownBatch);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto records = DecodeRecords(kKnownBatch, kLimit);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  const Record& r0 = (*records)[0];
  const Record& r1 = (*records)[1];
  EXPECT_EQ(r0.attributes, 0);
  EXPECT_EQ(r0.offset_delta, 0);
  EXPECT_EQ(r0.timestamp_delta, 0);
  EXPECT_EQ(r0.key, ToBytes("k1"));
  EXPECT_EQ(r0.value, ToBytes("v1"));
  ASSERT_EQ(r0.headers.size(), 1u);
  EXPECT_EQ(r0.headers[0].key, "h1");
  EXPECT_EQ(r0.headers[0].value, ToBytes("hv"));
  EXPECT_EQ(r0.AbsoluteOffset(*h), 0);
  EXPECT_EQ(r0.AbsoluteTimestamp(*h), kT0);
  EXPECT_FALSE(r1.key.has_value());
  EXPECT_EQ(r1.value, ToBytes("v2"));
  EXPECT_TRUE(r1.headers.empty());
  EXPECT_EQ(r1.AbsoluteOffset(*h), 1);
  EXPECT_EQ(r1.AbsoluteTimestamp(*h), kT0 + 5);

  // The base offset is rewritten by the log outside the CRC: absolute offsets follow it.
  Bytes moved = kKnownBatch;
  SetBatchBaseOffset(moved.data(), 1000);
  auto mh = ValidateBatch(moved);
  ASSERT_TRUE(mh.ok());
  EXPECT_EQ(r1.AbsoluteOffset(*mh), 1001);
}

TEST(RecordBatchTest, EncodeRecordMatchesLayoutComment) {
  Record r;
  r.offset_delta = 1;
  r.timestamp_delta = 5;
  r.value = ToBytes("v2");
  Bytes out;
  EncodeRecord(r, out);
  EXPECT_EQ(out, (Bytes{0x10, 0x00, 0x0a, 0x02, 0x01, 0x04, 'v', '2', 0x00}));
  size_t pos = 0;
  Record back;
  ASSERT_TRUE(DecodeRecord(out, &pos, &back).ok());
  EXPECT_EQ(pos, out.size());
  EXPECT_EQ(back, r);
}

// A topic's compression.type: batches in another codec are rebuilt in it with the same records
// and header fields; batches already in it are kept byte for byte.
TEST(RecordBatchTest, RecompressBatchesKeepsRecordsAndHeaderFields) {
  RecordBatchBuilder plain;
  plain.set_producer(77, 3).set_base_sequence(12).set_transactional(true);
  RecordHeader h{"trace", Bytes{1, 2}};
  plain.Add(1000, AsBytes("k1"), AsBytes(std::string(200, 'x')), std::span<const RecordHeader>(&h, 1));
  plain.Add(1005, std::nullopt, AsBytes("v2"));
  auto first = plain.Build();
  RecordBatchBuilder zipped;
  zipped.set_compression(CompressionCodec::kGzip).set_base_offset(2);
  zipped.Add(2000, AsBytes("k3"), AsBytes("v3"));
  auto second = zipped.Build();
  ASSERT_TRUE(first.ok() && second.ok());
  Bytes both = *first;
  both.insert(both.end(), second->begin(), second->end());

  auto out = RecompressBatches(both, CompressionCodec::kGzip);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto batches = SplitBatches(*out);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 2u);
  auto h0 = ValidateBatch((*batches)[0]);
  ASSERT_TRUE(h0.ok()) << h0.status().ToString();
  EXPECT_EQ(h0->compression(), CompressionCodec::kGzip);
  EXPECT_EQ(h0->producer_id, 77);
  EXPECT_EQ(h0->producer_epoch, 3);
  EXPECT_EQ(h0->base_sequence, 12);
  EXPECT_TRUE(h0->transactional());
  EXPECT_LT((*batches)[0].size(), first->size()) << "200 x's compress";
  EXPECT_EQ(DecodeRecords((*batches)[0], kDefaultMaxDecompressedBytes).value(),
            DecodeRecords(*first, kDefaultMaxDecompressedBytes).value());
  EXPECT_TRUE(std::equal((*batches)[1].begin(), (*batches)[1].end(), second->begin(), second->end()))
      << "already gzip: kept as it was";
  // And back to none.
  auto none = RecompressBatches(*out, CompressionCodec::kNone);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(ValidateBatch(SplitBatches(*none).value()[1]).value().compression(), CompressionCodec::kNone);
}

TEST(RecordBatchTest, HeaderFieldsFromBuilder) {
  RecordBatchBuilder b;
  b.set_base_offset(42)
      .set_partition_leader_epoch(7)
      .set_compression(CompressionCodec::kZstd)
      .set_transactional(true)
      .set_producer(1234, 5)
      .set_base_sequence(99);
  b.Add(500, AsBytes("a"), AsBytes("1"));
  b.Add(300, AsBytes("b"), AsBytes("2"));  // timestamps need not increase
  b.Add(900, AsBytes("c"), AsBytes("3"));
  auto batch = b.Build();
  ASSERT_TRUE(batch.ok());
  auto h = ValidateBatch(*batch);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->base_offset, 42);
  EXPECT_EQ(h->partition_leader_epoch, 7);
  EXPECT_EQ(h->compression(), CompressionCodec::kZstd);
  EXPECT_TRUE(h->transactional());
  EXPECT_FALSE(h->control());
  EXPECT_FALSE(h->log_append_time());
  EXPECT_EQ(h->producer_id, 1234);
  EXPECT_EQ(h->producer_epoch, 5);
  EXPECT_EQ(h->base_sequence, 99);
  EXPECT_EQ(h->record_count, 3);
  EXPECT_EQ(h->last_offset_delta, 2);
  EXPECT_EQ(h->base_timestamp, 500);
  EXPECT_EQ(h->max_timestamp, 900);
  EXPECT_EQ(h->total_bytes(), batch->size());
  auto records = DecodeRecords(*batch, kLimit);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].timestamp_delta, -200);
  EXPECT_EQ((*records)[1].AbsoluteTimestamp(*h), 300);
  EXPECT_EQ((*records)[2].AbsoluteOffset(*h), 44);
}

TEST(RecordBatchTest, LogAppendTimeAndControl) {
  RecordBatchBuilder b;
  b.set_timestamp_type(TimestampType::kLogAppendTime, 77777).set_control(true);
  b.Add(100, std::nullopt, std::nullopt);
  b.Add(200, std::nullopt, std::nullopt);
  auto batch = b.Build();
  ASSERT_TRUE(batch.ok());
  auto h = ValidateBatch(*batch);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->log_append_time());
  EXPECT_TRUE(h->control());
  EXPECT_EQ(h->base_timestamp, 100);
  EXPECT_EQ(h->max_timestamp, 77777);
  auto records = DecodeRecords(*batch, kLimit);
  ASSERT_TRUE(records.ok());
  for (const Record& r : *records) EXPECT_EQ(r.AbsoluteTimestamp(*h), 77777);
}

TEST(RecordBatchTest, ExplicitOffsetDeltas) {
  RecordBatchBuilder b;
  ASSERT_TRUE(b.AddWithOffsetDelta(3, 10, AsBytes("x"), std::nullopt).ok());
  ASSERT_TRUE(b.AddWithOffsetDelta(9, 11, AsBytes("y"), std::nullopt).ok());
  EXPECT_EQ(b.AddWithOffsetDelta(9, 12, AsBytes("z"), std::nullopt).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.AddWithOffsetDelta(2, 12, AsBytes("z"), std::nullopt).code(), StatusCode::kInvalidArgument);
  b.Add(13, AsBytes("w"), std::nullopt);  // next delta: 10
  auto batch = b.Build();
  ASSERT_TRUE(batch.ok());
  auto h = ParseBatchHeader(*batch);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->last_offset_delta, 10);
  EXPECT_EQ(h->record_count, 3);
  auto records = DecodeRecords(*batch, kLimit);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].offset_delta, 3);
  EXPECT_EQ((*records)[1].offset_delta, 9);
  EXPECT_EQ((*records)[2].offset_delta, 10);
}

TEST(RecordBatchTest, EmptyBatchIsAnError) {
  RecordBatchBuilder b;
  EXPECT_EQ(b.Build().status().code(), StatusCode::kInvalidArgument);
  b.Add(1, std::nullopt, AsBytes("v"));
  EXPECT_TRUE(b.Build().ok());
  b.Clear();
  EXPECT_EQ(b.Build().status().code(), StatusCode::kInvalidArgument);
  b.Add(1, std::nullopt, AsBytes("v"));
  EXPECT_EQ(b.record_count(), 1);
  EXPECT_TRUE(b.Build().ok());
}

// ---- random round trips ----

std::optional<Bytes> RandomBytesOrNull(Prng& p, size_t max_len) {
  switch (p.Uniform(6)) {
    case 0:
      return std::nullopt;
    case 1:
      return Bytes();
    case 2: {  // compressible
      Bytes b(size_t(p.Uniform(max_len + 1)), uint8_t('a' + p.Uniform(26)));
      return b;
    }
    default: {
      Bytes b(size_t(p.Uniform(max_len + 1)));
      for (auto& x : b) x = uint8_t(p.NextU64());
      return b;
    }
  }
}

struct Expected {
  int64_t timestamp;
  Record record;
};

std::vector<Expected> RandomRecords(Prng& p, int count) {
  std::vector<Expected> out;
  int64_t t = p.Range(0, int64_t(1) << 42);
  for (int i = 0; i < count; ++i) {
    Expected e;
    e.timestamp = t + p.Range(-1000, 1000);
    e.record.key = RandomBytesOrNull(p, 40);
    e.record.value = RandomBytesOrNull(p, 400);
    int headers = int(p.Uniform(4));
    for (int j = 0; j < headers; ++j) {
      RecordHeader h;
      Bytes k(size_t(p.Uniform(12)));
      for (auto& x : k) x = uint8_t(p.NextU64());  // header keys are opaque bytes to us
      h.key = std::string(AsString(k));
      h.value = RandomBytesOrNull(p, 30);
      e.record.headers.push_back(std::move(h));
    }
    out.push_back(std::move(e));
  }
  return out;
}

void CheckRoundTrip(CompressionCodec codec, uint64_t seed) {
  Prng p(seed);
  int count = int(p.Range(1, 80));
  std::vector<Expected> expected = RandomRecords(p, count);
  RecordBatchBuilder b;
  int64_t base_offset = p.Range(0, int64_t(1) << 40);
  b.set_base_offset(base_offset).set_partition_leader_epoch(int32_t(p.Range(-1, 100))).set_compression(codec);
  for (const Expected& e : expected) {
    std::optional<ByteView> k, v;
    if (e.record.key) k = ByteView(*e.record.key);
    if (e.record.value) v = ByteView(*e.record.value);
    b.Add(e.timestamp, k, v, e.record.headers);
  }
  auto batch = b.Build();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto h = ValidateBatch(*batch);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->compression(), codec);
  EXPECT_EQ(h->record_count, count);
  auto records = DecodeRecords(*batch, kLimit);
  ASSERT_TRUE(records.ok()) << Name(codec) << " seed " << seed << ": " << records.status().ToString();
  ASSERT_EQ(records->size(), expected.size());
  int64_t max_ts = expected[0].timestamp;
  for (size_t i = 0; i < expected.size(); ++i) {
    const Record& r = (*records)[i];
    max_ts = std::max(max_ts, expected[i].timestamp);
    EXPECT_EQ(r.offset_delta, int32_t(i));
    EXPECT_EQ(r.AbsoluteOffset(*h), base_offset + int64_t(i));
    EXPECT_EQ(r.AbsoluteTimestamp(*h), expected[i].timestamp);
    EXPECT_EQ(r.key, expected[i].record.key);
    EXPECT_EQ(r.value, expected[i].record.value);
    EXPECT_EQ(r.headers, expected[i].record.headers);
  }
  EXPECT_EQ(h->max_timestamp, max_ts);
  EXPECT_EQ(h->base_timestamp, expected[0].timestamp);
}

TEST(RecordBatchTest, RoundTripRandomRecordsEveryCodec) {
  for (CompressionCodec c : kAllCodecs)
    for (uint64_t seed = 1; seed <= 40; ++seed) CheckRoundTrip(c, seed * 7919 + uint64_t(c));
}

TEST(RecordBatchTest, IteratorMatchesDecodeRecords) {
  Prng p(5);
  std::vector<Expected> expected = RandomRecords(p, 20);
  RecordBatchBuilder b;
  b.set_compression(CompressionCodec::kLz4);
  for (const Expected& e : expected) {
    b.Add(e.timestamp, AsBytes("k"), e.record.value ? std::optional<ByteView>(*e.record.value) : std::nullopt,
          e.record.headers);
  }
  auto batch = b.Build();
  ASSERT_TRUE(batch.ok());
  auto it = RecordIterator::Open(*batch, kLimit);
  ASSERT_TRUE(it.ok());
  Record r;
  int n = 0;
  for (;;) {
    auto more = it->Next(&r);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    EXPECT_EQ(r.value, expected[size_t(n)].record.value);
    EXPECT_EQ(r.headers, expected[size_t(n)].record.headers);  // reused storage is reset
    ++n;
  }
  EXPECT_EQ(n, 20);
  EXPECT_EQ(it->records_read(), 20);
  auto again = it->Next(&r);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

// ---- corruption ----

Bytes SampleBatch(CompressionCodec codec) {
  Prng p(77);
  RecordBatchBuilder b;
  b.set_base_offset(100).set_partition_leader_epoch(3).set_compression(codec).set_producer(9, 1).set_base_sequence(0);
  for (const Expected& e : RandomRecords(p, 5)) {
    b.Add(e.timestamp, e.record.key ? std::optional<ByteView>(*e.record.key) : std::nullopt,
          e.record.value ? std::optional<ByteView>(*e.record.value) : std::nullopt, e.record.headers);
  }
  return b.Build().value();
}

TEST(RecordBatchTest, EveryByteFlipOutsideBaseOffsetAndEpochIsRejected) {
  for (CompressionCodec c : kAllCodecs) {
    Bytes batch = SampleBatch(c);
    auto good = DecodeRecords(batch, kLimit);
    ASSERT_TRUE(good.ok());
    for (size_t i = 0; i < batch.size(); ++i) {
      Bytes bad = batch;
      bad[i] ^= 0x01;
      bool outside_crc = i < 8 || (i >= 12 && i < 16);
      auto decoded = DecodeRecords(bad, kLimit);
      if (outside_crc) {
        ASSERT_TRUE(decoded.ok()) << Name(c) << " byte " << i;
        EXPECT_EQ(*decoded, *good);
        continue;
      }
      ASSERT_FALSE(ValidateBatch(bad).ok()) << Name(c) << " byte " << i;
      ASSERT_FALSE(decoded.ok()) << Name(c) << " byte " << i;
    }
  }
}

TEST(RecordBatchTest, TruncatedBatchesAreRejected) {
  for (CompressionCodec c : kAllCodecs) {
    Bytes batch = SampleBatch(c);
    for (size_t n = 0; n < batch.size(); ++n) {
      ByteView cut(batch.data(), n);
      ASSERT_FALSE(ValidateBatch(cut).ok()) << n;
      ASSERT_FALSE(DecodeRecords(cut, kLimit).ok()) << n;
      ASSERT_FALSE(RecordIterator::Open(cut, kLimit).ok()) << n;
    }
  }
}

// A batch from a header template and raw record bytes, with batchLength and CRC made right, so
// that only the record-level lie is left for the decoder to find.
Bytes PatchedBatch(ByteView records, int32_t record_count, int32_t last_offset_delta,
                   CompressionCodec codec = CompressionCodec::kNone) {
  Bytes batch(kKnownBatch.begin(), kKnownBatch.begin() + kBatchHeaderBytes);
  Bytes payload = Compress(codec, records).value();
  Append(batch, payload);
  StoreBe32(batch.data() + 8, uint32_t(batch.size() - kBatchLengthFieldEnd));
  StoreBe16(batch.data() + 21, uint16_t(codec));
  StoreBe32(batch.data() + 23, uint32_t(last_offset_delta));
  StoreBe32(batch.data() + 57, uint32_t(record_count));
  StoreBe32(batch.data() + kBatchCrcOffset, ComputeBatchCrc(batch));
  return batch;
}

Bytes KnownRecords() { return Bytes(kKnownBatch.begin() + kBatchHeaderBytes, kKnownBatch.end()); }
constexpr size_t kRecord1 = 17;  // where record 1 starts within KnownRecords()

TEST(RecordBatchTest, PatchedBatchHelperReproducesKnownBatch) {
  EXPECT_EQ(PatchedBatch(KnownRecords(), 2, 1), kKnownBatch);
  for (CompressionCodec c : kAllCodecs) {
    auto records = DecodeRecords(PatchedBatch(KnownRecords(), 2, 1, c), kLimit);
    ASSERT_TRUE(records.ok()) << Name(c);
    EXPECT_EQ(records->size(), 2u);
  }
}

TEST(RecordBatchTest, LyingRecordsAreRejected) {
  struct Case {
    const char* name;
    std::function<void(Bytes&, int32_t&, int32_t&)> mutate;
  };
  const Case cases[] = {
      {"length too long", [](Bytes& r, int32_t&, int32_t&) { r[0] = 0x22; }},
      {"length too short", [](Bytes& r, int32_t&, int32_t&) { r[0] = 0x1e; }},
      {"length past the end", [](Bytes& r, int32_t&, int32_t&) { r[kRecord1] = 0x7e; }},
      {"negative length", [](Bytes& r, int32_t&, int32_t&) { r[0] = 0x01; }},
      {"length below minimum",
       [](Bytes& r, int32_t&, int32_t&) {
         r = Bytes{0x08, 0x00, 0x00, 0x00, 0x01};  // 4-byte body
       }},
      {"overlong length varint",
       [](Bytes& r, int32_t&, int32_t&) {
         r.insert(r.begin(), {0xff, 0xff, 0xff, 0xff, 0xff});
       }},
      {"recordCount too large", [](Bytes&, int32_t& count, int32_t& last) { count = 3, last = 2; }},
      {"recordCount too small: trailing record", [](Bytes&, int32_t& count, int32_t&) { count = 1; }},
      {"trailing garbage", [](Bytes& r, int32_t&, int32_t&) { r.push_back(0); }},
      {"key length past the record", [](Bytes& r, int32_t&, int32_t&) { r[4] = 0x40; }},
      {"key length below -1", [](Bytes& r, int32_t&, int32_t&) { r[4] = 0x03; }},
      {"value length past the record", [](Bytes& r, int32_t&, int32_t&) { r[kRecord1 + 5] = 0x08; }},
      {"null header key", [](Bytes& r, int32_t&, int32_t&) { r[11] = 0x01; }},
      {"negative header count", [](Bytes& r, int32_t&, int32_t&) { r[10] = 0x03; }},
      {"too many headers", [](Bytes& r, int32_t&, int32_t&) { r[10] = 0x04; }},
      {"offsetDelta not increasing", [](Bytes& r, int32_t&, int32_t&) { r[kRecord1 + 3] = 0x00; }},
      {"offsetDelta decreasing", [](Bytes& r, int32_t&, int32_t&) { r[3] = 0x04; }},
      {"offsetDelta beyond lastOffsetDelta", [](Bytes&, int32_t&, int32_t& last) { last = 0; }},
      {"negative offsetDelta", [](Bytes& r, int32_t&, int32_t&) { r[3] = 0x01; }},
  };
  for (CompressionCodec c : kAllCodecs) {
    for (const Case& k : cases) {
      Bytes records = KnownRecords();
      int32_t count = 2, last = 1;
      k.mutate(records, count, last);
      Bytes batch = PatchedBatch(records, count, last, c);
      auto decoded = DecodeRecords(batch, kLimit);
      ASSERT_FALSE(decoded.ok()) << Name(c) << ": " << k.name;
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption)
          << Name(c) << ": " << k.name << ": " << decoded.status().ToString();
    }
  }
}

// Skip() is Next() without the copy: for any records, valid or not, it must stop at the same
// record with the same status.
std::vector<std::string> WalkWith(ByteView batch, bool skip) {
  std::vector<std::string> steps;
  auto it = RecordIterator::Open(batch, kLimit);
  if (!it.ok()) return {"open: " + it.status().ToString()};
  Record r;
  for (;;) {
    auto more = skip ? it->Skip() : it->Next(&r);
    if (!more.ok()) {
      steps.push_back(more.status().ToString());
      break;
    }
    steps.push_back(*more ? "record" : "end");
    if (!*more) break;
  }
  return steps;
}

TEST(RecordBatchTest, SkipChecksExactlyWhatNextChecks) {
  // The known batch, every single-byte change of its records (CRC fixed up), and random ones.
  Bytes known = KnownRecords();
  int checked = 0, rejected = 0;
  auto compare = [&](const Bytes& records, int32_t count, int32_t last, const std::string& what) {
    Bytes batch = PatchedBatch(records, count, last);
    std::vector<std::string> next = WalkWith(batch, false), skip = WalkWith(batch, true);
    EXPECT_EQ(next, skip) << what;
    ++checked;
    rejected += next.back() != "end";
  };
  compare(known, 2, 1, "known");
  for (size_t i = 0; i < known.size(); ++i) {
    for (int v : {0x00, 0x01, 0x02, 0x03, 0x04, 0x7e, 0x7f, 0x80, 0xff}) {
      Bytes r = known;
      r[i] = uint8_t(v);
      compare(r, 2, 1, "byte " + std::to_string(i) + " = " + std::to_string(v));
    }
  }
  compare(known, 3, 2, "recordCount too large");
  compare(known, 1, 1, "recordCount too small");
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Prng p(seed);
    std::vector<Expected> expected = RandomRecords(p, int(p.Range(1, 6)));
    Bytes records;
    int32_t delta = 0;
    for (Expected& e : expected) {
      e.record.offset_delta = delta++;
      EncodeRecord(e.record, records);
    }
    compare(records, delta, delta - 1, "random " + std::to_string(seed));
    for (int k = 0; k < 20 && !records.empty(); ++k) {
      Bytes r = records;
      r[size_t(p.Uniform(r.size()))] = uint8_t(p.NextU64());
      compare(r, delta, delta - 1, "random " + std::to_string(seed) + " mutation " + std::to_string(k));
    }
  }
  EXPECT_GT(rejected, 100) << "the mutations must exercise the error paths";
  EXPECT_LT(rejected, checked);
}

TEST(RecordBatchTest, GapsBeforeLastOffsetDeltaAreValid) {
  // Compaction keeps lastOffsetDelta when it removes the last records.
  auto decoded = DecodeRecords(PatchedBatch(KnownRecords(), 2, 5), kLimit);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->size(), 2u);
}

TEST(RecordBatchTest, EmptyCompactedBatchDecodes) {
  for (CompressionCodec c : kAllCodecs) {
    Bytes batch(kKnownBatch.begin(), kKnownBatch.begin() + kBatchHeaderBytes);
    StoreBe32(batch.data() + 8, uint32_t(kMinBatchLength));
    StoreBe16(batch.data() + 21, uint16_t(c));
    StoreBe32(batch.data() + 57, 0);
    StoreBe32(batch.data() + kBatchCrcOffset, ComputeBatchCrc(batch));
    auto decoded = DecodeRecords(batch, kLimit);
    ASSERT_TRUE(decoded.ok()) << Name(c) << ": " << decoded.status().ToString();
    EXPECT_TRUE(decoded->empty());
  }
}

TEST(RecordBatchTest, DecompressionBoundApplies) {
  RecordBatchBuilder b;
  b.set_compression(CompressionCodec::kZstd);
  Bytes big(1 << 20, 'x');
  b.Add(1, std::nullopt, big);
  b.Add(2, std::nullopt, big);
  auto batch = b.Build();
  ASSERT_TRUE(batch.ok());
  EXPECT_LT(batch->size(), 10000u);
  auto small = DecodeRecords(*batch, 1 << 20);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(DecodeRecords(*batch, 3 << 20).ok());
}

TEST(RecordBatchTest, UnknownCodecInAttributesIsCorruption) {
  Bytes batch = kKnownBatch;
  StoreBe16(batch.data() + 21, 6);
  StoreBe32(batch.data() + kBatchCrcOffset, ComputeBatchCrc(batch));
  EXPECT_EQ(DecodeRecords(batch, kLimit).status().code(), StatusCode::kCorruption);
}

// ---- SplitBatches ----

TEST(RecordBatchTest, SplitBatchesWithPartialTail) {
  Bytes a = SampleBatch(CompressionCodec::kNone);
  Bytes b = kKnownBatch;
  Bytes c = SampleBatch(CompressionCodec::kGzip);
  Bytes all = a;
  Append(all, b);
  Append(all, c);
  ByteView tail;
  auto whole = SplitBatches(all, &tail);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->size(), 3u);
  EXPECT_TRUE(tail.empty());
  EXPECT_TRUE(std::equal((*whole)[1].begin(), (*whole)[1].end(), b.begin(), b.end()));
  EXPECT_EQ((*whole)[2].size(), c.size());

  // Cut anywhere inside the last batch: two whole batches and the rest as the partial tail.
  for (size_t cut = a.size() + b.size(); cut < all.size(); ++cut) {
    auto split = SplitBatches(ByteView(all.data(), cut), &tail);
    ASSERT_TRUE(split.ok()) << cut;
    ASSERT_EQ(split->size(), 2u) << cut;
    EXPECT_EQ(tail.size(), cut - a.size() - b.size());
    if (!tail.empty()) {
      EXPECT_EQ(tail.data(), all.data() + a.size() + b.size());
    }
  }
  auto empty = SplitBatches(ByteView(), &tail);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(tail.empty());
  // The tail argument is optional.
  auto no_tail = SplitBatches(ByteView(all.data(), all.size() - 1));
  ASSERT_TRUE(no_tail.ok());
  EXPECT_EQ(no_tail->size(), 2u);
}

TEST(RecordBatchTest, SplitBatchesRejectsImpossibleLength) {
  Bytes all = kKnownBatch;
  Bytes bad = kKnownBatch;
  StoreBe32(bad.data() + 8, 10);  // below the 49-byte minimum
  Append(all, bad);
  EXPECT_EQ(SplitBatches(all).status().code(), StatusCode::kCorruption);
  StoreBe32(bad.data() + 8, uint32_t(-5));
  EXPECT_EQ(SplitBatches(bad).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace samsa
