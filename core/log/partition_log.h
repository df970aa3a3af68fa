#pragma once
// PartitionLog: one partition's log, in Kafka's on-disk layout, over the Disk seam.
//
// Directory "<topic>-<partition>/" (any path given to Open) holds:
//   <base offset, 20 digits>.log        RecordBatch v2 batches back to back, exactly as on the
//                                       wire (core/record/batch_header.h); the name is the first
//                                       offset the segment may hold
//   <base offset, 20 digits>.index      sparse offset index (core/log/offset_index.h)
//   <base offset, 20 digits>.timeindex  sparse time index (core/log/time_index.h)
//   leader-epoch-checkpoint             epoch -> start offset (core/log/leader_epoch_cache.h)
//   recovery-point                      recovery point and log start offset (core/log/log_checkpoint.h)
//   *.tmp                               replacement files being written; removed on Open
// Anything else in the directory makes Open fail (it is not ours; a human should look).
//
// Segments are contiguous: each segment's next offset is the next segment's base offset; only the
// last (active) segment takes appends. Record contents are opaque: the log reads only batch headers.
//
// States and transitions:
//   Open (recovering)  -> Running      Open() parses names, scans every segment batch by batch
//                                      (length, magic, CRC, contiguous offsets), below the
//                                      recovery point too (unlike Kafka: durable bytes can rot),
//                                      checks the batches' epochs (outside the CRC) against the
//                                      sealed epoch checkpoint, truncates at the first bad batch,
//                                      rebuilds indexes and the epoch cache as needed.
//   Running -> Running                 appends (rolling a segment when the active one would exceed
//                                      segment_bytes or is older than roll_ms), truncation,
//                                      retention, log start increase, sync requests/completions
//   Running -> Failed                  any disk error in a mutating call, or a failed sync: the
//                                      in-memory state may no longer match the disk, so every
//                                      later mutating call returns the original error. Reopen
//                                      (recovery) is the way out, as Kafka takes a log dir offline.
//
// Durability. Appends only reach the page cache. RequestSync() asks the disk to sync every file
// changed since the previous request (and the directory after files were created, renamed or
// removed); once all ids of a request and of every earlier request completed (OnSyncDone), every
// offset below the log end offset at request time is durable (durable_offset()). The recovery
// point written to "recovery-point" is the durable offset known when a request is made, so it
// never runs ahead of durable data. When truncation lowers the recovery point or log start
// offset, the next request first makes the lowered checkpoint durable alone and only then syncs
// data (the follow-up ids are returned by OnSyncDone): otherwise a crash could pair new data
// with a stale recovery point that claims it was already verified. A truncation is not durable
// either: until a later request completes, a crash brings back the bytes it removed in place of
// whatever was appended since (unsynced_truncation()).
//
// Time is always a parameter (milliseconds); the log has no clock.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/disk.h"
#include "core/base/ids.h"
#include "core/base/status.h"
#include "core/log/leader_epoch_cache.h"
#include "core/log/log_checkpoint.h"
#include "core/log/log_config.h"
#include "core/log/offset_index.h"
#include "core/log/time_index.h"
#include "core/record/batch_header.h"

namespace samsa {

// ListOffsets special timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kNoTimestamp = -1;

inline constexpr std::string_view kLeaderEpochCheckpointFile = "leader-epoch-checkpoint";
inline constexpr std::string_view kRecoveryPointFile = "recovery-point";
inline constexpr std::string_view kTempFileSuffix = ".tmp";
inline constexpr int64_t kNoUnsyncedTruncation = INT64_MAX;

struct LogAppendInfo {
  int64_t first_offset = -1;  // base offset of the first batch appended
  int64_t last_offset = -1;   // last offset of the last batch appended
  int64_t max_timestamp = kNoTimestamp;
  int64_t offset_of_max_timestamp = -1;
  int32_t batch_count = 0;
  uint64_t bytes = 0;
};

struct LogReadResult {
  Bytes records;                // whole batches; empty at the log end offset
  int64_t first_offset = -1;    // base offset of the first batch returned, -1 when empty
  int64_t next_offset = -1;     // offset after the last batch returned (where to read next)
};

struct TimestampOffset {
  int64_t timestamp = kNoTimestamp;
  int64_t offset = -1;
  friend bool operator==(const TimestampOffset&, const TimestampOffset&) = default;
};

class PartitionLog {
 public:
  // Creates the directory and an empty log starting at offset 0, or recovers an existing one.
  static Result<std::unique_ptr<PartitionLog>> Open(Disk& disk, std::string dir, LogConfig config, int64_t now_ms);

