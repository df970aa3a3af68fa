#include "core/record/record_batch.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "core/base/assert.h"
#include "core/base/varint.h"

namespace samsa {
namespace {

// attributes(1) + timestampDelta(1) + offsetDelta(1) + keyLength(1) + valueLength(1) +
// headersCount(1): the smallest possible record body.
constexpr int32_t kMinRecordBodyBytes = 6;

size_t NullableBytesSize(const std::optional<ByteView>& b) {
  return b ? VarintSize(int32_t(b->size())) + b->size() : VarintSize(-1);
}

std::optional<ByteView> ViewOf(const std::optional<Bytes>& b) {
  if (!b) return std::nullopt;
  return ByteView(*b);
}

// The body size of a record (everything after the length varint), or -1 when it exceeds int32.
int64_t RecordBodySize(int64_t timestamp_delta, int32_t offset_delta, const std::optional<ByteView>& key,
                       const std::optional<ByteView>& value, std::span<const RecordHeader> headers) {
  uint64_t size = 1 + VarlongSize(timestamp_delta) + VarintSize(offset_delta);
  auto too_big = [](size_t n) { return n > size_t(INT32_MAX); };
  if ((key && too_big(key->size())) || (value && too_big(value->size())) || too_big(headers.size())) return -1;
  size += NullableBytesSize(key) + NullableBytesSize(value) + VarintSize(int32_t(headers.size()));
  for (const RecordHeader& h : headers) {
    if (too_big(h.key.size()) || (h.value && too_big(h.value->size()))) return -1;
    size += VarintSize(int32_t(h.key.size())) + h.key.size() + NullableBytesSize(ViewOf(h.value));
    if (size > uint64_t(INT32_MAX)) return -1;
  }
  return size > uint64_t(INT32_MAX) ? -1 : int64_t(size);
}

uint8_t* WriteNullableBytes(uint8_t* p, const std::optional<ByteView>& b) {
  if (!b) return WriteVarint(p, -1);
  p = WriteVarint(p, int32_t(b->size()));
  if (!b->empty()) std::memcpy(p, b->data(), b->size());
  return p + b->size();
}

// Appends one record whose body is body_size bytes (RecordBodySize()): the buffer is sized once
// and written in place, since producers encode every record they send.
void PutRecord(Bytes& out, int32_t body_size, int8_t attributes, int64_t timestamp_delta, int32_t offset_delta,
               const std::optional<ByteView>& key, const std::optional<ByteView>& value,
               std::span<const RecordHeader> headers) {
  const size_t start = out.size();
  const size_t total = VarintSize(body_size) + size_t(body_size);
  out.resize(start + total);
  uint8_t* p = out.data() + start;
  p = WriteVarint(p, body_size);
  *p++ = uint8_t(attributes);
  p = WriteVarlong(p, timestamp_delta);
  p = WriteVarint(p, offset_delta);
  p = WriteNullableBytes(p, key);
  p = WriteNullableBytes(p, value);
  p = WriteVarint(p, int32_t(headers.size()));
  for (const RecordHeader& h : headers) {
    p = WriteVarint(p, int32_t(h.key.size()));
    if (!h.key.empty()) std::memcpy(p, h.key.data(), h.key.size());
    p += h.key.size();
    p = WriteNullableBytes(p, ViewOf(h.value));
  }
  SAMSA_ASSERT(p == out.data() + start + total);
}

Status RecordError(std::string what) { return Status::Corruption("record: " + what); }

// Reads a varint length at body[*pos]: -1 means null (when allowed); otherwise it must fit in the
// rest of the body.
Status GetLength(ByteView body, size_t* pos, bool nullable, const char* field, int32_t* length) {
  if (!GetVarint(body, pos, length)) return RecordError(std::string(field) + " length: truncated or overlong varint");
  if (*length == -1 && nullable) return Status::Ok();
  if (*length < 0) return RecordError(std::string(field) + " length " + std::to_string(*length) + " is negative");
  if (size_t(*length) > body.size() - *pos)
    return RecordError(std::string(field) + " length " + std::to_string(*length) + " exceeds the record");
  return Status::Ok();
}

Status GetNullableBytes(ByteView body, size_t* pos, const char* field, std::optional<Bytes>* out) {
  int32_t length;
  SAMSA_RETURN_IF_ERROR(GetLength(body, pos, /*nullable=*/true, field, &length));
  if (length < 0) {
    out->reset();
    return Status::Ok();
  }
  const uint8_t* p = body.data() + *pos;
  if (*out) {
    (*out)->assign(p, p + length);
  } else {
    out->emplace(p, p + length);
  }
  *pos += size_t(length);
  return Status::Ok();
}

}  // namespace

int64_t Record::AbsoluteOffset(const BatchHeader& batch) const {
  return int64_t(uint64_t(batch.base_offset) + uint64_t(int64_t(offset_delta)));
}

int64_t Record::AbsoluteTimestamp(const BatchHeader& batch) const {
  if (batch.log_append_time()) return batch.max_timestamp;
  return int64_t(uint64_t(batch.base_timestamp) + uint64_t(timestamp_delta));
}

void EncodeRecord(const Record& record, Bytes& out) {
  std::optional<ByteView> key = ViewOf(record.key);
  std::optional<ByteView> value = ViewOf(record.value);
  int64_t body = RecordBodySize(record.timestamp_delta, record.offset_delta, key, value, record.headers);
  SAMSA_ASSERT_MSG(body >= 0, "record larger than 2 GiB");
  PutRecord(out, int32_t(body), record.attributes, record.timestamp_delta, record.offset_delta, key, value,
            record.headers);
}

namespace {

// Skips a nullable bytes field, with GetNullableBytes' checks.
Status SkipNullableBytes(ByteView body, size_t* pos, const char* field) {
  int32_t length;
  SAMSA_RETURN_IF_ERROR(GetLength(body, pos, /*nullable=*/true, field, &length));
  if (length > 0) *pos += size_t(length);
  return Status::Ok();
}

// The record at data[*pos]: decoded into *record (kDecode), or only checked (the same checks,
// nothing copied). *offset_delta receives its offset delta either way.
template <bool kDecode>
Status ParseRecord(ByteView data, size_t* pos, Record* record, int32_t* offset_delta) {
  size_t p = *pos;
  int32_t length;
  if (!GetVarint(data, &p, &length)) return RecordError("length: truncated or overlong varint");
  if (length < kMinRecordBodyBytes) return RecordError("length " + std::to_string(length) + " below minimum");
  if (size_t(length) > data.size() - p)
    return RecordError("length " + std::to_string(length) + " exceeds the " + std::to_string(data.size() - p) +
                       " bytes left");
  ByteView body = data.subspan(p, size_t(length));
  size_t q = 0;
  int8_t attributes = int8_t(body[q++]);
  int64_t timestamp_delta = 0;
  if constexpr (kDecode) record->attributes = attributes;
  if (!GetVarlong(body, &q, kDecode ? &record->timestamp_delta : &timestamp_delta))
    return RecordError("timestampDelta: bad varlong");
  if (!GetVarint(body, &q, offset_delta)) return RecordError("offsetDelta: bad varint");
  if constexpr (kDecode) {
    record->offset_delta = *offset_delta;
    SAMSA_RETURN_IF_ERROR(GetNullableBytes(body, &q, "key", &record->key));
    SAMSA_RETURN_IF_ERROR(GetNullableBytes(body, &q, "value", &record->value));
  } else {
    SAMSA_RETURN_IF_ERROR(SkipNullableBytes(body, &q, "key"));
    SAMSA_RETURN_IF_ERROR(SkipNullableBytes(body, &q, "value"));
  }
  int32_t header_count;
  if (!GetVarint(body, &q, &header_count)) return RecordError("headersCount: bad varint");
  // Each header takes at least 2 bytes: reject absurd counts before allocating.
  if (header_count < 0 || size_t(header_count) > (body.size() - q) / 2)
    return RecordError("headersCount " + std::to_string(header_count) + " impossible in the record");
  if constexpr (kDecode) record->headers.resize(size_t(header_count));
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_length;
    SAMSA_RETURN_IF_ERROR(GetLength(body, &q, /*nullable=*/false, "header key", &key_length));
    if constexpr (kDecode) {
      RecordHeader& h = record->headers[size_t(i)];
      h.key.assign(reinterpret_cast<const char*>(body.data() + q), size_t(key_length));
      q += size_t(key_length);
      SAMSA_RETURN_IF_ERROR(GetNullableBytes(body, &q, "header value", &h.value));
    } else {
      q += size_t(key_length);
      SAMSA_RETURN_IF_ERROR(SkipNullableBytes(body, &q, "header value"));
    }
  }
  if (q != body.size())
    return RecordError("fields use " + std::to_string(q) + " bytes but length says " + std::to_string(length));
  *pos = p + size_t(length);
  return Status::Ok();
}

// A nullable length at body[*pos] that ParseRecord accepts (-1 when nullable, else 0..what is
// left); advances *pos past the varint.
bool LengthOk(ByteView body, size_t* pos, bool nullable, int32_t* length) {
  if (!GetVarint(body, pos, length)) return false;
  if (*length == -1 && nullable) return true;
  return *length >= 0 && size_t(*length) <= body.size() - *pos;
}

// ParseRecord<false> without building a Status: true (and *pos, *offset_delta set) only for a
// record ParseRecord accepts; false leaves *pos alone, for ParseRecord to say what is wrong.
bool SkipValidRecord(ByteView data, size_t* pos, int32_t* offset_delta) {
  size_t p = *pos;
  int32_t length;
  if (!GetVarint(data, &p, &length) || length < kMinRecordBodyBytes || size_t(length) > data.size() - p) return false;
  ByteView body = data.subspan(p, size_t(length));
  size_t q = 1;  // attributes
  int64_t timestamp_delta;
  int32_t delta, n;
  if (!GetVarlong(body, &q, &timestamp_delta) || !GetVarint(body, &q, &delta)) return false;
  for (int field = 0; field < 2; ++field) {  // key, value
    if (!LengthOk(body, &q, /*nullable=*/true, &n)) return false;
    if (n > 0) q += size_t(n);
  }
  int32_t header_count;
  if (!GetVarint(body, &q, &header_count)) return false;
  if (header_count < 0 || size_t(header_count) > (body.size() - q) / 2) return false;
  for (int32_t i = 0; i < header_count; ++i) {
    if (!LengthOk(body, &q, /*nullable=*/false, &n)) return false;
    q += size_t(n);
    if (!LengthOk(body, &q, /*nullable=*/true, &n)) return false;
    if (n > 0) q += size_t(n);
  }
  if (q != body.size()) return false;
  *pos = p + size_t(length);
  *offset_delta = delta;
  return true;
}

}  // namespace

