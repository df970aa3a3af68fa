#include "core/log/partition_log.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/base/assert.h"
#include "core/log/sealed_text.h"
#include "core/log/segment_name.h"

namespace samsa {

namespace {

// Bytes read at once when walking batches.
constexpr size_t kWalkChunkBytes = 64 << 10;

std::string ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

struct PartitionLog::Segment {
  // Ordered by use: what every append and read touches comes first (the first three cache lines:
  // offsets, sizes, dirty flags, the batch positions and the log file's path); index vectors, the
  // other paths and recovery state last.
  int64_t base_offset = 0;
  int64_t next_offset = 0;  // offset after the last batch; base_offset when empty
  uint64_t size_bytes = 0;
  int64_t created_ms = 0;  // when the first batch was appended (or the log opened)
  int64_t max_timestamp = kNoTimestamp;
  int64_t offset_of_max_timestamp = -1;
  uint64_t bytes_since_index_entry = 0;
  bool log_dirty = false;
  bool index_dirty = false;
  bool time_index_dirty = false;
  // Where each batch of the file's range [batches_from, batches_end) lies, in file order, as
  // OnBatch saw it (appends, recovery and truncation walks). Only this log writes the file, so a
  // scan of that range would read the same batch boundaries: FindBatch looks them up here instead
  // of reading every header from the index entry on. A recovered segment trusted below its last
  // index entry starts the range there.
  struct BatchPosition {
    int64_t base_offset;
    uint32_t last_offset_delta;
    uint32_t position;
    uint32_t size;
    int64_t last_offset() const { return base_offset + int64_t(last_offset_delta); }
  };
  uint64_t batches_from = 0;
  uint64_t batches_end = 0;
  std::deque<BatchPosition> batches;  // a deque: grows without moving what it holds
  std::string log_path;
  mutable Disk::FileMemo log_memo;  // log_path's file, for AppendVia and ReadVia
  std::vector<OffsetIndexEntry> index;
  std::vector<TimeIndexEntry> time_index;
  std::string index_path, time_index_path;
  // Recovery only: the index files as found on disk (nullopt: missing or unreadable).
  std::optional<std::vector<OffsetIndexEntry>> disk_index;
  std::optional<std::vector<TimeIndexEntry>> disk_time_index;

  // Accounts for a batch written at position, exactly as an append does, so that recovery and
  // truncation rebuild the same index entries appends made. Encoded new entries go to the outs.
  void OnBatch(const BatchHeader& h, uint64_t position, int64_t interval_bytes, Bytes* index_out,
               Bytes* time_out) {
    if (h.max_timestamp > max_timestamp) {
      max_timestamp = h.max_timestamp;
      offset_of_max_timestamp = h.last_offset();
    }
    if (bytes_since_index_entry > uint64_t(interval_bytes)) {
      OffsetIndexEntry e{int32_t(h.last_offset() - base_offset), int32_t(position)};
      index.push_back(e);
      if (index_out != nullptr) EncodeOffsetIndexEntry(e, *index_out);
      MaybeAddTimeEntry(time_out);
      bytes_since_index_entry = 0;
    }
    bytes_since_index_entry += h.total_bytes();
    next_offset = h.next_offset();
    size_bytes = position + h.total_bytes();
    if (position != batches_end) {
      batches.clear();
      batches_from = position;
    }
    batches.push_back({h.base_offset, uint32_t(h.last_offset_delta), uint32_t(position), uint32_t(h.total_bytes())});
    batches_end = size_bytes;
  }

  bool MaybeAddTimeEntry(Bytes* out) {
    int64_t last = time_index.empty() ? kNoTimestamp : time_index.back().timestamp;
    if (max_timestamp <= last) return false;
    TimeIndexEntry e{max_timestamp, int32_t(offset_of_max_timestamp - base_offset)};
    time_index.push_back(e);
    if (out != nullptr) EncodeTimeIndexEntry(e, *out);
    return true;
  }

  // Resets the tail state to what it was just after the last kept offset-index entry was made.
  // Returns the position to walk from.
  uint64_t ResetToLastIndexEntry() {
    int64_t keep_rel = index.empty() ? -1 : index.back().relative_offset;
    while (!time_index.empty() && time_index.back().relative_offset > keep_rel) time_index.pop_back();
    max_timestamp = time_index.empty() ? kNoTimestamp : time_index.back().timestamp;
    offset_of_max_timestamp = time_index.empty() ? -1 : base_offset + time_index.back().relative_offset;
    bytes_since_index_entry = 0;
    next_offset = base_offset;
    uint64_t from = index.empty() ? 0 : uint64_t(index.back().position);
    size_bytes = from;
    while (!batches.empty() && batches.back().position >= from) batches.pop_back();
    batches_end = batches.empty() ? batches_from : uint64_t(batches.back().position) + batches.back().size;
    if (batches.empty() || batches_end != from) {
      batches.clear();
      batches_from = batches_end = from;
    }
    return from;
  }

  // What a scan of the file from position `from` finds as the first batch whose last offset is
  // >= offset: kFound (with *out) or kNone when no batch reaches it, answered from `batches`;
  // kUnknown when they do not cover the range (the file must be scanned).
  enum class Known { kUnknown, kNone, kFound };
  Known KnownBatchFor(uint64_t from, int64_t offset, BatchLocation* out) const {
    if (from < batches_from || batches_end != size_bytes) return Known::kUnknown;
    // Positions and last offsets both increase along the list: one search finds the first batch
    // reaching offset; it lies at or after `from` whenever every batch before `from` ends below
    // offset (always, for `from` taken from the offset index), else the scan decides. Reads are
    // mostly near the log end, so the search gallops back from the end before bisecting: a few
    // probes of recently used memory instead of a bisection over the whole list.
    auto below = [&](const BatchPosition& b) { return b.last_offset() < offset; };
    size_t lo = 0, hi = batches.size();  // below() holds before lo and fails from hi on
    for (size_t step = 1; hi > 0; step *= 2) {
      size_t probe = hi > step ? hi - step : 0;
      if (below(batches[probe])) {
        lo = probe + 1;
        break;
      }
      hi = probe;
    }
    auto it = std::partition_point(batches.begin() + int64_t(lo), batches.begin() + int64_t(hi), below);
    if (it == batches.end()) return Known::kNone;
    if (it->position < from) return Known::kUnknown;
    *out = BatchLocation{it->position, it->base_offset, it->size};
    return Known::kFound;
  }
};

struct PartitionLog::SyncRequest {
  std::set<uint64_t> outstanding;  // SyncId values not completed yet
  int64_t offset = 0;              // log end offset covered once everything completed
  bool more = false;               // a barrier phase: data syncs are still to be issued
  int64_t truncation = kNoUnsyncedTruncation;  // the truncation its data syncs make durable
};

struct PartitionLog::WalkResult {
  bool clean = true;  // reached the end exactly, every batch valid
  std::string problem;
  // The bad batch is whole and more bytes follow it: not a torn tail but corruption inside data
  // that was written (and maybe synced and acknowledged) before later batches.
  bool inside = false;
};

PartitionLog::PartitionLog(Disk& disk, std::string dir, LogConfig config)
    : disk_(disk), dir_(std::move(dir)), config_(config) {}

PartitionLog::~PartitionLog() = default;

std::string PartitionLog::PathOf(std::string_view name) const { return JoinPath(dir_, name); }

PartitionLog::Segment& PartitionLog::active() { return segments_.back(); }
const PartitionLog::Segment& PartitionLog::active() const { return segments_.back(); }

class PartitionLog::EndFollows {
 public:
  explicit EndFollows(PartitionLog& log) : log_(log) {}
  ~EndFollows() { log_.RefreshEndOffset(); }
  EndFollows(const EndFollows&) = delete;
  EndFollows& operator=(const EndFollows&) = delete;

