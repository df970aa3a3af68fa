// RecordBatch v2: building batches, CRC validation of a 1 MiB batch, and decoding (iterating)
// batches for each codec. Bytes/s is counted over the batch as stored (compressed) for
// ValidateBatch and over the uncompressed records for Build/Decode.
#include <benchmark/benchmark.h>

#include "core/base/prng.h"
#include "core/record/record_batch.h"

namespace samsa {
namespace {

constexpr size_t kValueBytes = 200;

// Values that look like application payloads: a few words from a small vocabulary plus a
// counter, so the codecs have something realistic (not all zeros, not pure noise) to work on.
struct Payloads {
  std::vector<Bytes> keys;
  std::vector<Bytes> values;
};

Payloads MakePayloads(size_t count) {
  static const char* kWords[] = {"order",   "user", "id",  "amount",    "currency",  "EUR",    "status", "shipped",
                                 "pending", "item", "sku", "warehouse", "timestamp", "region", "eu-west"};
  Prng p(42);
  Payloads out;
  for (size_t i = 0; i < count; ++i) {
    out.keys.push_back(ToBytes("key-" + std::to_string(p.Uniform(1000))));
    std::string v = "{\"seq\":" + std::to_string(i);
    while (v.size() < kValueBytes) {
      v += ",\"";
      v += kWords[p.Uniform(std::size(kWords))];
      v += "\":" + std::to_string(p.Uniform(100000));
    }
    v.resize(kValueBytes);
    out.values.push_back(ToBytes(v));
  }
  return out;
}

Bytes BuildBatch(CompressionCodec codec, const Payloads& payloads) {
  RecordBatchBuilder b;
  b.set_compression(codec);
  std::vector<RecordHeader> headers = {{"trace", ToBytes("abc123")}};
  for (size_t i = 0; i < payloads.values.size(); ++i)
    b.Add(1700000000000 + int64_t(i), payloads.keys[i], payloads.values[i], headers);
  return b.Build().value();
}

void BM_BuildBatch(benchmark::State& state) {
  auto codec = CompressionCodec(state.range(0));
  Payloads payloads = MakePayloads(size_t(state.range(1)));
  size_t records_bytes = 0;
  for (auto _ : state) {
    RecordBatchBuilder b;
    b.set_compression(codec);
    for (size_t i = 0; i < payloads.values.size(); ++i)
      b.Add(1700000000000 + int64_t(i), payloads.keys[i], payloads.values[i]);
    records_bytes = b.records_bytes();
    benchmark::DoNotOptimize(b.Build());
  }
  state.SetLabel(std::string(CompressionCodecName(codec)));
  state.SetItemsProcessed(int64_t(state.iterations()) * state.range(1));
  state.SetBytesProcessed(int64_t(state.iterations() * records_bytes));
}
BENCHMARK(BM_BuildBatch)->ArgsProduct({{0, 1, 2, 3, 4}, {1000}})->ArgNames({"codec", "records"});

void BM_ValidateBatch1MiB(benchmark::State& state) {
  // ~1 MiB uncompressed batch.
  Payloads payloads = MakePayloads((1 << 20) / (kValueBytes + 20));
  Bytes batch = BuildBatch(CompressionCodec::kNone, payloads);
  for (auto _ : state) benchmark::DoNotOptimize(ValidateBatch(batch));
  state.SetLabel(std::to_string(batch.size()) + " bytes");
  state.SetBytesProcessed(int64_t(state.iterations() * batch.size()));
}
BENCHMARK(BM_ValidateBatch1MiB);

void BM_DecodeRecords(benchmark::State& state) {
  auto codec = CompressionCodec(state.range(0));
  size_t count = size_t(state.range(1));
  Payloads payloads = MakePayloads(count);
  Bytes batch = BuildBatch(codec, payloads);
  size_t records_bytes = 0;
  for (auto _ : state) {
    auto it = RecordIterator::Open(batch, kDefaultMaxDecompressedBytes);
    Record r;
    for (;;) {
      auto more = it->Next(&r);
      if (!more.ok() || !*more) break;
      benchmark::DoNotOptimize(r);
    }
    records_bytes = it->records_bytes();
  }
  state.SetLabel(std::string(CompressionCodecName(codec)) + ", batch " + std::to_string(batch.size()) + " bytes");
  state.SetItemsProcessed(int64_t(state.iterations() * count));
  state.SetBytesProcessed(int64_t(state.iterations() * records_bytes));
}
BENCHMARK(BM_DecodeRecords)->ArgsProduct({{0, 1, 2, 3, 4}, {100, 4000}})->ArgNames({"codec", "records"});

}  // namespace
}  // namespace samsa