Status DecodeRecord(ByteView data, size_t* pos, Record* record) {
  int32_t offset_delta;
  return ParseRecord<true>(data, pos, record, &offset_delta);
}


// ---- RecordBatchBuilder ----

void RecordBatchBuilder::Add(int64_t timestamp_ms, std::optional<ByteView> key, std::optional<ByteView> value,
                             std::span<const RecordHeader> headers) {
  if (last_offset_delta_ == INT32_MAX) {
    if (error_.ok()) error_ = Status::InvalidArgument("batch offset delta overflows int32");
    return;
  }
  Append(last_offset_delta_ + 1, timestamp_ms, key, value, headers);
}

Status RecordBatchBuilder::AddWithOffsetDelta(int32_t offset_delta, int64_t timestamp_ms, std::optional<ByteView> key,
                                              std::optional<ByteView> value, std::span<const RecordHeader> headers) {
  if (offset_delta <= last_offset_delta_)
    return Status::InvalidArgument("offset delta " + std::to_string(offset_delta) + " does not exceed " +
                                   std::to_string(last_offset_delta_));
  Append(offset_delta, timestamp_ms, key, value, headers);
  return error_;
}

void RecordBatchBuilder::Append(int32_t offset_delta, int64_t timestamp_ms, std::optional<ByteView> key,
                                std::optional<ByteView> value, std::span<const RecordHeader> headers) {
  if (!error_.ok()) return;
  if (record_count_ == 0) {
    base_timestamp_ = timestamp_ms;
    max_timestamp_ = timestamp_ms;
  }
  // Wrapping subtraction: the decoder's wrapping addition restores the timestamp exactly.
  int64_t timestamp_delta = int64_t(uint64_t(timestamp_ms) - uint64_t(base_timestamp_));
  int64_t body = RecordBodySize(timestamp_delta, offset_delta, key, value, headers);
  if (body < 0) {
    error_ = Status::InvalidArgument("record larger than 2 GiB");
    return;
  }
  PutRecord(records_, int32_t(body), 0, timestamp_delta, offset_delta, key, value, headers);
  max_timestamp_ = std::max(max_timestamp_, timestamp_ms);
  last_offset_delta_ = offset_delta;
  ++record_count_;
}