 private:
  PartitionLog& log_;
};

void PartitionLog::RefreshEndOffset() {
  if (!segments_.empty()) end_offset_ = segments_.back().next_offset;
}

void PartitionLog::CheckEndOffset() const {
  SAMSA_ASSERT_MSG(segments_.empty() || end_offset_ == segments_.back().next_offset,
                   "the cached log end offset differs from the active segment's");
}

uint64_t PartitionLog::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments_) total += s.size_bytes;
  return total;
}

std::vector<int64_t> PartitionLog::segment_base_offsets() const {
  std::vector<int64_t> out;
  for (const auto& s : segments_) out.push_back(s.base_offset);
  return out;
}

std::vector<std::pair<int64_t, uint64_t>> PartitionLog::segments() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  for (const auto& s : segments_) out.emplace_back(s.base_offset, s.size_bytes);
  return out;
}

std::optional<int32_t> PartitionLog::latest_epoch() const {
  auto latest = epochs_.latest();
  return latest ? std::optional<int32_t>(latest->epoch) : std::nullopt;
}

EpochEndOffset PartitionLog::EndOffsetForEpoch(int32_t epoch) const {
  return epochs_.EndOffsetFor(epoch, log_end_offset());
}

size_t PartitionLog::SegmentIndexFor(int64_t offset) const {
  auto it = std::partition_point(segments_.begin(), segments_.end(),
                                 [&](const Segment& s) { return s.base_offset <= offset; });
  return it == segments_.begin() ? 0 : size_t(std::prev(it) - segments_.begin());
}

Status PartitionLog::Fail(Status s) {
  SAMSA_ASSERT(!s.ok());
  if (failed_.ok()) failed_ = s.WithContext("partition log " + dir_ + " failed");
  return s;
}

Status PartitionLog::CheckHealthy() const { return failed_.ok() ? Status::Ok() : failed_; }

// ---------------------------------------------------------------------------------------------
// Opening and recovery.

Result<std::unique_ptr<PartitionLog>> PartitionLog::Open(Disk& disk, std::string dir, LogConfig config,
                                                         int64_t now_ms) {
  SAMSA_RETURN_IF_ERROR(config.Validate());
  if (dir.empty()) return Status::InvalidArgument("partition log needs a directory");
  std::unique_ptr<PartitionLog> log(new PartitionLog(disk, std::move(dir), config));
  if (!disk.IsDir(log->dir_)) {
    if (disk.Exists(log->dir_)) return Status::FailedPrecondition("'" + log->dir_ + "' is not a directory");
    SAMSA_RETURN_IF_ERROR(disk.CreateDir(log->dir_));
  }
  // Whether the directory's own name and entries are durable is unknown (an earlier run may have
  // died before syncing them): the first sync request covers them.
  log->parent_dir_dirty_ = true;
  log->dir_dirty_ = true;
  SAMSA_RETURN_IF_ERROR(log->Recover(now_ms));
  return log;
}

