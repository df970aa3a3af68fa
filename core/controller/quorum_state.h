#pragma once
// QuorumStateStore: the Raft replica's persisted election state (KIP-595 "quorum-state" file).
//
// File format: one line of ASCII JSON, the fields Kafka's FileQuorumStateStore writes (samsa
// reads only the three integers; unknown keys are ignored, missing ones are Corruption), sealed
// with a checksum line (core/log/sealed_text.h): a flipped bit makes Load() fail with Corruption
// (a voter then refuses to start rather than risk a second vote; an observer starts afresh):
//
//   {"clusterId":"samsa","leaderId":2,"leaderEpoch":7,"votedId":-1,"appliedOffset":0,
//    "currentVoters":[{"voterId":1},{"voterId":2},{"voterId":3}],"data_version":0}
//
// leaderEpoch is the highest epoch this replica has entered; votedId is the candidate it voted
// for in that epoch (-1 none); leaderId the leader it knows in that epoch (-1 none).
//
// Replacement is crash-atomic: the new content is written to "<path>.tmp", the temp file is
// synced, then renamed over <path> and the directory synced. A crash at any point leaves either
// the old or the new complete file (plus perhaps a temp file, which Load() removes).
//
// States and transitions of the writer:
//   Idle          -- Write(s) -------------------------------> SyncingFile(s)  (tmp written, sync requested)
//   SyncingFile   -- file sync done -------------------------> SyncingDir(s)   (renamed, dir sync requested)
//   SyncingDir    -- dir sync done, nothing queued ----------> Idle            (s durable)
//   SyncingDir    -- dir sync done, a newer state queued ----> SyncingFile(newest queued)
//   Syncing*      -- Write(s') ------------------------------> same state, s' queued (replaces older queued)
//   any           -- disk error or failed sync --------------> Failed (health() not ok; no more writes)
// Each Write() returns a version number; durable_version() reaches it once that state (or a
// newer one) is durable, which is what a vote reply or a candidate's own vote waits for.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/disk.h"
#include "core/base/ids.h"
#include "core/base/status.h"

namespace samsa {

struct QuorumStateData {
  int32_t leader_epoch = 0;
  int32_t leader_id = -1;
  int32_t voted_id = -1;
  // samsa's own key "samsaLostLog" (absent = false): this voter's log lost records that were
  // durable, so it grants no vote until it has caught up again (see RaftReplica).
  bool lost_log = false;
  friend bool operator==(const QuorumStateData&, const QuorumStateData&) = default;
};

std::string EncodeQuorumState(const QuorumStateData& data, std::string_view cluster_id,
                              const std::vector<int32_t>& voters);
// Corruption when a required key is missing or not an integer in range.
Result<QuorumStateData> ParseQuorumState(std::string_view text);

class QuorumStateStore {
 public:
  QuorumStateStore(Disk& disk, std::string path, std::string cluster_id, std::vector<int32_t> voters);

  // Removes a leftover temp file and reads the file; nullopt when there is none.
  Result<std::optional<QuorumStateData>> Load();

  // Starts making data durable (coalescing with writes in flight); returns its version (> 0).
  uint64_t Write(const QuorumStateData& data);
  // A sync finished; true when the id was one of ours.
  bool OnSyncDone(SyncId id, bool ok);

  uint64_t written_version() const { return next_version_ - 1; }
  // Every version <= this is durable (or superseded by a durable newer state).
  uint64_t durable_version() const { return durable_version_; }
  const Status& health() const { return health_; }
  const std::string& path() const { return path_; }

 private:
  enum class Phase { kIdle, kSyncingFile, kSyncingDir };
  void Start(const QuorumStateData& data, uint64_t version);
  void Fail(Status s);

  Disk& disk_;
  std::string path_;
  std::string tmp_path_;
  std::string dir_;
  std::string cluster_id_;
  std::vector<int32_t> voters_;

  Phase phase_ = Phase::kIdle;
  std::optional<SyncId> waiting_;  // the sync of the current phase
  uint64_t in_flight_version_ = 0;
  std::optional<std::pair<QuorumStateData, uint64_t>> queued_;
  uint64_t next_version_ = 1;
  uint64_t durable_version_ = 0;
  Status health_;
};

}  // namespace samsa