Result<Bytes> RecordBatchBuilder::Build() const {
  if (!error_.ok()) return error_;
  if (record_count_ == 0) return Status::InvalidArgument("cannot build an empty record batch");
  Bytes compressed;
  ByteView payload = records_;
  if (codec_ != CompressionCodec::kNone) {
    SAMSA_ASSIGN_OR_RETURN(compressed, Compress(codec_, records_, compression_level_));
    payload = compressed;
  }
  size_t total = kBatchHeaderBytes + payload.size();
  if (total - kBatchLengthFieldEnd > size_t(INT32_MAX))
    return Status::InvalidArgument("record batch of " + std::to_string(total) + " bytes exceeds batchLength");

  int16_t attributes = int16_t(codec_);
  if (timestamp_type_ == TimestampType::kLogAppendTime) attributes |= 0x8;
  if (transactional_) attributes |= 0x10;
  if (control_) attributes |= 0x20;
  int64_t max_timestamp = max_timestamp_;
  if (timestamp_type_ == TimestampType::kLogAppendTime && log_append_time_ms_ >= 0) max_timestamp = log_append_time_ms_;

  Bytes out(total);
  uint8_t* p = out.data();
  StoreBe64(p + 0, uint64_t(base_offset_));
  StoreBe32(p + 8, uint32_t(total - kBatchLengthFieldEnd));
  StoreBe32(p + 12, uint32_t(partition_leader_epoch_));
  p[16] = uint8_t(kRecordBatchMagic);
  StoreBe16(p + 21, uint16_t(attributes));
  StoreBe32(p + 23, uint32_t(last_offset_delta_));
  StoreBe64(p + 27, uint64_t(base_timestamp_));
  StoreBe64(p + 35, uint64_t(max_timestamp));
  StoreBe64(p + 43, uint64_t(producer_id_));
  StoreBe16(p + 51, uint16_t(producer_epoch_));
  StoreBe32(p + 53, uint32_t(base_sequence_));
  StoreBe32(p + 57, uint32_t(record_count_));
  if (!payload.empty()) std::memcpy(p + kBatchHeaderBytes, payload.data(), payload.size());
  StoreBe32(p + kBatchCrcOffset, ComputeBatchCrc(out));
  return out;
}