Status PartitionLog::Recover(int64_t now_ms) {
  EndFollows end(*this);
  SAMSA_ASSIGN_OR_RETURN(std::vector<std::string> names, disk_.List(dir_));
  std::map<int64_t, std::set<std::string_view>> found;
  bool has_epoch_file = false, has_checkpoint = false;
  for (const std::string& name : names) {
    if (EndsWith(name, kTempFileSuffix)) {
      SAMSA_RETURN_IF_ERROR(disk_.Remove(PathOf(name)));
      dir_dirty_ = true;
      recovery_notes_.push_back("removed leftover temp file " + name);
      continue;
    }
    if (name == kLeaderEpochCheckpointFile) {
      has_epoch_file = true;
      continue;
    }
    if (name == kRecoveryPointFile) {
      has_checkpoint = true;
      continue;
    }
    auto parsed = ParseSegmentFileName(name);
    if (!parsed || disk_.IsDir(PathOf(name)))
      return Status::FailedPrecondition("partition directory '" + dir_ + "' holds an unexpected entry '" + name +
                                        "'; move it away and reopen");
    found[parsed->base_offset].insert(parsed->suffix);
  }

  std::optional<LogCheckpoint> checkpoint;
  if (has_checkpoint) {
    SAMSA_ASSIGN_OR_RETURN(Bytes text, disk_.Read(PathOf(kRecoveryPointFile), 0, 4096));
    auto body = UnsealText(AsString(text), kRecoveryPointFile);
    auto parsed = body.ok() ? ParseLogCheckpoint(*body) : Result<LogCheckpoint>(body.status());
    if (parsed.ok()) {
      checkpoint = *parsed;
    } else {
      recovery_notes_.push_back("ignored unreadable recovery-point: " + parsed.status().message());
    }
  }
  written_checkpoint_ = checkpoint;
  int64_t recovery_point = checkpoint ? checkpoint->recovery_point : 0;

  for (const auto& [base, suffixes] : found) {
    if (suffixes.count(kLogFileSuffix)) {
      Segment seg;
      seg.base_offset = base;
      seg.next_offset = base;
      seg.created_ms = now_ms;
      seg.log_path = PathOf(SegmentFileName(base, kLogFileSuffix));
      seg.index_path = PathOf(SegmentFileName(base, kIndexFileSuffix));
      seg.time_index_path = PathOf(SegmentFileName(base, kTimeIndexFileSuffix));
      segments_.push_back(std::move(seg));
      continue;
    }
    // Index files without their log: left over from a segment deletion cut short.
    for (std::string_view suffix : suffixes) {
      SAMSA_RETURN_IF_ERROR(disk_.Remove(PathOf(SegmentFileName(base, suffix))));
      dir_dirty_ = true;
      recovery_notes_.push_back("removed orphan " + SegmentFileName(base, suffix));
    }
  }

  // Every segment is scanned and every batch's CRC verified, below the recovery point too (Kafka
  // trusts what lies below it): durable data can rot (a latent sector error, a flipped bit), and
  // a replica must not serve, or count toward a high watermark, a batch it cannot vouch for. The
  // log is cut at the first bad batch; the lost tail comes back from the leader.
  std::vector<BatchHeader> scanned;  // headers of every batch scanned, in log order
  for (size_t i = 0; i < segments_.size(); ++i) {
    bool last = i + 1 == segments_.size();
    int64_t next_base = last ? INT64_MAX : segments_[i + 1].base_offset;
    SAMSA_ASSIGN_OR_RETURN(bool clean, LoadSegment(segments_[i], next_base, &scanned));
    Segment& seg = segments_[i];
    if (!clean) {
      if (!last) {
        recovery_notes_.push_back("deleted " + std::to_string(segments_.size() - i - 1) +
                                  " segment(s) after the truncation point");
        SAMSA_RETURN_IF_ERROR(DeleteSegmentsFrom(i + 1));
      }
      break;
    }
    if (last || seg.next_offset == next_base) continue;
    if (seg.next_offset > next_base) {
      // Overlap: an older version of this segment came back (its truncation was not durable).
      // Keep the later segment when the overlap starts on a batch boundary.
      SAMSA_ASSIGN_OR_RETURN(auto at, FindBatch(seg, next_base));
      if (at && at->base_offset == next_base) {
        recovery_notes_.push_back(SegmentFileName(seg.base_offset, kLogFileSuffix) + " overlapped the next segment; truncated at offset " +
                                  std::to_string(next_base));
        SAMSA_RETURN_IF_ERROR(TruncateSegment(seg, at->position));
        while (!scanned.empty() && scanned.back().base_offset >= next_base) scanned.pop_back();
        continue;
      }
    }
    recovery_notes_.push_back(SegmentFileName(seg.base_offset, kLogFileSuffix) + " ends at offset " +
                              std::to_string(seg.next_offset) + " but the next segment starts at " +
                              std::to_string(next_base) + "; deleted the later segments");
    SAMSA_RETURN_IF_ERROR(DeleteSegmentsFrom(i + 1));
    break;
  }

  if (segments_.empty()) {
    int64_t start = checkpoint ? checkpoint->log_start_offset : 0;
    SAMSA_RETURN_IF_ERROR(CreateSegmentFiles(start, now_ms));
  }
  for (size_t i = 0; i + 1 < segments_.size(); ++i) segments_[i].MaybeAddTimeEntry(nullptr);
  for (Segment& seg : segments_) SAMSA_RETURN_IF_ERROR(RewriteIndexFiles(seg));
  RefreshEndOffset();  // the segments were loaded in place

  log_start_offset_ = segments_.front().base_offset;
  if (checkpoint) log_start_offset_ = std::max(log_start_offset_, checkpoint->log_start_offset);

  // The epoch cache: from the batches scanned, checked against the file.
  std::optional<std::vector<EpochEntry>> from_file;
  if (has_epoch_file) {
    SAMSA_ASSIGN_OR_RETURN(Bytes text, disk_.Read(PathOf(kLeaderEpochCheckpointFile), 0, 1 << 20));
    auto body = UnsealText(AsString(text), kLeaderEpochCheckpointFile);
    auto parsed = body.ok() ? ParseLeaderEpochCheckpoint(*body) : Result<std::vector<EpochEntry>>(body.status());
    if (parsed.ok()) {
      from_file = std::move(parsed).value();
    } else {
      recovery_notes_.push_back("unreadable leader-epoch-checkpoint (" + parsed.status().message() + ")");
    }
  }
  SAMSA_RETURN_IF_ERROR(RecoverEpochCache(std::move(from_file), scanned));

  // Lost durable data: the log was cut below its recovery point, or inside (corrupt batches with
  // more data after them, which a torn unsynced tail never leaves).
  bool cut_committed = corrupt_inside_ || (checkpoint.has_value() && log_end_offset() < recovery_point);
  lost_durable_data_ = cut_committed || (checkpoint.has_value() && checkpoint->lost_data);
  if (cut_committed) {
    recovery_notes_.push_back("lost durable data: the log now ends at " + std::to_string(log_end_offset()) +
                              " (recovery point " + std::to_string(recovery_point) + ")");
  }
  durable_offset_ = std::min(recovery_point, log_end_offset());
  if (log_start_offset_ > log_end_offset()) {
    recovery_notes_.push_back("log start offset " + std::to_string(log_start_offset_) +
                              " is past the recovered log end; restarting the log there");
    SAMSA_RETURN_IF_ERROR(TruncateFullyAndStartAt(log_start_offset_));
  }
  if (epochs_.TruncateFromStart(log_start_offset_)) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
  SAMSA_RETURN_IF_ERROR(UpdateCheckpoint());
  return failed_;
}

Result<bool> PartitionLog::LoadSegment(Segment& seg, int64_t next_base,
                                       std::vector<BatchHeader>* scanned) {
  SAMSA_ASSIGN_OR_RETURN(uint64_t file_size, disk_.FileSize(seg.log_path));
  std::string name = SegmentFileName(seg.base_offset, kLogFileSuffix);
  if (disk_.Exists(seg.index_path)) {
    SAMSA_ASSIGN_OR_RETURN(Bytes data, disk_.Read(seg.index_path, 0, SIZE_MAX));
    auto decoded = DecodeOffsetIndex(data);
    if (decoded.ok()) seg.disk_index = std::move(decoded).value();
  }
  if (disk_.Exists(seg.time_index_path)) {
    SAMSA_ASSIGN_OR_RETURN(Bytes data, disk_.Read(seg.time_index_path, 0, SIZE_MAX));
    auto decoded = DecodeTimeIndex(data);
    if (decoded.ok()) seg.disk_time_index = std::move(decoded).value();
  }

  // Scan every batch, verifying CRCs; rebuild both indexes.
  seg.index.clear();
  seg.time_index.clear();
  seg.ResetToLastIndexEntry();
  SAMSA_ASSIGN_OR_RETURN(WalkResult walk, Walk(seg, 0, file_size, /*verify_crc=*/true, scanned));
  seg.log_dirty = true;  // what we read may only be in the page cache (a process crash)
  if (walk.clean) return true;
  if (walk.inside || next_base != INT64_MAX) corrupt_inside_ = true;
  recovery_notes_.push_back(name + ": " + walk.problem + " at position " + std::to_string(seg.size_bytes) +
                            "; truncated " + std::to_string(file_size - seg.size_bytes) + " byte(s)");
  SAMSA_RETURN_IF_ERROR(disk_.Truncate(seg.log_path, seg.size_bytes));
  return false;
}

Status PartitionLog::RewriteIndexFiles(Segment& seg) {
  bool index_same = seg.disk_index && *seg.disk_index == seg.index;
  bool time_same = seg.disk_time_index && *seg.disk_time_index == seg.time_index;
  std::string name = SegmentFileName(seg.base_offset, kLogFileSuffix);
  auto rewrite = [&](const std::string& path, const Bytes& content) -> Status {
    if (disk_.Exists(path)) {
      SAMSA_RETURN_IF_ERROR(disk_.Truncate(path, 0));
    } else {
      dir_dirty_ = true;
    }
    return disk_.Append(path, content).status();
  };
  if (!index_same) {
    SAMSA_RETURN_IF_ERROR(rewrite(seg.index_path, EncodeOffsetIndex(seg.index)));
    seg.index_dirty = true;
    recovery_notes_.push_back(name + ": rebuilt offset index");
  }
  if (!time_same) {
    SAMSA_RETURN_IF_ERROR(rewrite(seg.time_index_path, EncodeTimeIndex(seg.time_index)));
    seg.time_index_dirty = true;
    recovery_notes_.push_back(name + ": rebuilt time index");
  }
  seg.disk_index.reset();
  seg.disk_time_index.reset();
  return Status::Ok();
}

