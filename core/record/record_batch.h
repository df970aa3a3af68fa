#pragma once
// RecordBatch v2 records: encoding (RecordBatchBuilder), validation and iteration
// (RecordIterator, DecodeRecords), and splitting a RECORDS field into batches (SplitBatches).
// The 61-byte batch header is in core/record/batch_header.h; codecs in core/record/compression.h.
//
// After the header come recordCount records, back to back; when the batch's codec is not none,
// the whole run of records is compressed as one blob. One record:
//
//   field            encoding                       notes
//   length           varint (zigzag)                bytes of the record after this field
//   attributes       int8                           unused, 0 when written
//   timestampDelta   varlong (zigzag)               timestamp - batch baseTimestamp
//   offsetDelta      varint (zigzag)                offset - batch baseOffset
//   keyLength        varint (zigzag)                -1 = null key
//   key              keyLength bytes
//   valueLength      varint (zigzag)                -1 = null value
//   value            valueLength bytes
//   headersCount     varint (zigzag)                >= 0
//   headers          headersCount times:
//     headerKeyLength    varint (zigzag)            >= 0 (header keys are never null)
//     headerKey          headerKeyLength bytes      UTF-8 by convention (not checked)
//     headerValueLength  varint (zigzag)            -1 = null value
//     headerValue        headerValueLength bytes
//
// Example: offsetDelta 1, timestampDelta 5, null key, value "v2", no headers encodes as
//   10 00 0a 02 01 04 76 32 00     (length 8, attributes 0, 5, 1, -1, 2, 'v' '2', 0 headers)
//
// Validation rules applied by the decoder (anything else is Corruption): the batch CRC matches;
// exactly recordCount records decode; each record's fields fill exactly its declared length; the
// records (decompressed) leave no trailing bytes; offsetDeltas strictly increase and never exceed
// lastOffsetDelta (compaction may leave gaps, so the last delta may be smaller). A batch with
// recordCount 0 and no record bytes is valid for every codec (a compacted-away batch).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/record/batch_header.h"
#include "core/record/compression.h"

namespace samsa {

struct RecordHeader {
  std::string key;
  std::optional<Bytes> value;

  friend bool operator==(const RecordHeader&, const RecordHeader&) = default;
};

struct Record {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<RecordHeader> headers;

  // The record's offset: batch baseOffset + offsetDelta.
  int64_t AbsoluteOffset(const BatchHeader& batch) const;
  // The record's timestamp: the batch maxTimestamp when the batch uses LogAppendTime, else
  // baseTimestamp + timestampDelta (wrapping, as Java's long arithmetic does).
  int64_t AbsoluteTimestamp(const BatchHeader& batch) const;

  friend bool operator==(const Record&, const Record&) = default;
};

// Appends the encoding of one record (length prefix included).
void EncodeRecord(const Record& record, Bytes& out);
// Decodes the record at data[*pos] and advances *pos past it; Corruption when malformed.
Status DecodeRecord(ByteView data, size_t* pos, Record* record);

enum class TimestampType : uint8_t { kCreateTime = 0, kLogAppendTime = 1 };

// Default bound on a batch's decompressed records for callers without a configured one.
inline constexpr size_t kDefaultMaxDecompressedBytes = 64u << 20;

// Builds one RecordBatch v2. Configure with the setters (defaults: base offset 0, leader epoch
// -1, no compression, CreateTime, not transactional, not control, producer id -1 / epoch -1,
// base sequence -1), Add() records, then Build(). Records are encoded as they are added; Build()
// compresses them as one block, fills lastOffsetDelta, baseTimestamp (the first record's),
// maxTimestamp, recordCount and batchLength, and computes the CRC. Build() does not consume the
// builder; Clear() forgets the records and keeps the configuration.
class RecordBatchBuilder {
 public:
  RecordBatchBuilder() = default;

  // Room for about `record_bytes` of encoded records (a hint: appends grow past it).
  void Reserve(size_t record_bytes) { records_.reserve(record_bytes); }

  RecordBatchBuilder& set_base_offset(int64_t v) {
    base_offset_ = v;
    return *this;
  }
  RecordBatchBuilder& set_partition_leader_epoch(int32_t v) {
    partition_leader_epoch_ = v;
    return *this;
  }
  RecordBatchBuilder& set_compression(CompressionCodec codec, int level = kDefaultCompressionLevel) {
    codec_ = codec;
    compression_level_ = level;
    return *this;
  }
  // With kLogAppendTime and log_append_time_ms >= 0, maxTimestamp is that time (what the broker
  // stamps); otherwise maxTimestamp is the largest record timestamp.
  RecordBatchBuilder& set_timestamp_type(TimestampType type, int64_t log_append_time_ms = -1) {
    timestamp_type_ = type;
    log_append_time_ms_ = log_append_time_ms;
    return *this;
  }
  RecordBatchBuilder& set_transactional(bool v) {
    transactional_ = v;
    return *this;
  }
  RecordBatchBuilder& set_control(bool v) {
    control_ = v;
    return *this;
  }
  RecordBatchBuilder& set_producer(int64_t producer_id, int16_t producer_epoch) {
    producer_id_ = producer_id;
    producer_epoch_ = producer_epoch;
    return *this;
  }
  RecordBatchBuilder& set_base_sequence(int32_t v) {
    base_sequence_ = v;
    return *this;
  }

