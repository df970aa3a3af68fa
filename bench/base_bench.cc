// CRC-32C against memcpy on the same buffer sizes: the target is a ratio (CRC >= 30% of memcpy).
// MemDisk's directory sync at 10 and 10,000 files: the target is a ratio too (see README.md).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "core/base/crc32c.h"
#include "core/base/mem_disk.h"
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

// What a log does on each flush (log.flush.interval.messages: 1) in a directory of N files (its
// segments and indexes): replace a small checkpoint file (write a temporary, rename it over) and
// sync the directory. A directory sync costs what changed in it, not what it holds.
void BM_MemDiskDirectorySync(benchmark::State& state) {
  MemDisk disk;
  (void)disk.CreateDir("t-0");
  for (int64_t i = 0; i < state.range(0); ++i) (void)disk.Append("t-0/" + std::to_string(i) + ".log", AsBytes("x"));
  disk.CompleteSync(disk.RequestSync("t-0"));
  for (auto _ : state) {
    (void)disk.Append("t-0/checkpoint.tmp", AsBytes("42"));
    (void)disk.Rename("t-0/checkpoint.tmp", "t-0/checkpoint");
    disk.CompleteSync(disk.RequestSync("t-0"));
  }
}
BENCHMARK(BM_MemDiskDirectorySync)->Arg(10)->Arg(10000);

}  // namespace
}  // namespace samsa
