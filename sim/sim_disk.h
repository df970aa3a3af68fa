#pragma once
// SimDisk: one node's disk in the simulator. A Disk (what the node sees) over a MemDisk (page cache
// versus durable content, torn tails on crash, unsynced names vanish), plus the faults the
// simulator injects:
//   sync latency   each RequestSync completes after a latency drawn from the disk's Prng stream;
//                  completions are FIFO per disk (a later sync never completes before an earlier
//                  one, so durable content never moves backwards)
//   slow disk      sync latency multiplied by slow_factor
//   disk full      capacity in live bytes (writes beyond fail with NoSpace)
//   I/O errors     each mutating call fails with IoError with probability num/den; each sync fails
//                  (SyncDone{ok=false}, nothing made durable) with probability num/den
//   bit flips      FlipRandomDurableBit / MemDisk::FlipDurableBit (latent sector errors), on any
//                  file or aimed at a kind of file (FileKind) and optionally one partition
// and, not a fault, the OS's writeback (set_writeback): Linux's flusher threads write dirty pages
// back every dirty_writeback_centisecs (5 s) without the process asking. At every tick
// t = k * writeback_ns of simulated time (k >= 1), everything written before t becomes durable,
// as if every file and directory had been synced. The node is not told (no SyncDone), so its own
// bookkeeping (a broker's durable offsets) stays conservative.
//
// Writeback is lazy: no kernel event, nothing in the trace. The disk notes the time of its last
// mutation; before each mutation, before a crash and before a bit flip it asks whether a tick has
// passed since then, and if so writes back everything that is dirty (MemDisk::WritebackAll) first.
// Since nothing was written between that mutation and the tick, the disk's content then is
// exactly what it was at the tick, so this is the same as a writeback at every tick, but costs one
// division per mutation and at most one writeback (of only the files written) per tick in which
// something was written: cheap for any interval, the same in Debug and Release, and it draws
// nothing from any random stream. Mutate only through the SimDisk (not mem()) while it is on.
// The Simulation drains TakeRequestedSyncs() after each Step of the owning node and schedules
// the completions; the node learns of them only as SyncDone inputs.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/disk.h"
#include "core/base/mem_disk.h"
#include "core/base/prng.h"

namespace samsa::sim {

// Kinds of broker files a bit flip can be aimed at, told apart by name (Kafka's layout,
// DESIGN.md): a file's directory is its group: "<topic>-<N>" for a topic partition, and the
// metadata log's "__cluster_metadata-0".
//   kPartitionLog  a .log segment of a topic partition (not the metadata log)
//   kIndex         a .index or .timeindex file (of any log)
//   kCheckpoint    leader-epoch-checkpoint, recovery-point, any *-checkpoint file (Kafka's
//                  recovery-point-offset-checkpoint, replication-offset-checkpoint...), and the
//                  raft quorum-state
//   kMetadataLog   a .log segment under __cluster_metadata-0
//   kAny           every file (the flip of old)
enum class FileKind : uint8_t { kAny, kPartitionLog, kIndex, kCheckpoint, kMetadataLog };
std::string_view FileKindName(FileKind kind);  // "partition-log", as scenarios write it
std::optional<FileKind> FileKindFromName(std::string_view name);
bool IsFileOfKind(std::string_view path, FileKind kind);
// The basename of path's directory ("orders-0" for "data/orders-0/00000000000000000000.log").
std::string_view ParentDirName(std::string_view path);

// Where an aimed flip may land: files of `kind`, and when partition is set ("orders-0"), only in
// that partition's directory.
struct FlipAim {
  FileKind kind = FileKind::kAny;
  std::string partition;
  bool aimed() const { return kind != FileKind::kAny || !partition.empty(); }
  bool Matches(std::string_view path) const;
};

struct DiskFaults {
  int64_t sync_latency_min_ns = 200'000;    // 0.2 ms
  int64_t sync_latency_max_ns = 2'000'000;  // 2 ms
  int64_t slow_factor = 1;                  // multiplies sync latency
  uint64_t capacity_bytes = 0;              // 0 = unlimited
  uint64_t io_error_num = 0, io_error_den = 1;
  uint64_t sync_error_num = 0, sync_error_den = 1;
};

class SimDisk final : public Disk {
 public:
  explicit SimDisk(Prng prng) : prng_(prng) {}