Result<PartitionLog::WalkResult> PartitionLog::Walk(Segment& seg, uint64_t from, uint64_t file_size,
                                                    bool verify_crc, std::vector<BatchHeader>* scanned) const {
  WalkResult result;
  Bytes buf;
  uint64_t buf_at = 0;
  // Makes [at, at + n) available in buf (n <= file_size - at).
  auto ensure = [&](uint64_t at, size_t n) -> Status {
    if (at >= buf_at && at + n <= buf_at + buf.size()) return Status::Ok();
    size_t want = std::max<size_t>(n, kWalkChunkBytes);
    want = size_t(std::min<uint64_t>(want, file_size - at));
    SAMSA_ASSIGN_OR_RETURN(buf, disk_.Read(seg.log_path, at, want));
    buf_at = at;
    if (buf.size() < n) return Status::IoError("short read of " + seg.log_path);
    return Status::Ok();
  };
  uint64_t pos = from;
  int64_t min_base = seg.base_offset;
  std::optional<uint64_t> last_gap_pos;  // position of the last batch that began past min_base
  size_t scanned_at_start = scanned != nullptr ? scanned->size() : 0;
  while (pos < file_size) {
    uint64_t remaining = file_size - pos;
    if (remaining < kBatchHeaderBytes) {
      result.problem = "torn batch header";
      break;
    }
    SAMSA_RETURN_IF_ERROR(ensure(pos, kBatchHeaderBytes));
    ByteView head(buf.data() + (pos - buf_at), kBatchHeaderBytes);
    auto parsed = ParseBatchHeaderPrefix(head);
    if (!parsed.ok()) {
      result.problem = parsed.status().message();
      break;
    }
    BatchHeader h = *parsed;
    if (h.total_bytes() > remaining) {
      result.problem = "torn batch (" + std::to_string(h.total_bytes()) + " bytes, " + std::to_string(remaining) +
                       " left)";
      break;
    }
    if (verify_crc) {
      SAMSA_RETURN_IF_ERROR(ensure(pos, h.total_bytes()));
      auto valid = ValidateBatch(ByteView(buf.data() + (pos - buf_at), h.total_bytes()));
      if (!valid.ok()) {
        result.problem = valid.status().message();
        result.inside = pos + h.total_bytes() < file_size;
        break;
      }
    }
    // Offsets increase; gaps are legal (a compacted leader's batches keep their offsets). The base
    // offset lies outside the CRC: a batch below where the previous ended is corrupt, and so is,
    // more likely, the batch after the last gap (a flip that raised its base offset). Cut there.
    if (h.base_offset < min_base || (config_.gapless && from == 0 && h.base_offset != min_base)) {
      result.problem = "offset " + std::to_string(h.base_offset) + (h.base_offset < min_base ? " does not increase" : " leaves a gap");
      result.inside = true;
      if (last_gap_pos && from == 0 && verify_crc) {
        // Undo what the walk learned from the suspect batch onwards: rewalk up to it.
        uint64_t gap = *last_gap_pos;
        seg.index.clear();
        seg.time_index.clear();
        seg.ResetToLastIndexEntry();
        if (scanned != nullptr) scanned->resize(scanned_at_start);
        SAMSA_ASSIGN_OR_RETURN(WalkResult again, Walk(seg, from, gap, verify_crc, scanned));
        (void)again;
        result.problem += "; cut at the gap before it, at position " + std::to_string(gap);
        seg.size_bytes = gap;
        result.clean = false;
        return result;
      }
      break;
    }
    if (h.base_offset > min_base && pos > from) last_gap_pos = pos;
    if (h.last_offset() - seg.base_offset > INT32_MAX || pos + h.total_bytes() > uint64_t(INT32_MAX)) {
      result.problem = "batch out of the segment's int32 range";
      break;
    }
    seg.OnBatch(h, pos, config_.index_interval_bytes, nullptr, nullptr);
    if (scanned != nullptr) scanned->push_back(h);
    min_base = h.next_offset();
    pos += h.total_bytes();
  }
  seg.size_bytes = pos;
  result.clean = pos == file_size;
  return result;
}

Status PartitionLog::RecoverEpochCache(std::optional<std::vector<EpochEntry>> from_file,
                                       const std::vector<BatchHeader>& scanned) {
  // A batch's partitionLeaderEpoch (and base offset) lie outside its CRC, so a flipped bit there
  // passes the scan. The sealed checkpoint vouches for every epoch that starts before its last
  // entry; past that, epochs may only grow (a newer epoch whose checkpoint write was lost). A batch
  // that breaks either rule is taken as corrupt and the log is cut there; when the rule broken is
  // growth, the cut is at the start of the higher epoch learned from the batches, the suspect.
  LeaderEpochCache file(from_file.value_or(std::vector<EpochEntry>{}));
  file.TruncateFromEnd(log_end_offset());
  std::optional<EpochEntry> vouched = file.latest();
  // The file says nothing below its first entry (its start moved up with the log start, which a
  // lost recovery-point may have put back down): there, epochs only must not exceed its first.
  int64_t covered_from = file.entries().empty() ? INT64_MAX : file.entries().front().start_offset;
  LeaderEpochCache cache;
  std::optional<int64_t> cut;
  for (const BatchHeader& h : scanned) {
    int32_t e = h.partition_leader_epoch;
    // Batches wholly below the log start are gone for readers; the epochs start at the log start.
    if (h.last_offset() < log_start_offset_) continue;
    if (e < 0) {
      // No epoch: only a batch appended before any epoch was known carries one (a follower's copy
      // of such a leader's). After epochs, it is a flipped sign bit.
      if (!vouched && !cache.latest()) continue;
      cut = h.base_offset;
      break;
    }
    int64_t at = std::max(h.base_offset, log_start_offset_);
    bool contradicts = false;
    if (vouched && at < covered_from) {
      contradicts = e > file.entries().front().epoch;
    } else if (vouched && at < vouched->start_offset) {
      contradicts = e != file.EpochForOffset(at);
    } else if (vouched) {
      contradicts = e < vouched->epoch;
    }
    if (contradicts) {
      cut = h.base_offset;
      break;
    }
    if (auto latest = cache.latest(); latest && e < latest->epoch) {
      // The suspect is the earliest epoch above e that only the batches named.
      cut = h.base_offset;
      for (const EpochEntry& entry : cache.entries()) {
        if (entry.epoch > e && (!vouched || entry.epoch > vouched->epoch)) {
          cut = entry.start_offset;
          break;
        }
      }
      break;
    }
    cache.Assign(e, at);
  }
  epochs_ = std::move(cache);
  if (cut) {
    if (!scanned.empty() && *cut < scanned.back().base_offset) corrupt_inside_ = true;
    recovery_notes_.push_back("batch epochs contradict the leader-epoch-checkpoint or go backwards at offset " +
                              std::to_string(*cut) + "; truncated there");
    SAMSA_RETURN_IF_ERROR(TruncateTo(*cut));
  }
  if (from_file && epochs_.entries() == *from_file) return Status::Ok();
  recovery_notes_.push_back(from_file ? "updated leader-epoch-checkpoint from the batches scanned"
                                      : "rebuilt leader-epoch-checkpoint from the batches");
  return WriteEpochCheckpoint();
}

