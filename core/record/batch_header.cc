#include "core/record/batch_header.h"

#include <string>

#include "core/base/crc32c.h"

namespace samsa {

Result<size_t> PeekBatchSize(ByteView data, size_t max_batch_bytes) {
  if (data.size() < kBatchLengthFieldEnd) return Status::Truncated("batch prefix needs 12 bytes");
  int32_t length = int32_t(LoadBe32(data.data() + 8));
  if (length < kMinBatchLength)
    return Status::Corruption("batchLength " + std::to_string(length) + " below minimum " +
                              std::to_string(kMinBatchLength));
  size_t total = size_t(length) + kBatchLengthFieldEnd;
  if (total > max_batch_bytes)
    return Status::Corruption("batch of " + std::to_string(total) + " bytes exceeds limit " +
                              std::to_string(max_batch_bytes));
  return total;
}

namespace {
BatchHeader DecodeHeaderFields(const uint8_t* p) {
  BatchHeader h;
  h.base_offset = int64_t(LoadBe64(p));
  h.batch_length = int32_t(LoadBe32(p + 8));
  h.partition_leader_epoch = int32_t(LoadBe32(p + 12));
  h.magic = int8_t(p[16]);
  h.crc = LoadBe32(p + 17);
  h.attributes = int16_t(LoadBe16(p + 21));
  h.last_offset_delta = int32_t(LoadBe32(p + 23));
  h.base_timestamp = int64_t(LoadBe64(p + 27));
  h.max_timestamp = int64_t(LoadBe64(p + 35));
  h.producer_id = int64_t(LoadBe64(p + 43));
  h.producer_epoch = int16_t(LoadBe16(p + 51));
  h.base_sequence = int32_t(LoadBe32(p + 53));
  h.record_count = int32_t(LoadBe32(p + 57));
  return h;
}

// The checks that need only the header; `magic_error` decides how a foreign magic is reported.
Status CheckHeaderFields(const BatchHeader& h, StatusCode magic_error) {
  if (h.magic != kRecordBatchMagic)
    return Status(magic_error, "record batch magic " + std::to_string(h.magic) + " (only 2 is supported)");
  if (h.batch_length < kMinBatchLength)
    return Status::Corruption("batchLength " + std::to_string(h.batch_length) + " below minimum");
  if (h.record_count < 0 || h.last_offset_delta < 0) return Status::Corruption("negative recordCount or lastOffsetDelta");
  if (h.base_offset < 0) return Status::Corruption("negative baseOffset");
  if (h.base_offset > INT64_MAX - h.last_offset_delta) return Status::Corruption("offset overflow");
  return Status::Ok();
}
}  // namespace

Result<BatchHeader> ParseBatchHeaderPrefix(ByteView data) {
  if (data.size() < kBatchHeaderBytes) return Status::Truncated("batch header needs 61 bytes");
  BatchHeader h = DecodeHeaderFields(data.data());
  SAMSA_RETURN_IF_ERROR(CheckHeaderFields(h, StatusCode::kCorruption));
  return h;
}

Result<BatchHeader> ParseBatchHeader(ByteView data) {
  if (data.size() < kBatchHeaderBytes)
    return Status::Truncated("batch header needs 61 bytes, have " + std::to_string(data.size()));
  BatchHeader h = DecodeHeaderFields(data.data());
  SAMSA_RETURN_IF_ERROR(CheckHeaderFields(h, StatusCode::kUnsupported));
  if (h.total_bytes() > data.size())
    return Status::Truncated("batch of " + std::to_string(h.total_bytes()) + " bytes, have " +
                             std::to_string(data.size()));
  // An uncompressed batch of N records needs at least N bytes of records (each is >= 7 bytes,
  // but 1 byte each is enough to reject absurd counts before iterating).
  if (h.compression() == CompressionCodec::kNone &&
      size_t(h.record_count) > h.total_bytes() - kBatchHeaderBytes)
    return Status::Corruption("recordCount " + std::to_string(h.record_count) + " cannot fit in batch");
  return h;
}

uint32_t ComputeBatchCrc(ByteView batch) {
  return Crc32c(batch.subspan(kBatchAttributesOffset));
}

Result<BatchHeader> ValidateBatch(ByteView data) {
  SAMSA_ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader(data));
  uint32_t actual = ComputeBatchCrc(data.first(h.total_bytes()));
  if (actual != h.crc)
    return Status::Corruption("batch at offset " + std::to_string(h.base_offset) + ": CRC mismatch (stored " +
                              std::to_string(h.crc) + ", computed " + std::to_string(actual) + ")");
  return h;
}

void SetBatchBaseOffset(uint8_t* batch, int64_t base_offset) { StoreBe64(batch, uint64_t(base_offset)); }

void SetBatchPartitionLeaderEpoch(uint8_t* batch, int32_t epoch) {
  StoreBe32(batch + kBatchLeaderEpochOffset, uint32_t(epoch));
}

}  // namespace samsa