  Status CreateDir(std::string_view path) override;
  Status Write(std::string_view path, uint64_t offset, ByteView data) override;
  Result<uint64_t> Append(std::string_view path, ByteView data) override;
  Result<Bytes> Read(std::string_view path, uint64_t offset, size_t max_bytes) const override {
    return mem_.Read(path, offset, max_bytes);
  }
  Result<size_t> ReadAppend(std::string_view path, uint64_t offset, size_t max_bytes, Bytes& out) const override {
    return mem_.ReadAppend(path, offset, max_bytes, out);
  }
  Result<uint64_t> AppendVia(FileMemo& memo, std::string_view path, ByteView data) override;
  Result<Bytes> ReadVia(FileMemo& memo, std::string_view path, uint64_t offset, size_t max_bytes) const override {
    return mem_.ReadVia(memo, path, offset, max_bytes);
  }
  Result<uint64_t> FileSize(std::string_view path) const override { return mem_.FileSize(path); }
  bool Exists(std::string_view path) const override { return mem_.Exists(path); }
  bool IsDir(std::string_view path) const override { return mem_.IsDir(path); }
  Status Truncate(std::string_view path, uint64_t size) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Remove(std::string_view path) override;
  Result<std::vector<std::string>> List(std::string_view dir) const override { return mem_.List(dir); }
  SyncId RequestSync(std::string_view path) override;

  // Syncs requested since the last call, in request order.
  std::vector<SyncId> TakeRequestedSyncs();
  // Draws the completion time of a sync requested at now_ns (FIFO per disk), and whether it fails.
  int64_t SyncCompletionTime(int64_t now_ns);
  bool DrawSyncFailure();
  // Completes (or, on failure, abandons) a sync in the MemDisk.
  void FinishSync(SyncId id, bool ok);

  // Process crash: unsynced data is lost, appended tails may survive torn (Prng-driven).
  void Crash();
  // Flips one random bit in the durable content of a random durable file under `dir` (or any file
  // when dir is empty) for which `accept` (when given) returns true. Returns a description, or ""
  // if there was no such file with a durable byte to flip. The draws (file, offset, bit) come from
  // the disk's stream, three per flip, whatever the filter.
  //
  // checked_only: never on a byte no checksum covers, the partitionLeaderEpoch field of a record
  // batch in a .log segment (Kafka's batch CRC leaves it out, so that a leader can stamp it without
  // recomputing the CRC): an offset drawn there is drawn again (more draws only then). A flip
  // there is silent, in Kafka too: a voter whose batch then claims a higher epoch wins elections
  // with a stale log. `corruption: minority` promises a good copy survives, so it flips only
  // what recovery can detect.
  std::string FlipRandomDurableBit(std::string_view dir = "",
                                   const std::function<bool(const std::string& path)>& accept = nullptr,
                                   bool checked_only = false);
  // Files under `dir` with durable content, sorted.
  std::vector<std::string> DurableFiles(std::string_view dir = "") const;

  // OS writeback every interval_ns of simulated time read from `clock` (0 = off: data becomes
  // durable only through syncs, the strict model and the default of a bare Simulation).
  void set_writeback(int64_t interval_ns, std::function<int64_t()> clock);
  int64_t writeback_ns() const { return writeback_ns_; }
  // Writebacks that made something durable (for tests and statistics).
  uint64_t writebacks() const { return writebacks_; }
  // Applies the writeback of every tick passed since the last mutation (see the header comment).
  // Mutations, Crash and FlipRandomDurableBit call it themselves; observers of durable content
  // (tests) call it before they look.
  void CatchUpWriteback();

  const DiskFaults& faults() const { return faults_; }
  void set_faults(const DiskFaults& faults);
  void ClearFaults() { set_faults(DiskFaults{}); }

  MemDisk& mem() { return mem_; }
  const MemDisk& mem() const { return mem_; }
  Prng& prng() { return prng_; }

 private:
  Status MaybeIoError();
  // Before each mutating call: catch up with the writeback, then note the time of this one.
  void NoteMutation();

  MemDisk mem_;
  Prng prng_;
  DiskFaults faults_;
  std::vector<SyncId> requested_;
  int64_t last_sync_done_ns_ = 0;
  int64_t writeback_ns_ = 0;
  std::function<int64_t()> clock_;
  int64_t last_mutation_ns_ = 0;
  uint64_t writebacks_ = 0;
};

}  // namespace samsa::sim