void RecordBatchBuilder::Clear() {
  records_.clear();
  record_count_ = 0;
  last_offset_delta_ = -1;
  base_timestamp_ = 0;
  max_timestamp_ = 0;
  error_ = Status::Ok();
}

// ---- RecordIterator ----

Result<RecordIterator> RecordIterator::Open(ByteView data, size_t max_decompressed_bytes) {
  SAMSA_ASSIGN_OR_RETURN(BatchHeader header, ValidateBatch(data));
  RecordIterator it;
  it.header_ = header;
  ByteView body = data.subspan(kBatchHeaderBytes, header.total_bytes() - kBatchHeaderBytes);
  // A batch emptied by compaction may carry no compressed blob at all.
  if (header.compression() == CompressionCodec::kNone || (header.record_count == 0 && body.empty())) {
    it.raw_records_ = body;
    return it;
  }
  Result<Bytes> records = Decompress(header.compression(), body, max_decompressed_bytes);
  if (!records.ok()) return records.status().WithContext("batch at offset " + std::to_string(header.base_offset));
  it.decompressed_ = std::move(records).value();
  it.compressed_ = true;
  return it;
}

Result<bool> RecordIterator::Next(Record* record) { return Advance(record); }

Result<bool> RecordIterator::Skip() { return Advance(nullptr); }