// ---------------------------------------------------------------------------------------------
// Appends.

Result<LogAppendInfo> PartitionLog::AppendAsLeader(ByteView batches, int32_t leader_epoch, int64_t now_ms) {
  SAMSA_RETURN_IF_ERROR(CheckHealthy());
  auto latest = epochs_.latest();
  if (latest && leader_epoch < latest->epoch)
    return Status::InvalidArgument("leader epoch " + std::to_string(leader_epoch) + " is older than the log's " +
                                   std::to_string(latest->epoch));
  // Reused across appends: a fresh buffer per append would cost an allocation (and, for large
  // batches, page faults) per call.
  Bytes& data = scratch_;
  data.assign(batches.begin(), batches.end());
  std::vector<BatchHeader>& headers = headers_scratch_;
  headers.clear();
  int64_t next = log_end_offset();
  size_t pos = 0;
  while (pos < data.size()) {
    ByteView rest(data.data() + pos, data.size() - pos);
    SAMSA_ASSIGN_OR_RETURN(size_t size, PeekBatchSize(rest, SIZE_MAX));
    if (size > uint64_t(config_.max_batch_bytes))
      return Status::InvalidArgument("batch of " + std::to_string(size) + " bytes exceeds message.max.bytes " +
                                     std::to_string(config_.max_batch_bytes));
    if (size > rest.size()) return Status::InvalidArgument("incomplete batch at the end of the append");
    SAMSA_ASSIGN_OR_RETURN(BatchHeader h, ValidateBatch(rest.first(size)));
    if (h.record_count < 1 || h.last_offset_delta != h.record_count - 1)
      return Status::InvalidArgument("batch has " + std::to_string(h.record_count) + " records but lastOffsetDelta " +
                                     std::to_string(h.last_offset_delta));
    SetBatchBaseOffset(data.data() + pos, next);
    SetBatchPartitionLeaderEpoch(data.data() + pos, leader_epoch);
    h.base_offset = next;
    h.partition_leader_epoch = leader_epoch;
    next = h.next_offset();
    headers.push_back(h);
    pos += size;
  }
  if (headers.empty()) return Status::InvalidArgument("append without batches");
  int64_t first = headers.front().base_offset;
  SAMSA_ASSIGN_OR_RETURN(LogAppendInfo info, AppendBatches(data, headers, now_ms));
  if (epochs_.Assign(leader_epoch, first)) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
  return info;
}

Result<LogAppendInfo> PartitionLog::AppendAsFollower(ByteView batches, int64_t now_ms) {
  SAMSA_RETURN_IF_ERROR(CheckHealthy());
  std::vector<BatchHeader>& headers = headers_scratch_;
  headers.clear();
  int64_t min_base = log_end_offset();
  auto latest = epochs_.latest();
  int32_t epoch = latest ? latest->epoch : kUndefinedEpoch;
  size_t pos = 0;
  while (pos < batches.size()) {
    ByteView rest = batches.subspan(pos);
    SAMSA_ASSIGN_OR_RETURN(size_t size, PeekBatchSize(rest, SIZE_MAX));
    if (size > uint64_t(config_.max_batch_bytes))
      return Status::InvalidArgument("batch of " + std::to_string(size) + " bytes exceeds message.max.bytes");
    if (size > rest.size()) return Status::InvalidArgument("incomplete batch at the end of the append");
    SAMSA_ASSIGN_OR_RETURN(BatchHeader h, ValidateBatch(rest.first(size)));
    if (h.base_offset < min_base)
      return Status::OutOfRange("batch at offset " + std::to_string(h.base_offset) + " is below offset " +
                                std::to_string(min_base) + " (log end or previous batch)");
    if (h.partition_leader_epoch >= 0) {
      if (h.partition_leader_epoch < epoch)
        return Status::InvalidArgument("batch at offset " + std::to_string(h.base_offset) + " has leader epoch " +
                                       std::to_string(h.partition_leader_epoch) + " older than " +
                                       std::to_string(epoch));
      epoch = h.partition_leader_epoch;
    }
    min_base = h.next_offset();
    headers.push_back(h);
    pos += size;
  }
  if (headers.empty()) return Status::InvalidArgument("append without batches");
  SAMSA_ASSIGN_OR_RETURN(LogAppendInfo info, AppendBatches(batches, headers, now_ms));
  bool changed = false;
  for (const BatchHeader& h : headers) changed |= epochs_.Assign(h.partition_leader_epoch, h.base_offset);
  if (changed) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
  return info;
}

Result<LogAppendInfo> PartitionLog::AppendBatches(ByteView data, const std::vector<BatchHeader>& headers,
                                                  int64_t now_ms) {
  EndFollows end(*this);
  int64_t first = headers.front().base_offset;
  int64_t last = headers.back().last_offset();
  SAMSA_RETURN_IF_ERROR(MaybeRoll(data.size(), first, last, now_ms));
  Segment& seg = active();
  if (seg.size_bytes + data.size() > uint64_t(INT32_MAX))
    return Status::InvalidArgument("append too large for one segment");
  if (seg.size_bytes == 0) seg.created_ms = now_ms;
  auto at = disk_.AppendVia(seg.log_memo, seg.log_path, data);
  if (!at.ok()) return Fail(at.status());
  if (*at != seg.size_bytes)
    return Fail(Status::Corruption(seg.log_path + " changed size underneath the log"));
  seg.log_dirty = true;

  LogAppendInfo info;
  info.first_offset = first;
  info.last_offset = last;
  info.bytes = data.size();
  info.batch_count = int32_t(headers.size());
  Bytes index_out, time_out;
  uint64_t position = seg.size_bytes;
  for (const BatchHeader& h : headers) {
    if (h.max_timestamp > info.max_timestamp) {
      info.max_timestamp = h.max_timestamp;
      info.offset_of_max_timestamp = h.last_offset();
    }
    seg.OnBatch(h, position, config_.index_interval_bytes, &index_out, &time_out);
    position += h.total_bytes();
  }
  if (!index_out.empty()) {
    if (auto r = disk_.Append(seg.index_path, index_out); !r.ok()) return Fail(r.status());
    seg.index_dirty = true;
  }
  if (!time_out.empty()) {
    if (auto r = disk_.Append(seg.time_index_path, time_out); !r.ok()) return Fail(r.status());
    seg.time_index_dirty = true;
  }
  return info;
}

