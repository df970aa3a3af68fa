// Partition log append and read throughput, on MemDisk and on PosixDisk (a temp dir, no fsync),
// against a baseline of plain sequential pwrite() of the same chunk sizes to one file.
// Target: log append to real files >= 70% of the pwrite bandwidth (same chunk sizes, same
// measurement: bytes/s of wall time over the timed loop, files reset outside the timed region).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/base/crc32c.h"
#include "core/base/mem_disk.h"
#include "core/base/prng.h"
#include "core/log/partition_log.h"
#include "core/record/batch_header.h"
#include "net/posix_disk.h"

namespace samsa {
namespace {

// A prebuilt batch of `bytes` bytes in total (opaque records after the header).
Bytes PrebuiltBatch(size_t bytes) {
  Bytes b(bytes, 0);
  Prng p(7);
  for (size_t i = kBatchHeaderBytes; i < b.size(); ++i) b[i] = uint8_t(p.NextU64());
  int32_t records = 1000;
  StoreBe32(b.data() + 8, uint32_t(bytes - kBatchLengthFieldEnd));
  StoreBe32(b.data() + 12, uint32_t(-1));
  b[16] = uint8_t(kRecordBatchMagic);
  StoreBe32(b.data() + 23, uint32_t(records - 1));
  StoreBe64(b.data() + 43, uint64_t(int64_t{-1}));
  StoreBe32(b.data() + 57, uint32_t(records));
  StoreBe32(b.data() + 17, ComputeBatchCrc(b));
  return b;
}

struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/samsa-log-bench-XXXXXX";
    path = ::mkdtemp(pattern) ? pattern : "";
  }
  ~TempDir() {
    if (!path.empty()) std::filesystem::remove_all(path);
  }
};

LogConfig BenchConfig(size_t batch_bytes) {
  LogConfig c;
  c.max_batch_bytes = int64_t(batch_bytes) + 1024;
  return c;  // 1 GiB segments, 4 KiB index interval: Kafka's defaults
}

// Appends until ~256 MiB are written, then starts a fresh log outside the timer.
constexpr uint64_t kBytesPerLog = 256 << 20;

template <typename MakeDisk>
void RunAppend(benchmark::State& state, MakeDisk make_disk) {
  size_t batch_bytes = size_t(state.range(0));
  Bytes batch = PrebuiltBatch(batch_bytes);
  std::unique_ptr<Disk> disk;
  std::unique_ptr<PartitionLog> log;
  uint64_t written = kBytesPerLog;
  int dir_seq = 0;
  for (auto _ : state) {
    if (written >= kBytesPerLog) {
      state.PauseTiming();
      log.reset();
      disk = make_disk();
      log = std::move(PartitionLog::Open(*disk, "bench-" + std::to_string(dir_seq++), BenchConfig(batch_bytes), 0)).value();
      written = 0;
      state.ResumeTiming();
    }
    auto info = log->AppendAsLeader(batch, 0, 0);
    if (!info.ok()) state.SkipWithError(info.status().ToString().c_str());
    written += batch_bytes;
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(batch_bytes));
}

void BM_LogAppendMemDisk(benchmark::State& state) {
  RunAppend(state, [] { return std::make_unique<MemDisk>(); });
}
BENCHMARK(BM_LogAppendMemDisk)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

void BM_LogAppendPosixDisk(benchmark::State& state) {
  TempDir dir;
  RunAppend(state, [&] {
    std::filesystem::remove_all(dir.path);
    std::filesystem::create_directories(dir.path);
    auto d = std::make_unique<PosixDisk>(dir.path);
    d->set_sync_enabled(false);
    return d;
  });
}
BENCHMARK(BM_LogAppendPosixDisk)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

// Baseline: sequential pwrite() of the same chunks to one file, reset every 256 MiB.
void BM_SequentialPwrite(benchmark::State& state) {
  size_t chunk = size_t(state.range(0));
  Bytes data = PrebuiltBatch(chunk);
  TempDir dir;
  std::string path = dir.path + "/baseline";
  int fd = -1;
  uint64_t offset = kBytesPerLog;
  for (auto _ : state) {
    if (offset >= kBytesPerLog) {
      state.PauseTiming();
      if (fd >= 0) ::close(fd);
      ::unlink(path.c_str());
      fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      offset = 0;
      state.ResumeTiming();
    }
    if (::pwrite(fd, data.data(), chunk, off_t(offset)) != ssize_t(chunk)) state.SkipWithError("pwrite failed");
    offset += chunk;
  }
  if (fd >= 0) ::close(fd);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(chunk));
}
BENCHMARK(BM_SequentialPwrite)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

template <typename MakeDisk>
void RunRead(benchmark::State& state, MakeDisk make_disk) {
  size_t batch_bytes = size_t(state.range(0));
  Bytes batch = PrebuiltBatch(batch_bytes);
  std::unique_ptr<Disk> disk = make_disk();
  auto log = std::move(PartitionLog::Open(*disk, "bench-read", BenchConfig(batch_bytes), 0)).value();
  constexpr uint64_t kLogBytes = 64 << 20;
  for (uint64_t w = 0; w < kLogBytes; w += batch_bytes) (void)log->AppendAsLeader(batch, 0, 0);
  int64_t offset = 0;
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto r = log->Read(offset, batch_bytes);
    if (!r.ok() || r->records.empty()) {
      state.SkipWithError("read failed");
      break;
    }
    bytes += r->records.size();
    offset = r->next_offset == log->log_end_offset() ? 0 : r->next_offset;
  }
  state.SetBytesProcessed(int64_t(bytes));
}

void BM_LogReadMemDisk(benchmark::State& state) {
  RunRead(state, [] { return std::make_unique<MemDisk>(); });
}
BENCHMARK(BM_LogReadMemDisk)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

void BM_LogReadPosixDisk(benchmark::State& state) {
  TempDir dir;
  RunRead(state, [&] {
    auto d = std::make_unique<PosixDisk>(dir.path);
    d->set_sync_enabled(false);
    return d;
  });
}
BENCHMARK(BM_LogReadPosixDisk)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

}  // namespace
}  // namespace samsa