Result<bool> RecordIterator::Advance(Record* record) {
  ByteView data = records();
  auto context = [&] {
    return "batch at offset " + std::to_string(header_.base_offset) + ", record " + std::to_string(read_);
  };
  if (read_ == header_.record_count) {
    if (pos_ != data.size())
      return Status::Corruption(context() + ": " + std::to_string(data.size() - pos_) +
                                " bytes after the last of recordCount records");
    return false;
  }
  if (pos_ >= data.size())
    return Status::Corruption(context() + ": records end before recordCount " + std::to_string(header_.record_count));
  int32_t offset_delta = 0;
  if (record != nullptr || !SkipValidRecord(data, &pos_, &offset_delta)) {
    Status s = record != nullptr ? ParseRecord<true>(data, &pos_, record, &offset_delta)
                                 : ParseRecord<false>(data, &pos_, nullptr, &offset_delta);
    if (!s.ok()) return s.WithContext(context());
  }
  if (int64_t(offset_delta) <= last_offset_delta_seen_)
    return Status::Corruption(context() + ": offsetDelta " + std::to_string(offset_delta) +
                              " does not increase");
  if (offset_delta > header_.last_offset_delta)
    return Status::Corruption(context() + ": offsetDelta " + std::to_string(offset_delta) +
                              " exceeds lastOffsetDelta " + std::to_string(header_.last_offset_delta));
  last_offset_delta_seen_ = offset_delta;
  ++read_;
  return true;
}

Result<std::vector<Record>> DecodeRecords(ByteView batch, size_t max_decompressed_bytes) {
  SAMSA_ASSIGN_OR_RETURN(RecordIterator it, RecordIterator::Open(batch, max_decompressed_bytes));
  std::vector<Record> records;
  // Every record takes at least 7 bytes; do not trust recordCount for the reservation.
  records.reserve(std::min<size_t>(size_t(it.header().record_count), it.records_bytes() / 7));
  Record record;
  for (;;) {
    SAMSA_ASSIGN_OR_RETURN(bool more, it.Next(&record));
    if (!more) break;
    records.push_back(std::move(record));
    record = Record();
  }
  return records;
}

Result<Bytes> RecompressBatches(ByteView records_field, CompressionCodec codec) {
  SAMSA_ASSIGN_OR_RETURN(std::vector<ByteView> batches, SplitBatches(records_field));
  Bytes out;
  out.reserve(records_field.size());
  for (ByteView batch : batches) {
    SAMSA_ASSIGN_OR_RETURN(RecordIterator it, RecordIterator::Open(batch, kDefaultMaxDecompressedBytes));
    const BatchHeader h = it.header();
    if (h.compression() == codec) {
      out.insert(out.end(), batch.begin(), batch.end());
      continue;
    }
    RecordBatchBuilder b;
    b.set_base_offset(h.base_offset)
        .set_partition_leader_epoch(h.partition_leader_epoch)
        .set_compression(codec)
        .set_timestamp_type(h.log_append_time() ? TimestampType::kLogAppendTime : TimestampType::kCreateTime,
                            h.log_append_time() ? h.max_timestamp : -1)
        .set_transactional(h.transactional())
        .set_control(h.control())
        .set_producer(h.producer_id, h.producer_epoch)
        .set_base_sequence(h.base_sequence);
    Record r;
    for (;;) {
      SAMSA_ASSIGN_OR_RETURN(bool more, it.Next(&r));
      if (!more) break;
      std::optional<ByteView> key, value;
      if (r.key) key = ByteView(*r.key);
      if (r.value) value = ByteView(*r.value);
      SAMSA_RETURN_IF_ERROR(b.AddWithOffsetDelta(r.offset_delta, r.AbsoluteTimestamp(h), key, value, r.headers));
      r = Record();
    }
    SAMSA_ASSIGN_OR_RETURN(Bytes rebuilt, b.Build());
    out.insert(out.end(), rebuilt.begin(), rebuilt.end());
  }
  return out;
}

Result<std::vector<ByteView>> SplitBatches(ByteView records_field, ByteView* partial_tail) {
  std::vector<ByteView> batches;
  if (partial_tail != nullptr) *partial_tail = ByteView();
  size_t pos = 0;
  while (pos < records_field.size()) {
    ByteView rest = records_field.subspan(pos);
    if (rest.size() < kBatchLengthFieldEnd) {
      if (partial_tail != nullptr) *partial_tail = rest;
      break;
    }
    SAMSA_ASSIGN_OR_RETURN(size_t total, PeekBatchSize(rest, SIZE_MAX));
    if (total > rest.size()) {
      if (partial_tail != nullptr) *partial_tail = rest;
      break;
    }
    batches.push_back(rest.first(total));
    pos += total;
  }
  return batches;
}

}  // namespace samsa
