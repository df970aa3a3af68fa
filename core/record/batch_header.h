#pragma once
// RecordBatch v2 (magic 2) header: the fixed 61-byte prefix of every batch, on the wire and on
// disk alike. Fields are big-endian.
//
//   offset size field
//   0      8    baseOffset             first offset in the batch (rewritten by the log on append)
//   8      4    batchLength            bytes after this field: total size - 12
//   12     4    partitionLeaderEpoch
//   16     1    magic                  = 2
//   17     4    crc                    CRC-32C of bytes [21, end): attributes to the last record
//   21     2    attributes             bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4,
//                                      4 zstd), bit 3 timestamp type (1 = LogAppendTime),
//                                      bit 4 transactional, bit 5 control, bit 6 delete horizon
//   23     4    lastOffsetDelta        last offset - baseOffset
//   27     8    baseTimestamp          (firstTimestamp)
//   35     8    maxTimestamp
//   43     8    producerId             -1 when not idempotent
//   51     2    producerEpoch
//   53     4    baseSequence
//   57     4    recordCount
//   61     ...  records                (compressed as a whole when the codec is not none)
//
// This header is what the partition log needs to index, truncate and serve batches without
// looking at records; record encoding and iteration live in core/record/record_batch.h.

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace samsa {

inline constexpr size_t kBatchHeaderBytes = 61;
inline constexpr size_t kBatchLengthFieldEnd = 12;  // baseOffset + batchLength
inline constexpr size_t kBatchLeaderEpochOffset = 12;  // partitionLeaderEpoch: outside the CRC
inline constexpr size_t kBatchCrcOffset = 17;
inline constexpr size_t kBatchAttributesOffset = 21;
inline constexpr int8_t kRecordBatchMagic = 2;

enum class CompressionCodec : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = kRecordBatchMagic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  // Total bytes of the batch, header included.
  size_t total_bytes() const { return size_t(batch_length) + kBatchLengthFieldEnd; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  CompressionCodec compression() const { return CompressionCodec(attributes & 0x7); }
  bool log_append_time() const { return (attributes & 0x8) != 0; }
  bool transactional() const { return (attributes & 0x10) != 0; }
  bool control() const { return (attributes & 0x20) != 0; }
};

// Smallest legal batchLength: the header after the length field, with no records.
inline constexpr int32_t kMinBatchLength = int32_t(kBatchHeaderBytes - kBatchLengthFieldEnd);

// Reads the 12-byte prefix (baseOffset, batchLength) and checks that batchLength is sane.
// Returns the batch's total size. Truncated if fewer than 12 bytes; Corruption if the length is
// below the minimum or above max_batch_bytes.
Result<size_t> PeekBatchSize(ByteView data, size_t max_batch_bytes);

// Parses the fixed header from its first 61 bytes alone (the body need not be in memory, as when
// the log reads headers from disk). Checks magic (Corruption, not Unsupported: on disk any other
// value is damage), batchLength >= minimum, and non-negative, non-overflowing offsets.
Result<BatchHeader> ParseBatchHeaderPrefix(ByteView data);

// Parses the fixed header of the batch at the start of data (which holds at least the whole
// batch). Checks magic, length and that lastOffsetDelta/recordCount are consistent; does not
// check the CRC.
Result<BatchHeader> ParseBatchHeader(ByteView data);

// Parses the header and verifies the CRC over the whole batch (data may extend past it).
Result<BatchHeader> ValidateBatch(ByteView data);

// Computes the CRC a batch should carry (over bytes [21, total)).
uint32_t ComputeBatchCrc(ByteView batch);

// Rewrites fields that do not participate in the CRC, in place.
void SetBatchBaseOffset(uint8_t* batch, int64_t base_offset);
void SetBatchPartitionLeaderEpoch(uint8_t* batch, int32_t epoch);

}  // namespace samsa
