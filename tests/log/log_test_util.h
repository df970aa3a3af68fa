#pragma once
// Test helpers for the partition log: batches built by hand (header + CRC over opaque record
// bytes; the log never decodes records), and a reader that pulls a whole log back.

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/prng.h"
#include "core/log/partition_log.h"
#include "core/record/batch_header.h"

namespace samsa::testing {

struct BatchSpec {
  int32_t records = 1;
  size_t payload_bytes = 64;  // opaque "records" after the header; must be >= records
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t base_offset = 0;
  int32_t leader_epoch = -1;
  uint64_t fill_seed = 1;
};

inline Bytes MakeBatch(const BatchSpec& spec) {
  Bytes b(kBatchHeaderBytes + spec.payload_bytes, 0);
  uint8_t* p = b.data();
  StoreBe64(p, uint64_t(spec.base_offset));
  StoreBe32(p + 8, uint32_t(b.size() - kBatchLengthFieldEnd));
  StoreBe32(p + 12, uint32_t(spec.leader_epoch));
  p[16] = uint8_t(kRecordBatchMagic);
  StoreBe16(p + 21, 0);
  StoreBe32(p + 23, uint32_t(spec.records - 1));
  StoreBe64(p + 27, uint64_t(spec.base_timestamp));
  StoreBe64(p + 35, uint64_t(spec.max_timestamp));
  StoreBe64(p + 43, uint64_t(int64_t{-1}));
  StoreBe16(p + 51, uint16_t(int16_t{-1}));
  StoreBe32(p + 53, uint32_t(int32_t{-1}));
  StoreBe32(p + 57, uint32_t(spec.records));
  Prng fill(spec.fill_seed);
  for (size_t i = kBatchHeaderBytes; i < b.size(); ++i) b[i] = uint8_t(fill.NextU64());
  StoreBe32(p + 17, ComputeBatchCrc(b));
  return b;
}

// A batch of `records` records with `payload` bytes of records and max timestamp ts.
inline Bytes Batch(int32_t records, size_t payload, int64_t ts = 0, uint64_t seed = 1) {
  return MakeBatch({.records = records, .payload_bytes = payload, .base_timestamp = ts, .max_timestamp = ts,
                    .fill_seed = seed});
}

// Splits concatenated batches.
inline std::vector<Bytes> SplitBatches(ByteView data) {
  std::vector<Bytes> out;
  size_t pos = 0;
  while (pos + kBatchLengthFieldEnd <= data.size()) {
    size_t total = size_t(LoadBe32(data.data() + pos + 8)) + kBatchLengthFieldEnd;
    if (pos + total > data.size()) break;
    out.emplace_back(data.begin() + int64_t(pos), data.begin() + int64_t(pos + total));
    pos += total;
  }
  return out;
}

// Every batch of the log from its start to its end, reading in max_bytes steps.
inline std::vector<Bytes> ReadAllBatches(const PartitionLog& log, size_t max_bytes = 1 << 20) {
  std::vector<Bytes> out;
  int64_t offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    auto r = log.Read(offset, max_bytes);
    if (!r.ok() || r->records.empty()) break;
    for (Bytes& b : SplitBatches(r->records)) out.push_back(std::move(b));
    offset = r->next_offset;
  }
  return out;
}

inline int64_t BaseOffsetOf(const Bytes& batch) { return int64_t(LoadBe64(batch.data())); }
inline int32_t EpochOf(const Bytes& batch) { return int32_t(LoadBe32(batch.data() + 12)); }
inline int64_t NextOffsetOf(const Bytes& batch) {
  return BaseOffsetOf(batch) + int32_t(LoadBe32(batch.data() + 23)) + 1;
}

}  // namespace samsa::testing
