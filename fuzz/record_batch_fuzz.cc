// libFuzzer target for core/record: SplitBatches, ValidateBatch, DecodeRecords, Decompress.
//
// Input layout: byte 0 = control, the rest = data.
//   control bits 0-2: codec (value mod 5) for Decompress/Compress below
//   control bits 3-4: mode
//     0  data as a RECORDS field: SplitBatches, then ValidateBatch + DecodeRecords on each batch
//        and on the tail; DecodeRecords on data itself.
//     1  CRC patched: data's batchLength is set to its size, magic to 2 and the CRC recomputed
//        before decoding, so that mutations reach record decoding instead of dying at the CRC.
//     2  compressed records: data[0, 61) is the header, data[61, end) raw records; the records
//        are compressed with the chosen codec, the header patched (codec, length, magic, CRC),
//        then decoded: record decoding behind every decompressor.
//     3  Decompress only, plus a round trip of whatever it produced.
//   Every mode also runs Decompress(codec, data) with a 1 MiB bound.
// Properties checked (abort on violation): SplitBatches accounts for every byte; decoding a
// batch yields exactly recordCount records with increasing offset deltas; decoded records
// re-encode and decode to themselves; Decompress never exceeds its bound; compress/decompress
// round trips.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/record/batch_header.h"
#include "core/record/compression.h"
#include "core/record/record_batch.h"

namespace samsa {
namespace {

constexpr size_t kMaxDecompressedBytes = 1 << 20;

void Check(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "record_batch_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

void CheckDecoded(ByteView batch) {
  auto records = DecodeRecords(batch, kMaxDecompressedBytes);
  if (!records.ok()) return;
  auto header = ValidateBatch(batch);
  Check(header.ok(), "DecodeRecords accepted a batch ValidateBatch rejects");
  Check(records->size() == size_t(header->record_count), "record count differs from recordCount");
  int64_t previous = -1;
  for (const Record& r : *records) {
    Check(r.offset_delta > previous, "offset deltas not increasing");
    Check(r.offset_delta <= header->last_offset_delta, "offset delta beyond lastOffsetDelta");
    Check(r.AbsoluteOffset(*header) <= header->last_offset(), "offset beyond the batch");
    previous = r.offset_delta;
    Bytes encoded;
    EncodeRecord(r, encoded);
    size_t pos = 0;
    Record back;
    Check(DecodeRecord(encoded, &pos, &back).ok(), "re-encoded record does not decode");
    Check(pos == encoded.size(), "re-encoded record length");
    Check(back == r, "re-encoded record differs");
  }
}

void RunSplit(ByteView data) {
  ByteView tail;
  auto batches = SplitBatches(data, &tail);
  if (!batches.ok()) return;
  size_t total = tail.size();
  for (ByteView b : *batches) {
    total += b.size();
    (void)ValidateBatch(b);
    CheckDecoded(b);
  }
  Check(total == data.size(), "SplitBatches lost bytes");
  CheckDecoded(tail);
  CheckDecoded(data);
}

void PatchHeader(Bytes& batch) {
  StoreBe32(batch.data() + 8, uint32_t(batch.size() - kBatchLengthFieldEnd));
  batch[16] = uint8_t(kRecordBatchMagic);
  StoreBe32(batch.data() + kBatchCrcOffset, ComputeBatchCrc(batch));
}

void RunPatchedCrc(ByteView data) {
  if (data.size() < kBatchHeaderBytes) return;
  Bytes batch(data.begin(), data.end());
  PatchHeader(batch);
  Check(ValidateBatch(batch).ok() || ParseBatchHeader(batch).status().code() != StatusCode::kOk,
        "patched batch fails only on header checks");
  CheckDecoded(batch);
}

void RunCompressedRecords(CompressionCodec codec, ByteView data) {
  if (data.size() < kBatchHeaderBytes) return;
  auto payload = Compress(codec, data.subspan(kBatchHeaderBytes), 1);
  Check(payload.ok(), "Compress failed");
  Bytes batch(data.begin(), data.begin() + kBatchHeaderBytes);
  Append(batch, *payload);
  uint16_t attributes = uint16_t((LoadBe16(batch.data() + 21) & ~0x7) | uint16_t(codec));
  StoreBe16(batch.data() + 21, attributes);
  PatchHeader(batch);
  CheckDecoded(batch);
}

void RunDecompress(CompressionCodec codec, ByteView data, bool round_trip) {
  auto out = Decompress(codec, data, kMaxDecompressedBytes);
  if (!out.ok()) {
    Check(out.status().code() == StatusCode::kCorruption, "Decompress error is not Corruption");
    return;
  }
  Check(out->size() <= kMaxDecompressedBytes, "Decompress exceeded its bound");
  if (!round_trip) return;
  auto again = Compress(codec, *out, 1);
  Check(again.ok(), "Compress of decompressed data failed");
  auto back = Decompress(codec, *again, out->size());
  Check(back.ok() && *back == *out, "round trip differs");
}

}  // namespace
}  // namespace samsa

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  using namespace samsa;
  if (size == 0) return 0;
  uint8_t control = input[0];
  auto codec = CompressionCodec((control & 0x7) % 5);
  ByteView data(input + 1, size - 1);
  switch ((control >> 3) & 0x3) {
    case 0:
      RunSplit(data);
      break;
    case 1:
      RunPatchedCrc(data);
      break;
    case 2:
      RunCompressedRecords(codec, data);
      break;
    case 3:
      RunDecompress(codec, data, /*round_trip=*/true);
      return 0;
  }
  RunDecompress(codec, data, /*round_trip=*/false);
  return 0;
}