Status PartitionLog::MaybeRoll(uint64_t append_bytes, int64_t first_offset, int64_t last_offset, int64_t now_ms) {
  const Segment& seg = active();
  if (seg.size_bytes == 0) return Status::Ok();
  bool full = seg.size_bytes + append_bytes > uint64_t(config_.segment_bytes);
  bool old = now_ms - seg.created_ms > config_.roll_ms;
  bool offsets_overflow = last_offset - seg.base_offset > INT32_MAX;
  if (!full && !old && !offsets_overflow) return Status::Ok();
  return Roll(first_offset, now_ms);
}

Status PartitionLog::Roll(int64_t base_offset, int64_t now_ms) {
  Segment& old = active();
  Bytes final_entry;
  if (old.MaybeAddTimeEntry(&final_entry)) {
    if (auto r = disk_.Append(old.time_index_path, final_entry); !r.ok()) return Fail(r.status());
    old.time_index_dirty = true;
  }
  return CreateSegmentFiles(base_offset, now_ms);
}

Status PartitionLog::CreateSegmentFiles(int64_t base_offset, int64_t now_ms) {
  EndFollows end(*this);
  Segment seg;
  seg.base_offset = base_offset;
  seg.next_offset = base_offset;
  seg.created_ms = now_ms;
  seg.log_path = PathOf(SegmentFileName(base_offset, kLogFileSuffix));
  seg.index_path = PathOf(SegmentFileName(base_offset, kIndexFileSuffix));
  seg.time_index_path = PathOf(SegmentFileName(base_offset, kTimeIndexFileSuffix));
  dir_dirty_ = true;
  for (const std::string* path : {&seg.log_path, &seg.index_path, &seg.time_index_path}) {
    Status s = disk_.Exists(*path) ? disk_.Truncate(*path, 0) : disk_.Append(*path, {}).status();
    if (!s.ok()) return Fail(s);
  }
  segments_.push_back(std::move(seg));
  return Status::Ok();
}

Status PartitionLog::DeleteSegmentFiles(const Segment& seg) {
  dir_dirty_ = true;
  // The log first: without it, leftover index files are recognised as orphans on Open.
  for (const std::string* path : {&seg.log_path, &seg.index_path, &seg.time_index_path}) {
    if (!disk_.Exists(*path)) continue;
    if (Status s = disk_.Remove(*path); !s.ok()) return Fail(s);
  }
  return Status::Ok();
}

Status PartitionLog::DeleteSegmentsFrom(size_t first) {
  EndFollows end(*this);
  while (segments_.size() > first) {
    SAMSA_RETURN_IF_ERROR(DeleteSegmentFiles(segments_.back()));
    segments_.pop_back();
  }
  return Status::Ok();
}

Status PartitionLog::WriteEpochCheckpoint() {
  SAMSA_RETURN_IF_ERROR(ReplaceFile(kLeaderEpochCheckpointFile, SealText(EncodeLeaderEpochCheckpoint(epochs_.entries()))));
  epoch_file_dirty_ = true;
  return Status::Ok();
}

Status PartitionLog::ReplaceFile(std::string_view name, std::string_view content) {
  std::string path = PathOf(name);
  std::string tmp = path + std::string(kTempFileSuffix);
  dir_dirty_ = true;
  if (disk_.Exists(tmp)) {
    if (Status s = disk_.Remove(tmp); !s.ok()) return Fail(s);
  }
  if (auto r = disk_.Append(tmp, AsBytes(content)); !r.ok()) return Fail(r.status());
  if (Status s = disk_.Rename(tmp, path); !s.ok()) return Fail(s);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Reads.

Result<std::optional<PartitionLog::BatchLocation>> PartitionLog::FindBatch(const Segment& seg, int64_t offset) const {
  using Found = std::optional<BatchLocation>;
  if (offset >= seg.next_offset) return Found();
  uint64_t pos = offset <= seg.base_offset ? 0 : uint64_t(LookupOffsetIndex(seg.index, offset - seg.base_offset));
  // The batches this log wrote or walked are known without reading the file (see
  // Segment::batches); the scan below is for the rest (a recovered segment's trusted start).
  BatchLocation known;
  switch (seg.KnownBatchFor(pos, offset, &known)) {
    case Segment::Known::kFound: return Found(known);
    case Segment::Known::kNone: return Found();
    case Segment::Known::kUnknown: break;
  }
  Bytes& buf = find_scratch_;  // reused: a read per lookup would otherwise allocate
  buf.clear();
  uint64_t buf_at = 0;
  size_t chunk = size_t(std::min<int64_t>(config_.index_interval_bytes, 1 << 20)) + 2 * kBatchHeaderBytes;
  while (pos < seg.size_bytes) {
    if (pos < buf_at || pos + kBatchHeaderBytes > buf_at + buf.size()) {
      buf.clear();
      SAMSA_RETURN_IF_ERROR(
          disk_.ReadAppend(seg.log_path, pos, size_t(std::min<uint64_t>(chunk, seg.size_bytes - pos)), buf).status());
      buf_at = pos;
    }
    SAMSA_ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeaderPrefix(ByteView(buf).subspan(pos - buf_at)));
    if (h.last_offset() >= offset) return Found(BatchLocation{pos, h.base_offset, h.total_bytes()});
    pos += h.total_bytes();
  }
  return Found();
}

Result<LogReadResult> PartitionLog::Read(int64_t offset, size_t max_bytes) const {
  int64_t end = log_end_offset();
  if (offset < log_start_offset_ || offset > end)
    return Status::OutOfRange("offset " + std::to_string(offset) + " outside the log [" +
                              std::to_string(log_start_offset_) + ", " + std::to_string(end) + "]");
  LogReadResult result;
  result.next_offset = offset;
  if (offset == end) return result;
  for (size_t i = SegmentIndexFor(offset); i < segments_.size(); ++i) {
    const Segment& seg = segments_[i];
    SAMSA_ASSIGN_OR_RETURN(auto found, FindBatch(seg, offset));
    if (!found) continue;
    uint64_t position = found->position;
    uint64_t available = seg.size_bytes - position;
    size_t want = size_t(std::max<uint64_t>(found->total_bytes, std::min<uint64_t>(max_bytes, available)));
    SAMSA_ASSIGN_OR_RETURN(result.records, disk_.ReadVia(seg.log_memo, seg.log_path, position, want));
    // Keep whole batches only.
    size_t kept = 0;
    int64_t next = offset;
    while (kept + kBatchHeaderBytes <= result.records.size()) {
      const uint8_t* p = result.records.data() + kept;
      size_t total = size_t(LoadBe32(p + 8)) + kBatchLengthFieldEnd;
      if (kept + total > result.records.size()) break;
      next = int64_t(LoadBe64(p)) + int32_t(LoadBe32(p + 23)) + 1;
      kept += total;
    }
    if (kept == 0) return Status::Corruption(seg.log_path + ": short read of a batch");
    result.records.resize(kept);
    result.first_offset = found->base_offset;
    result.next_offset = next;
    return result;
  }
  return result;
}

