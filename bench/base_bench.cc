// CRC-32C against memcpy on the same buffer sizes: the target is a ratio (CRC >= 30% of memcpy).
#include <benchmark/benchmark.h>

#include <cstring>

#include "core/base/crc32c.h"
#include "core/base/prng.h"

namespace samsa {
namespace {

Bytes RandomBytes(size_t n) {
  Prng p(1);
  Bytes b(n);
  for (auto& x : b) x = uint8_t(p.NextU64());
  return b;
}

void BM_Crc32c(benchmark::State& state) {
  Bytes data = RandomBytes(size_t(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(data));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(1 << 10)->Arg(16 << 10)->Arg(1 << 20);

void BM_Memcpy(benchmark::State& state) {
  Bytes src = RandomBytes(size_t(state.range(0)));
  Bytes dst(src.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Memcpy)->Arg(1 << 10)->Arg(16 << 10)->Arg(1 << 20);

}  // namespace
}  // namespace samsa