  ~PartitionLog();
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Appends one or more concatenated batches from a producer. Each is validated (length <=
  // max_batch_bytes, magic 2, CRC, recordCount >= 1, lastOffsetDelta == recordCount - 1); the log
  // then rewrites only baseOffset and partitionLeaderEpoch (both outside the CRC) and records
  // leader_epoch in the epoch cache when it is newer than the latest. InvalidArgument for
  // malformed input or a leader_epoch older than the latest; Corruption for a CRC mismatch.
  Result<LogAppendInfo> AppendAsLeader(ByteView batches, int32_t leader_epoch, int64_t now_ms);

  // Appends batches fetched from the leader, keeping their offsets and epochs. The first base
  // offset must be >= the log end offset and offsets must increase; the epoch cache learns each
  // batch's partitionLeaderEpoch (epochs must not go backwards).
  Result<LogAppendInfo> AppendAsFollower(ByteView batches, int64_t now_ms);

  // Whole batches from the one holding `offset`, within one segment: as many as fit in max_bytes,
  // but at least one. OutOfRange when offset < log start or > log end; empty at the log end.
  Result<LogReadResult> Read(int64_t offset, size_t max_bytes) const;

  // ListOffsets: the first batch whose maxTimestamp >= timestamp (offset = its base offset, or
  // the log start offset if later), nullopt when there is none. kEarliestTimestamp and
  // kLatestTimestamp answer the log start / log end offset with timestamp -1.
  Result<std::optional<TimestampOffset>> OffsetForTimestamp(int64_t timestamp) const;

  int64_t log_start_offset() const { return log_start_offset_; }
  // Kept in the log object itself (see end_offset_): hot on every fetch and append.
  int64_t log_end_offset() const {
#ifndef NDEBUG
    CheckEndOffset();
#endif
    return end_offset_;
  }
  // Sum of the segment file sizes.
  uint64_t size_bytes() const;

  // DeleteRecords: raises the log start offset (never lowers it). OutOfRange past the log end.
  // Segments wholly below it are deleted by the next DeleteExpiredSegments.
  Status IncreaseLogStartOffset(int64_t offset);

  // OffsetForLeaderEpoch (see LeaderEpochCache::EndOffsetFor).
  EpochEndOffset EndOffsetForEpoch(int32_t epoch) const;
  std::optional<int32_t> latest_epoch() const;
  const std::vector<EpochEntry>& epoch_entries() const { return epochs_.entries(); }

  // Drops every batch at or after offset, batch-aligned (the batch holding offset goes too, so
  // the new log end offset is <= offset). No-op when offset >= log end. Deletes later segments,
  // truncates the segment file and its indexes, and trims the epoch cache. Below the log start
  // offset it behaves as TruncateFullyAndStartAt(offset).
  Status TruncateTo(int64_t offset);
  // Deletes everything and restarts the log, empty, at offset (log start = log end = offset).
  Status TruncateFullyAndStartAt(int64_t offset);

  // Retention: deletes whole non-active segments, oldest first, while the log exceeds
  // retention_bytes, while a segment's largest timestamp is older than now - retention_ms, or when
  // it lies wholly below the log start offset. Only segments wholly below `upper_bound` (the high
  // watermark: Kafka never deletes uncommitted data for retention) go for size or age. Raises the
  // log start offset. Returns the count.
  Result<int> DeleteExpiredSegments(int64_t now_ms, int64_t upper_bound = std::numeric_limits<int64_t>::max());

  // Starts syncing everything changed since the last request; returns the ids to wait for.
  std::vector<SyncId> RequestSync();
  // A sync finished. May start follow-up syncs (after a truncation barrier); returns their ids.
  // ok = false fails the log.
  std::vector<SyncId> OnSyncDone(SyncId id, bool ok = true);
  // Every offset below this is durable.
  int64_t durable_offset() const { return durable_offset_; }
  // The lowest offset a truncation cut the log back to whose removal is not durable yet, or
  // kNoUnsyncedTruncation. Until a sync requested after the truncation completes, a crash can bring
  // the removed bytes back in place of anything written past this offset since: a replica must
  // neither claim nor acknowledge offsets past it (see ReplicaManager, "Durability").
  int64_t unsynced_truncation() const {
#ifndef NDEBUG
    CheckRequestedTruncation();
#endif
    return std::min(truncation_unrequested_, requested_truncation_);
  }
  // True when something changed since the last RequestSync (data, indexes, checkpoints).
  bool sync_needed() const;

  // Ok, or the error that failed the log.
  const Status& health() const { return failed_; }
  const std::string& dir() const { return dir_; }
  const LogConfig& config() const { return config_; }
  // Changes the settings from the next append or retention pass on (a topic's configs, which
  // arrive with the metadata after the log was opened). `config` must Validate; `gapless` stays.
  void set_config(const LogConfig& config) {
    bool gapless = config_.gapless;
    config_ = config;
    config_.gapless = gapless;
  }
  std::vector<int64_t> segment_base_offsets() const;
  // (base offset, file size in bytes) of every segment, oldest first.
  std::vector<std::pair<int64_t, uint64_t>> segments() const;
  // True when Open cut the log below a (valid) recovery point, or inside it (a corrupt batch with
  // valid data after it, unlike a torn unsynced tail): data that may have been durable and
  // acknowledged was found corrupt and dropped. A corrupt last batch counts only below the
  // recovery point (a torn tail looks the same).
  // The mark is kept in the recovery-point file across restarts until ForgetLostDurableData (the
  // controller has taken this replica out of the partition's ISR and eligible leaders).
  bool lost_durable_data() const { return lost_durable_data_; }
  void ForgetLostDurableData();
  // What recovery did on Open (truncations, rebuilt files, removed temp files), for logs and views.
  const std::vector<std::string>& recovery_notes() const { return recovery_notes_; }

 private:
  struct Segment;
  struct SyncRequest;
  struct WalkResult;

  PartitionLog(Disk& disk, std::string dir, LogConfig config);

  Status Recover(int64_t now_ms);
  Result<bool> LoadSegment(Segment& seg, int64_t next_base, std::vector<BatchHeader>* scanned);
  // Sets epochs_ from every batch's epoch, checked against the checkpoint file (when readable);
  // cuts the log at a batch whose epoch is corrupt.
  Status RecoverEpochCache(std::optional<std::vector<EpochEntry>> from_file, const std::vector<BatchHeader>& scanned);
  Status RewriteIndexFiles(Segment& seg);

  Result<LogAppendInfo> AppendBatches(ByteView data, const std::vector<BatchHeader>& headers, int64_t now_ms);
  Status MaybeRoll(uint64_t append_bytes, int64_t first_offset, int64_t last_offset, int64_t now_ms);
  Status Roll(int64_t base_offset, int64_t now_ms);
  Status CreateSegmentFiles(int64_t base_offset, int64_t now_ms);
  Status DeleteSegmentsFrom(size_t first);
  Status DeleteSegmentFiles(const Segment& seg);
  Status TruncateSegment(Segment& seg, uint64_t position);
  Status WriteEpochCheckpoint();
  Status ReplaceFile(std::string_view name, std::string_view content);

  // Walks batches of a segment from position, adding index entries as appends would.
  Result<WalkResult> Walk(Segment& seg, uint64_t from, uint64_t file_size, bool verify_crc,
                          std::vector<BatchHeader>* scanned) const;
  // Where a batch lies in its segment's file.
  struct BatchLocation {
    uint64_t position = 0;
    int64_t base_offset = 0;
    uint64_t total_bytes = 0;
  };
  // The first batch in seg whose last offset >= offset, or nullopt when no batch of the segment
  // reaches offset.
  Result<std::optional<BatchLocation>> FindBatch(const Segment& seg, int64_t offset) const;

  // Refreshes end_offset_ from the active segment when it goes out of scope.
  class EndFollows;
  void RefreshEndOffset();
  void CheckEndOffset() const;  // debug builds: end_offset_ matches the active segment
  // The lowest truncation of sync_requests_, kept in requested_truncation_ by
  // RefreshRequestedTruncation (after requests are added, reissued or done).
  int64_t LowestRequestedTruncation() const;
  void RefreshRequestedTruncation() { requested_truncation_ = LowestRequestedTruncation(); }
  void CheckRequestedTruncation() const;  // debug builds: requested_truncation_ is current

  size_t SegmentIndexFor(int64_t offset) const;
  Segment& active();
  const Segment& active() const;
  std::string PathOf(std::string_view name) const;

  std::vector<SyncId> IssueSyncs(SyncRequest& request);
  LogCheckpoint WantedCheckpoint() const;
  // True when writing `want` over `written` must be durable before any later data sync.
  static bool CheckpointNeedsBarrier(const LogCheckpoint& want, const LogCheckpoint& written);
  // Rewrites recovery-point now when the log start moved or the recovery point must go down.
  Status UpdateCheckpoint();
  void ClampDurable(int64_t offset);
  Status Fail(Status s);
  Status CheckHealthy() const;

  // The active segment's next offset, copied here so that readers of the log end do not touch the
  // segment. Every private mutator of the segments refreshes it on the way out (EndFollows).
  int64_t end_offset_ = 0;
  int64_t log_start_offset_ = 0;
  // The lowest truncation point since the last data-phase sync request (see unsynced_truncation),
  // and the lowest one that requested syncs are still to make durable (kept from sync_requests_
  // by RefreshRequestedTruncation): both read on every follower fetch.
  int64_t truncation_unrequested_ = kNoUnsyncedTruncation;
  int64_t requested_truncation_ = kNoUnsyncedTruncation;
  std::vector<Segment> segments_;  // sorted by base offset, never empty once open
  Disk& disk_;
  std::string dir_;
  LogConfig config_;
  LeaderEpochCache epochs_;
  Status failed_;

  // Durability bookkeeping.
  std::deque<SyncRequest> sync_requests_;  // in request order
  int64_t durable_offset_ = 0;
  bool dir_dirty_ = false;         // entries created/renamed/removed since the last dir sync
  bool parent_dir_dirty_ = false;  // the partition directory itself was created
  bool epoch_file_dirty_ = false;
  std::optional<LogCheckpoint> written_checkpoint_;  // last content written to recovery-point
  bool checkpoint_file_dirty_ = false;
  bool checkpoint_barrier_ = false;  // a lowered checkpoint must become durable before data

  std::vector<std::string> recovery_notes_;
  bool lost_durable_data_ = false;
  bool corrupt_inside_ = false;  // recovery cut the log inside, not at a torn tail
  Bytes scratch_;  // leader appends rewrite offsets in this copy
  std::vector<BatchHeader> headers_scratch_;  // the headers of the batches being appended
  mutable Bytes find_scratch_;                 // FindBatch's read buffer
};

}  // namespace samsa