Result<std::optional<TimestampOffset>> PartitionLog::OffsetForTimestamp(int64_t timestamp) const {
  using Out = std::optional<TimestampOffset>;
  if (timestamp == kEarliestTimestamp) return Out(TimestampOffset{kNoTimestamp, log_start_offset_});
  if (timestamp == kLatestTimestamp) return Out(TimestampOffset{kNoTimestamp, log_end_offset()});
  if (timestamp < 0) return Status::InvalidArgument("unsupported timestamp " + std::to_string(timestamp));
  for (const Segment& seg : segments_) {
    if (seg.max_timestamp < timestamp || seg.next_offset <= log_start_offset_) continue;
    int64_t rel = LookupTimeIndex(seg.time_index, timestamp);
    uint64_t pos = rel < 0 ? 0 : uint64_t(LookupOffsetIndex(seg.index, rel));
    while (pos < seg.size_bytes) {
      SAMSA_ASSIGN_OR_RETURN(Bytes head, disk_.Read(seg.log_path, pos, kBatchHeaderBytes));
      SAMSA_ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeaderPrefix(head));
      if (h.max_timestamp >= timestamp && h.last_offset() >= log_start_offset_)
        return Out(TimestampOffset{h.max_timestamp, std::max(h.base_offset, log_start_offset_)});
      pos += h.total_bytes();
    }
  }
  return Out();
}

// ---------------------------------------------------------------------------------------------
// Truncation, retention, log start.

Status PartitionLog::TruncateSegment(Segment& seg, uint64_t position) {
  EndFollows end(*this);
  if (Status s = disk_.Truncate(seg.log_path, position); !s.ok()) return Fail(s);
  seg.log_dirty = true;
  while (!seg.index.empty() && uint64_t(seg.index.back().position) >= position) seg.index.pop_back();
  uint64_t from = seg.ResetToLastIndexEntry();
  size_t index_kept = seg.index.size(), time_kept = seg.time_index.size();
  SAMSA_ASSIGN_OR_RETURN(WalkResult walk, Walk(seg, from, position, /*verify_crc=*/false, nullptr));
  if (!walk.clean) return Fail(Status::Corruption(seg.log_path + ": " + walk.problem + " while truncating"));
  // The index files: cut to the kept entries, then add any the walk made.
  auto cut = [&](const std::string& path, uint64_t size, Bytes extra) -> Status {
    if (!disk_.Exists(path)) return Status::Ok();  // recovery rewrites missing index files
    if (Status s = disk_.Truncate(path, size); !s.ok()) return Fail(s);
    if (!extra.empty()) {
      if (auto r = disk_.Append(path, extra); !r.ok()) return Fail(r.status());
    }
    return Status::Ok();
  };
  Bytes index_extra, time_extra;
  for (size_t i = index_kept; i < seg.index.size(); ++i) EncodeOffsetIndexEntry(seg.index[i], index_extra);
  for (size_t i = time_kept; i < seg.time_index.size(); ++i) EncodeTimeIndexEntry(seg.time_index[i], time_extra);
  SAMSA_RETURN_IF_ERROR(cut(seg.index_path, index_kept * kOffsetIndexEntryBytes, std::move(index_extra)));
  SAMSA_RETURN_IF_ERROR(cut(seg.time_index_path, time_kept * kTimeIndexEntryBytes, std::move(time_extra)));
  seg.index_dirty = seg.time_index_dirty = true;
  return Status::Ok();
}

void PartitionLog::ClampDurable(int64_t offset) {
  durable_offset_ = std::min(durable_offset_, offset);
  for (SyncRequest& r : sync_requests_) r.offset = std::min(r.offset, offset);
}

Status PartitionLog::TruncateTo(int64_t offset) {
  SAMSA_RETURN_IF_ERROR(CheckHealthy());
  if (offset < 0) return Status::InvalidArgument("negative truncation offset");
  if (offset >= log_end_offset()) return Status::Ok();
  if (offset < log_start_offset_) return TruncateFullyAndStartAt(offset);
  size_t i = SegmentIndexFor(offset);
  SAMSA_ASSIGN_OR_RETURN(auto found, FindBatch(segments_[i], offset));
  int64_t new_end = found ? found->base_offset : segments_[i].next_offset;
  if (found && found->position == 0 && i > 0) {
    SAMSA_RETURN_IF_ERROR(DeleteSegmentsFrom(i));
  } else {
    SAMSA_RETURN_IF_ERROR(DeleteSegmentsFrom(i + 1));
    if (found) SAMSA_RETURN_IF_ERROR(TruncateSegment(segments_[i], found->position));
  }
  if (log_end_offset() != new_end) {
    return Fail(Status::Corruption(dir_ + ": truncation to offset " + std::to_string(offset) + " left the log end at " +
                                   std::to_string(log_end_offset()) + ", not " + std::to_string(new_end)));
  }
  if (epochs_.TruncateFromEnd(new_end)) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
  log_start_offset_ = std::min(log_start_offset_, new_end);
  ClampDurable(new_end);
  truncation_unrequested_ = std::min(truncation_unrequested_, new_end);
  return UpdateCheckpoint();
}

Status PartitionLog::TruncateFullyAndStartAt(int64_t offset) {
  SAMSA_RETURN_IF_ERROR(CheckHealthy());
  if (offset < 0) return Status::InvalidArgument("negative start offset");
  int64_t created_ms = segments_.empty() ? 0 : active().created_ms;
  SAMSA_RETURN_IF_ERROR(DeleteSegmentsFrom(0));
  SAMSA_RETURN_IF_ERROR(CreateSegmentFiles(offset, created_ms));
  log_start_offset_ = offset;
  if (epochs_.Clear()) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
  ClampDurable(offset);
  truncation_unrequested_ = std::min(truncation_unrequested_, offset);
  return UpdateCheckpoint();
}

Status PartitionLog::IncreaseLogStartOffset(int64_t offset) {
  SAMSA_RETURN_IF_ERROR(CheckHealthy());
  if (offset > log_end_offset())
    return Status::OutOfRange("log start offset " + std::to_string(offset) + " past the log end " +
                              std::to_string(log_end_offset()));
  if (offset <= log_start_offset_) return Status::Ok();
  log_start_offset_ = offset;
  if (epochs_.TruncateFromStart(offset)) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
  return UpdateCheckpoint();
}