  // Adds a record at the next offset delta (0 for the first, then previous + 1). Overflowing
  // int32 deltas or counts is remembered and reported by Build().
  void Add(int64_t timestamp_ms, std::optional<ByteView> key, std::optional<ByteView> value,
           std::span<const RecordHeader> headers = {});
  // Adds a record at an explicit offset delta, which must exceed every earlier one.
  Status AddWithOffsetDelta(int32_t offset_delta, int64_t timestamp_ms, std::optional<ByteView> key,
                            std::optional<ByteView> value, std::span<const RecordHeader> headers = {});

  int32_t record_count() const { return record_count_; }
  // Bytes of encoded (uncompressed) records so far; the batch is this plus 61 when uncompressed.
  size_t records_bytes() const { return records_.size(); }

  // The complete batch. InvalidArgument when empty, when an Add failed, or when the batch
  // would not fit batchLength (int32).
  Result<Bytes> Build() const;
  void Clear();

 private:
  void Append(int32_t offset_delta, int64_t timestamp_ms, std::optional<ByteView> key, std::optional<ByteView> value,
              std::span<const RecordHeader> headers);

  int64_t base_offset_ = 0;
  int32_t partition_leader_epoch_ = -1;
  CompressionCodec codec_ = CompressionCodec::kNone;
  int compression_level_ = kDefaultCompressionLevel;
  TimestampType timestamp_type_ = TimestampType::kCreateTime;
  int64_t log_append_time_ms_ = -1;
  bool transactional_ = false;
  bool control_ = false;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;

  Bytes records_;
  int32_t record_count_ = 0;
  int32_t last_offset_delta_ = -1;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
  Status error_;
};

// Iterates over the records of one batch. Open() validates the batch (header and CRC) and
// decompresses its records (at most max_decompressed_bytes), then Next() decodes one record at a
// time:
//
//   SAMSA_ASSIGN_OR_RETURN(RecordIterator it, RecordIterator::Open(batch, max_bytes));
//   Record r;
//   for (;;) {
//     SAMSA_ASSIGN_OR_RETURN(bool more, it.Next(&r));
//     if (!more) break;
//     ...
//   }
//
// Next() returns false once recordCount records have been read and the end checks (no trailing
// bytes) pass; any malformation is a Corruption status. The batch's bytes must outlive the
// iterator when uncompressed (the iterator keeps a view); compressed records are owned.
class RecordIterator {
 public:
  // data starts with a batch and may extend past it (only the batch is read).
  static Result<RecordIterator> Open(ByteView data, size_t max_decompressed_bytes);

  const BatchHeader& header() const { return header_; }
  Result<bool> Next(Record* record);
  // Next() without the record: the same checks and the same answer, nothing copied (for a caller
  // that only validates).
  Result<bool> Skip();
  // Records decoded so far.
  int32_t records_read() const { return read_; }
  // Size of the (decompressed) records section.
  size_t records_bytes() const { return records().size(); }

 private:
  RecordIterator() = default;
  ByteView records() const { return compressed_ ? ByteView(decompressed_) : raw_records_; }
  // Next (record set) or Skip (record null).
  Result<bool> Advance(Record* record);

  BatchHeader header_;
  bool compressed_ = false;
  ByteView raw_records_;
  Bytes decompressed_;
  size_t pos_ = 0;
  int32_t read_ = 0;
  int64_t last_offset_delta_seen_ = -1;
};

// All records of the batch at the start of data, through RecordIterator.
Result<std::vector<Record>> DecodeRecords(ByteView batch, size_t max_decompressed_bytes);

// Splits a Produce/Fetch RECORDS field into whole batches, in order, by their batchLength (the
// batches themselves are not validated). A trailing partial batch (fewer than 12 bytes, or fewer
// than its batchLength says) is normal at the end of a Fetch response: it is not an error and
// not returned among the batches; *partial_tail (if given) receives it (empty when none).
// Corruption when a batchLength is below the minimum batch size.
// The batches of `records_field` (whole, valid batches: a producer's checked RECORDS) with every
// batch whose codec is not `codec` rebuilt with it: same offsets deltas, timestamps, keys, values,
// headers, producer id, epoch, sequence and flags. What a leader does for a topic whose
// compression.type names a codec (Kafka's LogValidator).
Result<Bytes> RecompressBatches(ByteView records_field, CompressionCodec codec);

Result<std::vector<ByteView>> SplitBatches(ByteView records_field, ByteView* partial_tail = nullptr);

}  // namespace samsa