Result<int> PartitionLog::DeleteExpiredSegments(int64_t now_ms, int64_t upper_bound) {
  SAMSA_RETURN_IF_ERROR(CheckHealthy());
  int deleted = 0;
  uint64_t total = size_bytes();
  while (segments_.size() > 1) {
    const Segment& seg = segments_.front();
    bool below_start = seg.next_offset <= log_start_offset_;
    bool expired = config_.retention_ms >= 0 && seg.max_timestamp >= 0 &&
                   now_ms - seg.max_timestamp > config_.retention_ms;
    bool over_size = config_.retention_bytes >= 0 && total - seg.size_bytes >= uint64_t(config_.retention_bytes);
    if (!below_start && ((!expired && !over_size) || seg.next_offset > upper_bound)) break;
    SAMSA_RETURN_IF_ERROR(DeleteSegmentFiles(seg));
    total -= seg.size_bytes;
    segments_.erase(segments_.begin());
    ++deleted;
  }
  if (deleted > 0) {
    log_start_offset_ = std::max(log_start_offset_, segments_.front().base_offset);
    if (epochs_.TruncateFromStart(log_start_offset_)) SAMSA_RETURN_IF_ERROR(WriteEpochCheckpoint());
    SAMSA_RETURN_IF_ERROR(UpdateCheckpoint());
  }
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// Durability.

LogCheckpoint PartitionLog::WantedCheckpoint() const {
  return LogCheckpoint{std::min(durable_offset_, log_end_offset()), log_start_offset_, lost_durable_data_};
}

void PartitionLog::ForgetLostDurableData() { lost_durable_data_ = false; }

bool PartitionLog::CheckpointNeedsBarrier(const LogCheckpoint& want, const LogCheckpoint& written) {
  // It vouches for less than the written one, or changes the lost-data mark: durable before data.
  return want.recovery_point < written.recovery_point || want.log_start_offset < written.log_start_offset ||
         want.lost_data != written.lost_data;
}

bool PartitionLog::sync_needed() const {
  if (!failed_.ok()) return false;
  if (dir_dirty_ || parent_dir_dirty_ || epoch_file_dirty_ || checkpoint_file_dirty_ || checkpoint_barrier_)
    return true;
  for (const Segment& s : segments_)
    if (s.log_dirty || s.index_dirty || s.time_index_dirty) return true;
  // A recovery point that merely advanced rides along with the next data sync.
  LogCheckpoint want = WantedCheckpoint();
  return !written_checkpoint_ || want.log_start_offset != written_checkpoint_->log_start_offset ||
         want.recovery_point < written_checkpoint_->recovery_point || want.lost_data != written_checkpoint_->lost_data;
}

Status PartitionLog::UpdateCheckpoint() {
  LogCheckpoint want = WantedCheckpoint();
  LogCheckpoint written = written_checkpoint_.value_or(LogCheckpoint{0, segments_.front().base_offset});
  bool lowered = written_checkpoint_ && CheckpointNeedsBarrier(want, written);
  if (!lowered && want.log_start_offset == written.log_start_offset && want.lost_data == written.lost_data)
    return Status::Ok();
  // Written at once, so that even a clean restart before the next sync sees the new log start and
  // does not trust data an old recovery point vouched for. A lowered checkpoint is made durable
  // ahead of any data by the next request.
  SAMSA_RETURN_IF_ERROR(ReplaceFile(kRecoveryPointFile, SealText(EncodeLogCheckpoint(want))));
  written_checkpoint_ = want;
  checkpoint_file_dirty_ = true;
  checkpoint_barrier_ = checkpoint_barrier_ || lowered;
  return Status::Ok();
}

std::vector<SyncId> PartitionLog::RequestSync() {
  if (!failed_.ok()) return {};
  // A truncation barrier is in flight: its data phase will cover everything changed until then.
  if (!sync_requests_.empty() && sync_requests_.back().more) return {};
  SyncRequest request;
  std::vector<SyncId> ids = IssueSyncs(request);
  if (!failed_.ok()) return ids;
  if (request.outstanding.empty() && !request.more && sync_requests_.empty()) {
    durable_offset_ = std::max(durable_offset_, request.offset);
  } else {
    sync_requests_.push_back(std::move(request));
    RefreshRequestedTruncation();
  }
  return ids;
}

std::vector<SyncId> PartitionLog::IssueSyncs(SyncRequest& request) {
  std::vector<SyncId> ids;
  auto sync = [&](const std::string& path) {
    SyncId id = disk_.RequestSync(path);
    request.outstanding.insert(id.value());
    ids.push_back(id);
  };
  request.more = false;
  LogCheckpoint want = WantedCheckpoint();
  bool barrier = checkpoint_barrier_;
  checkpoint_barrier_ = false;
  if (!written_checkpoint_ || *written_checkpoint_ != want) {
    barrier = barrier || (written_checkpoint_ && CheckpointNeedsBarrier(want, *written_checkpoint_));
    if (!ReplaceFile(kRecoveryPointFile, SealText(EncodeLogCheckpoint(want))).ok()) return ids;
    written_checkpoint_ = want;
    checkpoint_file_dirty_ = true;
  }
  if (checkpoint_file_dirty_) sync(PathOf(kRecoveryPointFile));
  checkpoint_file_dirty_ = false;
  if (barrier) {
    // The lowered checkpoint (its content and its name) becomes durable before any data that it
    // must not vouch for; the data phase follows from OnSyncDone.
    if (dir_dirty_) sync(dir_);
    dir_dirty_ = false;
    request.more = true;
    return ids;
  }
  for (Segment& s : segments_) {
    if (s.log_dirty) sync(s.log_path);
    if (s.index_dirty) sync(s.index_path);
    if (s.time_index_dirty) sync(s.time_index_path);
    s.log_dirty = s.index_dirty = s.time_index_dirty = false;
  }
  if (epoch_file_dirty_) sync(PathOf(kLeaderEpochCheckpointFile));
  epoch_file_dirty_ = false;
  if (dir_dirty_) sync(dir_);
  dir_dirty_ = false;
  if (parent_dir_dirty_) sync(ParentOf(dir_));
  parent_dir_dirty_ = false;
  request.offset = log_end_offset();
  request.truncation = truncation_unrequested_;
  truncation_unrequested_ = kNoUnsyncedTruncation;
  return ids;
}

int64_t PartitionLog::LowestRequestedTruncation() const {
  int64_t lowest = kNoUnsyncedTruncation;
  for (const SyncRequest& r : sync_requests_) lowest = std::min(lowest, r.truncation);
  return lowest;
}

void PartitionLog::CheckRequestedTruncation() const {
  SAMSA_ASSERT_MSG(LowestRequestedTruncation() == requested_truncation_,
                   "the cached requested truncation differs from the sync requests'");
}

std::vector<SyncId> PartitionLog::OnSyncDone(SyncId id, bool ok) {
  std::vector<SyncId> follow_up;
  auto it = std::find_if(sync_requests_.begin(), sync_requests_.end(),
                         [&](const SyncRequest& r) { return r.outstanding.count(id.value()) > 0; });
  if (it == sync_requests_.end()) return follow_up;
  if (!ok) {
    (void)Fail(Status::IoError("sync " + std::to_string(id.value()) + " failed"));
    return follow_up;
  }
  it->outstanding.erase(id.value());
  if (it->outstanding.empty() && it->more && failed_.ok()) follow_up = IssueSyncs(*it);
  while (!sync_requests_.empty() && sync_requests_.front().outstanding.empty() && !sync_requests_.front().more) {
    durable_offset_ = std::max(durable_offset_, std::min(sync_requests_.front().offset, log_end_offset()));
    sync_requests_.pop_front();
  }
  RefreshRequestedTruncation();
  return follow_up;
}

}  // namespace samsa
