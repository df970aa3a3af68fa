#pragma once
// ReplicaManager: the broker-side owner of every local partition replica, as a deterministic
// state machine. It answers Produce, Fetch (consumers and follower replicas), ListOffsets and
// OffsetForLeaderEpoch for the partitions it leads, fetches from leaders for the partitions it
// follows, tracks followers, the ISR and the high watermark as a leader, and proposes ISR changes
// to the controller (AlterPartition). It performs no I/O: requests to other nodes come out of
// TakeSends(), answers out of TakeReplies(); disk writes go through the Disk seam and sync
// completions come back through OnSyncDone(). Time is always a parameter.
//
// Per partition states and transitions (roles come only from metadata, never from peers):
//
//   (none) --metadata names this node a replica--> Follower or Leader (log opened or created)
//   Follower/Leader --metadata: leader == node_id, new leader epoch--> Leader
//        (followers' states reset to unknown, leader epoch start = LEO, HW kept)
//   Leader/Follower --metadata: leader != node_id, new leader epoch--> Follower(Truncating)
//   Follower(Truncating) --OffsetForLeaderEpoch answer, log truncated--> Follower(Fetching)
//   Follower(Fetching) --fetch answer with diverging_epoch--> truncate, stay Fetching
//   Follower(Fetching) --fetch answer with OFFSET_OUT_OF_RANGE--> restart at the leader's log
//        start (when below it) or Truncating (when past its end)
//   Follower --metadata: leader -1--> Follower(NoLeader) (no fetching)
//   any --metadata: topic gone or node no longer a replica--> (none), log deleted
//   Pending requests of a partition that stops being led complete with NOT_LEADER_OR_FOLLOWER.
//
// Leader bookkeeping: for each follower its LEO (the offset of its last fetch) and the last time
// it was caught up (Kafka's lastCaughtUpTimeMs). HW = min LEO over the maximal ISR (committed ISR
// plus a pending expansion, or the committed ISR during a pending shrink), raised only, never
// past the leader's LEO, and held while the committed ISR is below min.insync.replicas (KIP-966;
// an acks=all write waiting then gets NOT_ENOUGH_REPLICAS_AFTER_APPEND at once). ISR shrink is proposed for followers not caught up within
// replica_lag_time_max_ms; ISR expansion when a follower's LEO reaches the HW and the leader
// epoch start offset. One AlterPartition per partition is in flight at a time; an error answer
// (FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION) waits for the next metadata.
//
// Durability: each log is synced every flush_interval_ms and once flush_interval_messages
// records were appended since the last sync. Both default to never, as in Kafka: records are
// acknowledged from the page cache, and what makes them durable without a sync is the OS writing
// dirty pages back by itself, which the broker neither sees nor counts (its durable_offset only
// moves with its own syncs, so it is conservative). Kafka does the latter flush inside the append, so
// nothing acknowledges those records before the flush: here the append leaves a flush barrier
// (the log end before and after it) and, until a sync covers it, the records past the barrier
// count toward no high watermark (leader), produce no acks=1 answer (leader) and are not claimed
// by a fetch (a follower sends no fetch, whose offset the leader would take as replicated). So
// with flush_interval_messages = 1, no acks=all answer precedes the flush on every ISR replica
// it counts. Records below the interval threshold are acknowledged unflushed, as in Kafka.
// A truncation (a follower cutting a divergent tail) is a barrier too: until it is durable
// (PartitionLog::unsynced_truncation), a crash could put the cut records back under a high
// watermark checkpointed since, so the replica fetches nothing (follower) and counts nothing past
// the cut toward its high watermark or acks=1 answers (leader); the truncation requests its sync
// at once. Kafka does not sync a truncation: its process crash keeps the page cache, while our
// crash also loses it.
//
// Bounds: parked produce and fetch requests together are at most max_parked_requests; beyond it
// a fetch is answered at once and an acks=all produce gets REQUEST_TIMED_OUT before appending.
// One Fetch and one OffsetForLeaderEpoch are in flight per leader node, one AlterPartition per
// partition.
//
// Fetch sessions (KIP-227; FetchSession below): a follower keeps one session per leader, so a
// fetch lists only the partitions whose fetch state moved and the answer only those with
// something new; the leader keeps sessions for followers and consumers alike (Fetch v7+).
//
// Cost: the work per input follows what changed, not the partition count. Partitions whose role,
// epoch, high watermark or log changed are listed as they change (touched_, for
// TakeChangedPartitions), those with deadlines of their own in timed_ (NextDeadlineMs, Tick),
// followers that may be ready to fetch in pump_ (PumpFetchers); a parked fetch is listed on each
// of its partitions (fetch_watchers), or, of a session, on those of its entries that are pending
// (FetchSession::parked). Each partition's version (MarkTouched) tells a fetch session what it saw
// is still true; a consumer's session looks at read_version instead, which a leader append that
// moves only the log end keeps (the consumer reads below the high watermark), so such an append
// wakes followers' entries only and looks at no parked consumer fetch (OnPartitionChanged).
// Debug builds check each list against a scan of every partition.
//
// Wire versions sent: Fetch v12 (topic names, last_fetched_epoch), OffsetForLeaderEpoch v4,
// AlterPartition v3 (topic ids, ISR with broker epochs) when the metadata carries topic ids,
// else v1 (topic names).
//
// High watermark checkpoint: every hw_checkpoint_interval_ms, when a high watermark moved, all
// of them are written to <log_root>/replication-offset-checkpoint (replication_offset_checkpoint.h),
// crash-atomically (temp file, sync, rename, directory sync); Open reads it back, and a recovered
// partition starts from its checkpointed high watermark (capped by its log end), as in Kafka.
//
// Lost data: a log whose recovery cut committed data (a corrupt batch; PartitionLog::
// lost_durable_data) is listed by LostDataPartitions for the broker's registration, which takes
// this replica out of the ISR and eligible leaders; the mark is forgotten once the metadata shows
// that done.
//
// Known limits: ListOffsets -3 (max timestamp) answers
// UNSUPPORTED_VERSION; follower fetches carry no broker epoch (Fetch v15's ReplicaState is not in
// the codec), so a fetch from a previous incarnation of a restarted broker that arrives late can
// vouch for data the new incarnation lost (KIP-903); a leader forgets a follower's state when its
// broker epoch changes in metadata, which narrows but does not close that window.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/disk.h"
#include "core/base/ids.h"
#include "core/base/partition_slots.h"
#include "core/base/status.h"
#include "core/log/log_config.h"
#include "core/log/partition_log.h"
#include "core/view/cluster_view.h"
#include "core/protocol/fetch_session.h"
#include "core/protocol/messages/dispatch.h"
#include "core/replication/replica_assignment.h"
#include "core/replication/replication_offset_checkpoint.h"

namespace samsa {

class MetadataImage;

inline constexpr int32_t kToController = -2;

struct ReplicaConfig {
  int32_t node_id = 0;
  std::string log_root = "data";
  LogConfig log;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
  int64_t replica_fetch_wait_max_ms = 500;
  int32_t replica_fetch_min_bytes = 1;
  int64_t replica_fetch_backoff_ms = 1000;
  int32_t min_insync_replicas = 1;
  // The broker's defaults of the topic settings below; a topic's configs (flush.messages,
  // flush.ms, compression.type, segment.bytes, segment.ms, retention.*, max.message.bytes,
  // min.insync.replicas) override them for its partitions (ApplyTopicSettings).
  int64_t flush_interval_messages = std::numeric_limits<int64_t>::max();
  // log.flush.interval.ms: every N ms each log's unsynced data is synced. Kafka's default
  // (INT64_MAX) never syncs by time; the OS's writeback is the disk's business, not the broker's.
  int64_t flush_interval_ms = std::numeric_limits<int64_t>::max();
  std::string compression_type = "producer";  // "producer" keeps the producer's codec
  // log.retention.check.interval.ms: how often every log deletes the segments its topic's
  // retention.ms / retention.bytes let go (below the high watermark).
  int64_t retention_check_interval_ms = 300000;
  int32_t max_parked_requests = 10000;
  // replica.high.watermark.checkpoint.interval.ms: how often the high watermarks are written to
  // replication-offset-checkpoint (when one moved).
  int64_t hw_checkpoint_interval_ms = 5000;
};

// A request this node sends to another node (or to the controller).
struct ReplicaSend {
  uint64_t id = 0;
  int32_t to = -1;  // node id, or kToController
  RequestBody request;
  int16_t version = 0;
};

// An answer to a request handed to one of the Handle* calls, identified by its token.
struct ReplicaReply {
  uint64_t token = 0;
  ResponseBody response;
  // False for acks=0 produce: the request is done but nothing goes on the wire.
  bool send_response = true;
  // Owns the bytes that RECORDS views in `response` point into.
  std::vector<Bytes> buffers;
};

class ReplicaManager {
 public:
  struct PartitionState {
    std::string topic;
    int32_t partition = 0;
    bool is_leader = false;
    int32_t leader_epoch = -1;
    int64_t log_start_offset = 0;
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    std::vector<int32_t> isr;  // leader's view (committed), sorted; empty on followers
  };

  ReplicaManager(ReplicaConfig config, Disk& disk);
  ~ReplicaManager();
  ReplicaManager(const ReplicaManager&) = delete;
  ReplicaManager& operator=(const ReplicaManager&) = delete;

  // Recovers every existing partition directory ("<topic>-<partition>") under log_root. The
  // partitions stay without a role until metadata names this node a replica.
  Status Open(int64_t now_ms);

  // Applies the metadata: roles, ISR and partition epochs, topic configs; deletes logs of
  // partitions this node no longer replicates. Only the image's leader epoch decides roles; an
  // image older than what a partition has seen (lower leader epoch) is ignored for it.
  // broker_epoch is this broker's registration epoch, sent in AlterPartition.
  void OnMetadataUpdate(const MetadataImage& image, int64_t broker_epoch, int64_t now_ms);
  // The plain shape of an image (what OnMetadataUpdate hands to OnAssignments).
  static ReplicaAssignments AssignmentsOf(const MetadataImage& image);
  // The same from the plain shape (OnMetadataUpdate converts the image into it).
  void OnAssignments(const ReplicaAssignments& assignments, int64_t broker_epoch, int64_t now_ms);

  // Each Handle* call answers through TakeReplies() with the same token: at once, or later
  // (acks=all produce, parked fetch) from Tick/OnResponse/other requests. Views in the request
  // need only live for the call.
  void HandleProduce(uint64_t token, const ProduceRequest& request, int16_t version, int64_t now_ms);

  // Internal appends: records a module of this broker writes to a partition it leads, with no
  // client and no request (a group coordinator's __consumer_offsets, an idempotent producer's
  // state), with acks=all semantics. `done(error, base_offset)` runs exactly once, possibly before
  // AppendInternal returns (an immediate error, or an ISR of one that commits at once):
  //   0 and the first offset once the high watermark passes the records;
  //   NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile;
  //   NOT_LEADER_OR_FOLLOWER when this node does not lead the partition (UNKNOWN_TOPIC_OR_PARTITION
  //   when it has no replica of it), or loses that leader epoch before the records commit;
  //   NOT_ENOUGH_REPLICAS, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, KAFKA_STORAGE_ERROR as a produce.
  // `records` are whole record batches; the log assigns their offsets.
  using AppendDone = std::function<void(int16_t error, int64_t base_offset)>;
  void AppendInternal(const std::string& topic, int32_t partition, ByteView records, int64_t now_ms, AppendDone done);

  // Leadership listeners: told each time this node becomes the leader or a follower of a
  // partition (or of a new leader epoch of it), and with leader = false and leader_epoch = -1
  // when it stops replicating it. Called synchronously, after the change took effect.
  struct LeadershipChange {
    std::string topic;
    int32_t partition = 0;
    bool leader = false;
    int32_t leader_epoch = -1;
    friend bool operator==(const LeadershipChange&, const LeadershipChange&) = default;
  };
  using LeadershipListener = std::function<void(const LeadershipChange&)>;
  void AddLeadershipListener(LeadershipListener listener) { leadership_listeners_.push_back(std::move(listener)); }
  void HandleFetch(uint64_t token, const FetchRequest& request, int16_t version, int64_t now_ms);
  void HandleListOffsets(uint64_t token, const ListOffsetsRequest& request, int16_t version, int64_t now_ms);
  void HandleOffsetForLeaderEpoch(uint64_t token, const OffsetForLeaderEpochRequest& request, int16_t version,
                                  int64_t now_ms);

  std::vector<ReplicaReply> TakeReplies();
  std::vector<ReplicaSend> TakeSends();

  // The answer to a ReplicaSend. Views in `response` need only live for the call.
  void OnResponse(uint64_t send_id, const ResponseBody& response, int64_t now_ms);
  // The send failed (connection lost, timed out): back off and retry.
  void OnSendFailed(uint64_t send_id, int64_t now_ms);
  // True when the sync belonged to one of our logs.
  bool OnSyncDone(SyncId id, bool ok, int64_t now_ms);

  void Tick(int64_t now_ms);
  // The earliest time Tick has work; INT64_MAX when none.
  int64_t NextDeadlineMs() const;

  std::vector<PartitionState> Partitions() const;  // sorted by (topic, partition)
  // Every local replica for a ClusterView (core/view): offsets, durable offset, and on a leader
  // each follower's last caught-up time; sorted by (topic, partition).
  void Describe(std::vector<view::LocalReplica>* out) const;
  // Partitions whose log found committed data corrupt on Open and cut it (and that the
  // controller has not yet taken out of their ISR): the broker's registration reports them.
  std::vector<BrokerRegistrationRequest::LostPartition> LostDataPartitions() const;
  // For observers that check invariants after every input (the simulator's runtime checker):
  // into *out (cleared first), sorted by (topic, partition), the state of each partition whose
  // role, leader epoch or high watermark changed, or whose log end offset went back, since the
  // previous call (every partition at the first call). A deleted partition is not reported.
  // O(touched partitions) per call: every change of a partition's role, epoch, high watermark or
  // log (MarkTouched) lists it, and only listed partitions are compared with what the previous
  // call reported. Debug builds also compare every other partition and abort on a change that
  // was not listed.
  void TakeChangedPartitions(std::vector<PartitionState>* out);
  PartitionLog* FindLog(const std::string& topic, int32_t partition);
  // The high watermark of a partition this broker leads, or nullopt (not led here, or unknown).
  std::optional<int64_t> LeaderHighWatermark(const std::string& topic, int32_t partition) const;
  const ReplicaConfig& config() const { return config_; }
  // Ok, or the error of the first log that failed (a disk error: the log takes no more writes
  // until reopened). Kafka takes the log directory offline; with one directory, the broker stops.
  const Status& log_failure() const { return log_failure_; }
  size_t parked_requests() const { return parked_produces_.size() + parked_fetches_.size(); }
  // Incremental fetch sessions (KIP-227) this node holds as a leader, for followers and consumers.
  size_t fetch_sessions() const { return fetch_sessions_.size(); }
  // How many entries of a session the next fetch of it will look at (FetchSession::pending); 0
  // for an unknown session.
  size_t fetch_session_pending(int32_t session_id) const {
    auto it = fetch_sessions_.find(session_id);
    return it == fetch_sessions_.end() ? 0 : it->second.pending.size();
  }
  // How many times a change looked at a parked fetch (to answer it if it can be): what completing
  // parked fetches costs.
  uint64_t parked_fetch_evaluations() const { return parked_fetch_evaluations_; }
  // How many partitions list parked fetches (Partition::fetch_watchers), counted per fetch: what
  // parking costs and what completing parked fetches looks at.
  size_t parked_fetch_watches() const {
    size_t n = 0;
    for (const auto& [seq, pf] : parked_fetches_) n += pf.watched.size();
    return n;
  }
  // Kafka's max.incremental.fetch.session.cache.slots and min.incremental.fetch.session.eviction.ms
  // (fixed here): a new session past the limit evicts the least recently used one idle that
  // long, else gets none (session id 0: its fetches stay full).
  static constexpr size_t kMaxFetchSessions = 1000;
  static constexpr int64_t kFetchSessionEvictionMs = 120000;

 private:
  using PartitionKey = std::pair<std::string, int32_t>;
  // key == other, comparing the partition index first (cheap, and usually what differs).
  static bool SameKey(const PartitionKey& key, const PartitionKey& other) {
    return key.second == other.second && key.first == other.first;
  }
  // The order of std::pair's operator< (topic, then partition), with one string comparison per
  // call where the pair compares the topics twice when they are equal (they usually are).
  struct KeyLess {
    bool operator()(const PartitionKey& a, const PartitionKey& b) const {
      // std::string's order: bytes as unsigned char, then the shorter first. Topic names are
      // short, so a plain loop beats a call to memcmp.
      const std::string& x = a.first;
      const std::string& y = b.first;
      size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        unsigned char cx = static_cast<unsigned char>(x[i]), cy = static_cast<unsigned char>(y[i]);
        if (cx != cy) return cx < cy;
      }
      if (x.size() != y.size()) return x.size() < y.size();
      return a.second < b.second;
    }
  };
  enum class Role { kNone, kLeader, kFollower };
  enum class FollowerPhase { kNoLeader, kTruncating, kFetching };

  struct RemoteReplica {
    int64_t log_end_offset = -1;  // unknown until it fetches
    int64_t last_caught_up_time_ms = 0;
    int64_t last_fetch_leader_leo = -1;
    int64_t last_fetch_time_ms = 0;
    // Nonzero: every fetch of this fetch session since renewed last_caught_up_time_ms and
    // last_fetch_time_ms to its own time, with nothing else changing (the session's last_fetch_ms
    // is their value: CaughtUpMs, Materialize).
    int32_t lazy_session = 0;
  };

  // A settled fetch session entry, listed on its partition (Partition::session_watchers).
  struct SessionWatch {
    int32_t session = 0;
    uint64_t layout = 0;  // the session's layout when listed: stale once it changed
    uint32_t topic = 0;
    uint32_t partition = 0;
    bool replica = false;  // a follower's session (a consumer's sleeps through appends: VersionFor)
  };

  struct TopicSlots;
  // Cache-line aligned, so that the first block below is one line.
  struct alignas(64) Partition {
    // Ordered by use (hundreds of partitions do not fit a core's cache). The first 64 bytes hold
    // what every append, fetch answer and fetch of the partition reads or writes; what most of
    // them touch follows; settings and rare state come last.
    std::unique_ptr<PartitionLog> log;
    // Changes (to a number no partition had before) with every change of role, epoch, replicas,
    // high watermark or log (MarkTouched): what a fetch session saw of it is still true while
    // this stays the same.
    uint64_t version = 0;
    int64_t high_watermark = 0;
    // Messages appended since the last flush, and the flush.messages setting (the topic's over
    // the broker's, kept current by ApplyTopicSettings): read on every append.
    int64_t unflushed_messages = 0;
    int64_t flush_interval_messages = std::numeric_limits<int64_t>::max();
    Role role = Role::kNone;
    int32_t leader_epoch = -1;
    int32_t fetch_link = -1;    // follower: the leader whose fetch it is a member of (LeaderLink::members)
    bool touched = false;       // listed in touched_ (for TakeChangedPartitions)
    bool timed = false;         // listed in timed_ (for NextDeadlineMs and Tick)
    bool pump = false;          // listed in pump_ (for PumpFetchers)
    bool in_flight = false;     // follower: a fetch of it is in flight
    // End of the first line.
    const std::pair<const std::string, TopicSlots>* topic_entry = nullptr;  // its by_topic_ entry
    // As version, but kept by a leader append that moves only the log end (MarkTouched): what a
    // consumer reads, below the high watermark, is still what it was while this stays the same.
    uint64_t read_version = 0;
    int32_t index = 0;
    int32_t leader_id = -1;
    int32_t partition_epoch = -1;
    // The topic's min.insync.replicas over the broker's (with the other settings below).
    int32_t min_isr = 1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;  // committed, sorted
    // Leader state.
    int64_t leader_epoch_start_offset = 0;
    std::map<int32_t, RemoteReplica> remotes;
    // Settled fetch session entries of this partition (FetchSession::pending).
    std::vector<SessionWatch> session_watchers;
    // The parked fetches that watch this partition, in parking order: (park sequence, the high
    // watermark its fetcher knows: the one at parking).
    std::vector<std::pair<uint64_t, int64_t>> fetch_watchers;
    std::string topic;
    // What TakeChangedPartitions last reported (reported_epoch below any epoch: not yet).
    Role reported_role = Role::kNone;
    int32_t reported_epoch = std::numeric_limits<int32_t>::min();
    int64_t reported_hw = -1;
    int64_t reported_leo = -1;  // the log end offset at the previous call
    // Follower state.
    FollowerPhase phase = FollowerPhase::kNoLeader;
    uint64_t generation = 0;  // bumps whenever in-flight fetch answers must be ignored
    int64_t retry_at_ms = 0;
    // What the fetch session with leader held_link holds of it, with the partition's version when
    // that was taken (the same version: the same fetch state). See LeaderLink.
    int32_t held_link = -1;
    uint64_t held_generation = 0;
    struct Held {
      FetchRequest::Partition part;
      uint64_t version = 0;
    } held;
    // Leader state, rarely touched.
    std::optional<std::vector<int32_t>> pending_isr;  // proposed, sorted
    uint64_t pending_alter_send = 0;
    bool alter_wait_for_metadata = false;
    int64_t alter_retry_at_ms = 0;
    // Flushing.
    int64_t last_flush_ms = 0;
    // Appends that reached flush_interval_messages and wait for their sync: (log end before the
    // append, log end after it), in append order. See "Durability" above.
    std::vector<std::pair<int64_t, int64_t>> flush_barriers;
    // The topic's settings over the broker's, kept current with the metadata by
    // ApplyTopicSettings (the log's own are in its LogConfig); min_isr and
    // flush_interval_messages are above.
    int64_t flush_interval_ms = std::numeric_limits<int64_t>::max();
    std::optional<CompressionCodec> recompress_to;  // nullopt: keep the producer's codec
  };

  struct LeaderLink {
    uint64_t fetch_in_flight = 0;
    uint64_t epoch_in_flight = 0;
    int64_t fetch_backoff_until_ms = 0;
    int64_t epoch_backoff_until_ms = 0;
    // The fetch from this leader, in a fetch session (FetchSession): the session (its id, and the
    // epoch of the next fetch: 0 starts a new session, closing the old id), the partitions in the fetch
    // (members: in flight until an answer settles them; a session's answer leaves out those with
    // nothing new, which stay), those that joined, left or changed since the last fetch (dirty),
    // and the partitions as the leader's session holds them (Partition::held, while its
    // held_generation is the link's session_generation; a new session starts a new generation).
    FetcherSession session;
    size_t members = 0;  // partitions with fetch_link == this leader (MembersOf)
    std::vector<Partition*> dirty;      // possibly repeated; a deleted partition leaves it
    std::vector<PartitionKey> orphans;  // held here but deleted or held by another session now
    uint64_t session_generation = 0;
  };

  enum class SendKind { kFetch, kOffsetForLeaderEpoch, kAlterPartition };
  struct SendRecord {
    SendKind kind = SendKind::kFetch;
    int32_t to = -1;
    // (key, generation) of every partition the send covers.
    std::vector<std::pair<PartitionKey, uint64_t>> partitions;
    int32_t session_epoch = -1;  // a fetch's session epoch (0: it starts a session)
  };

  struct ParkedProduce {
    uint64_t token = 0;
    int16_t version = 0;
    int64_t deadline_ms = 0;
    ProduceResponse response;
    // Partitions still waiting: (topic index, partition index in response) -> required offset.
    struct Waiter {
      size_t topic_slot = 0;
      size_t partition_slot = 0;
      PartitionKey key;
      int32_t leader_epoch = 0;
      int64_t required_offset = 0;
      bool done = false;
      bool local = false;  // acks=1: waits only for the leader's own flush barrier
      // key's partition, found when partition_set_stamp_ was partition_stamp (WaiterPartition).
      Partition* partition = nullptr;
      uint64_t partition_stamp = 0;
    };
    std::vector<Waiter> waiters;
  };

  // A fetch session (KIP-227), leader side. Fetch v7+ with session_epoch 0 creates one from its
  // partitions (closing session_id if set); each later fetch names it with the next epoch and
  // carries only the partitions whose fetch state changed, plus the ones to forget, and its answer
  // carries only the partitions with something new: records, an error, a diverging epoch, or a
  // high watermark or log start other than the session's last answer said. Every fetch still
  // serves the whole session, so a follower's state is updated for each of its partitions, as
  // with a full fetch. Epoch -1 closes the session. A wrong epoch gets INVALID_FETCH_SESSION_EPOCH,
  // an unknown id (or one another replica owns) FETCH_SESSION_ID_NOT_FOUND; the fetcher then
  // starts a new session.
  struct FetchSession {
    int32_t id = 0;
    int32_t replica_id = -1;  // the follower's node id; -1 for a consumer
    int32_t next_epoch = 1;
    int64_t last_used_ms = 0;
    int64_t last_fetch_ms = 0;  // when its last fetch updated its follower's state
    FetchRequest request;  // every partition of the session, by topic; the last fetch's scalars
    // What the last answer said of each partition (parallel to request.topics[t].partitions);
    // -1 before any answer, so a new partition is always answered.
    struct Sent {
      int64_t high_watermark = -1;
      int64_t log_start_offset = -1;
      // The partition's version when a fetch of it was last found valid (a follower's fetch
      // state may be taken), and its VersionFor this session when it was last found to have
      // nothing new (nothing to read, no error, what `Sent` says): both hold while that version
      // and the fetch state stay the same.
      mutable uint64_t valid_version = 0;
      mutable uint64_t quiet_version = 0;
      // The partition (nullptr: none here), found when partition_set_stamp_ was this.
      mutable Partition* partition = nullptr;
      mutable uint64_t partition_stamp = 0;
      bool pending = false;   // listed in `pending`
      bool watching = false;  // listed in its partition's session_watchers (for this layout)
    };
    std::vector<std::vector<Sent>> sent;
    // Where each partition number of request.topics[t] is listed (a topic lists each number
    // once: UpdateFetchSession), so that a fetch finds its entries without a scan.
    std::vector<PartitionSlots> slot_of;
    // The entries a fetch or an evaluation looks at; every other entry is settled (Settled:
    // nothing new at its partition's VersionFor and, for a follower, steady and lazy), so looking
    // at it would change nothing. A settled entry is listed in its partition's session_watchers,
    // which puts it back here when that partition's version moves or the follower's times are
    // taken eagerly (WakeSessions); an entry listed again by a fetch comes back too. So a fetch
    // costs what changed, not the size of the session.
    std::vector<std::pair<uint32_t, uint32_t>> pending;
    uint64_t layout = 0;         // changes when entries are removed (their indexes move)
    uint64_t pending_stamp = 0;  // partition_set_stamp_ when every entry was last made pending
    // While WalkPending walks this session: the entries made pending since its last visit.
    std::vector<std::pair<uint32_t, uint32_t>>* walk_added = nullptr;
    // The parked fetches serving this session (almost always none or one). While one waits,
    // each pending entry's partition lists it in fetch_watchers; a settled entry's partition
    // lists it once the entry is pending again (MarkPending), which its partition's next change
    // does (WakeSessions) before that change completes parked fetches. So parking costs the
    // pending entries, not the size of the session.
    std::vector<uint64_t> parked;
  };
  // Where partition is listed in s.request.topics[t] (its partitions' size when it is not).
  static size_t SessionSlot(const FetchSession& s, size_t t, int32_t partition);
  // Rebuilds s.slot_of from s.request (after entries were removed).
  static void IndexSession(FetchSession& s);
  // Every entry of s pending (a new session, removed entries, a partition opened or deleted).
  void MarkAllPending(FetchSession& s);
  void MarkPending(FetchSession& s, uint32_t ti, uint32_t pi);
  // While s has parked fetches: entry (ti, pi)'s partition lists each of them (once, in parking
  // order), with the high watermark the fetcher was last told.
  void WatchParked(FetchSession& s, uint32_t ti, uint32_t pi);
  // The session entries watching p become pending again; with replicas_only, only followers'
  // (a consumer's entry sees no change that moved only the log end).
  void WakeSessions(Partition& p, bool replicas_only = false);
  // The version of p whose change makes an entry of s pending: a consumer's reads stop at the
  // high watermark, so an append that moves only the log end changes nothing for it.
  static uint64_t VersionFor(const FetchSession& s, const Partition& p) {
    return s.replica_id >= 0 ? p.version : p.read_version;
  }
  // Before a fetch or an evaluation of s: its pending entries, sorted.
  void PrepareSession(FetchSession& s);
  // After one: the entries found settled leave `pending` and watch their partition.
  void SettleSession(FetchSession& s);
  bool Settled(const FetchSession& s, uint32_t ti, uint32_t pi) const;
  // Calls visit(ti, pi) for each pending entry of s in (topic, partition) order, including those
  // that become pending during the walk after the current one (as a walk over every entry would
  // find them); those that become pending behind it wait for the next walk.
  template <typename Visit>
  void WalkPending(FetchSession& s, Visit&& visit);
  // A lookup kept with its partition_set_stamp_: `cached` while no partition was opened or
  // deleted since `stamp`, else found again (nullptr: none here) and kept.
  Partition* Refind(Partition*& cached, uint64_t& stamp, const std::string& topic, int32_t partition) const;
  // The session entry's partition, through Refind.
  Partition* SessionPartition(const FetchSession::Sent& sent, const std::string& topic, int32_t partition) const;
  // The waiter's partition, through Refind.
  Partition* WaiterPartition(ParkedProduce::Waiter& w);
  // Creates a session for `request` (its partitions), or returns nullptr when the cache is full.
  FetchSession* NewFetchSession(const FetchRequest& request, int64_t now_ms);
  // Applies an incremental fetch's partitions and forgotten partitions to s.
  void UpdateFetchSession(FetchSession& s, const FetchRequest& request);
  // A session entry leaving (forgotten, or its session closed): the follower's lazy times are
  // set from the session first (Materialize).
  void ReleaseFetchSession(FetchSession& s, size_t ti, size_t pi);
  void CloseFetchSession(std::map<int32_t, FetchSession>::iterator it);
  // A follower's times, lazy or not (RemoteReplica::lazy_session).
  // Wakes the session's entry of p (WakeSessions): its follower's state is no longer lazy.
  void Materialize(Partition& p, RemoteReplica& r);
  int64_t CaughtUpMs(const RemoteReplica& r) const;
  // Makes the follower's state lazy for the session's next fetches when it is steady.
  void MaybeGoLazy(Partition& p, int32_t follower, int64_t fetch_offset, const FetchSession& session);
  // The follower fetched from the log end, is in the ISR, and nothing moved since its previous
  // fetch: what lets a session renew its times lazily.
  static bool CaughtUpAndSteady(const Partition& p, int32_t follower, const RemoteReplica& r, int64_t fetch_offset);
  // Answers `token` for `request` (a sessionless fetch, or a session's request) at once or parks it.
  void ServeFetch(uint64_t token, const FetchRequest& request, int16_t version, FetchSession* session, int64_t now_ms);

  struct ParkedFetch {
    uint64_t token = 0;
    int16_t version = 0;
    int64_t deadline_ms = 0;
    int32_t session_id = 0;  // the session it serves (its request is the session's), or 0
    int32_t min_bytes = 0;   // the fetch's
    int32_t replica_id = -1;
    FetchRequest request;  // a sessionless fetch's; no views inside
    // The partitions that list this fetch in their fetch_watchers, each once: every partition of
    // a sessionless request; of a session, its pending entries' (FetchSession::parked). A
    // partition deleted meanwhile leaves this list.
    std::vector<Partition*> watched;
  };

  Partition* Find(const PartitionKey& key) { return Find(key.first, key.second); }
  const Partition* Find(const PartitionKey& key) const { return Find(key.first, key.second); }
  // The same without a key to build (a fetch names the topic once for all its partitions).
  Partition* Find(const std::string& topic, int32_t partition);
  const Partition* Find(const std::string& topic, int32_t partition) const;
  Result<Partition*> OpenPartition(const std::string& topic, int32_t index, int64_t now_ms);
  void DeletePartition(const PartitionKey& key);
  std::string DirOf(const std::string& topic, int32_t index) const;

  void MakeLeader(Partition& p, const AssignedPartition& a, int64_t now_ms);
  void MakeFollower(Partition& p, const AssignedPartition& a, int64_t now_ms);
  void StopPartition(Partition& p);
  void FailParkedFor(const PartitionKey& key, int64_t now_ms);

  // Runs the callbacks of the internal appends on `key` that are decided (committed or failed).
  void CompleteInternalAppends(const PartitionKey& key);
  void NotifyLeadership(const Partition& p, bool stopped = false);
  // Every retention_check_interval_ms: each log deletes what its retention lets go.
  void MaybeApplyRetention(int64_t now_ms);
  // Sets p's topic settings (and its log's LogConfig) from its topic's configs over config_.
  void ApplyTopicSettings(Partition& p);
  // The size of the maximal ISR: the distinct ids of isr and pending_isr.
  size_t MaximalIsrSize(const Partition& p) const;
  // KIP-966: while the ISR is below min.insync.replicas (capped at the replica count) the leader
  // does not advance the high watermark, so the replicas that left the ISR meanwhile hold
  // everything below it and stay eligible leaders (core/controller/quorum_controller.h).
  static bool HighWatermarkHeld(const Partition& p);
  // Raises the HW to min LEO over the maximal ISR; true when it moved.
  bool MaybeAdvanceHighWatermark(Partition& p);
  void MaybeExpandIsr(Partition& p, int32_t follower, int64_t now_ms);
  void MaybeShrinkIsr(Partition& p, int64_t now_ms);
  void ProposeIsr(Partition& p, std::vector<int32_t> new_isr, int64_t now_ms);
  EpochEndOffset LeaderEndOffsetForEpoch(const Partition& p, int32_t epoch) const;
  // 0 when fine, else the error for a request naming current_leader_epoch.
  int16_t CheckLeaderEpoch(const Partition& p, int32_t current_leader_epoch) const;
  // Error for a partition we cannot serve as leader (unknown or not leader), 0 when we lead it.
  int16_t LeaderError(const PartitionKey& key) const;
  // The same for p = Find(topic, partition), already looked up.
  int16_t LeaderError(const Partition* p, const std::string& topic, int32_t partition) const;

  // Fetch handling.
  struct FetchEval {
    FetchResponse response;
    std::vector<Bytes> buffers;
    int64_t bytes = 0;
    bool must_answer = false;  // errors or diverging epochs answer at once
    // With a session: the (topic, partition) slot in the session of each answered partition,
    // and the partition's version at which the entry has nothing new once this answer is sent
    // (0: none; see NoteAnswered).
    struct Slot {
      uint32_t topic = 0;
      uint32_t partition = 0;
      uint64_t quiet_version = 0;
    };
    std::vector<Slot> slots;
  };
  // Before ev.response goes out for session: records what it tells (FetchSession::sent).
  static void NoteAnswered(FetchSession& session, const std::vector<FetchEval::Slot>& slots, FetchResponse& response);
  // With a session, only what is new since its last answer is answered.
  FetchEval EvaluateFetch(const FetchRequest& request, int16_t version, const FetchSession* session = nullptr) const;
  // A parked fetch's evaluation (FETCH_SESSION_ID_NOT_FOUND when its session has gone).
  FetchEval EvaluateParked(const ParkedFetch& pf);
  void UpdateFollowerFetchState(Partition& p, int32_t follower, int64_t fetch_offset, int64_t now_ms);
  // Completes what a change of the partition may complete. readers: whether consumers can see
  // the change (its read_version moved); when not, parked consumer fetches are not looked at.
  void OnPartitionChanged(const PartitionKey& key, int64_t now_ms, bool readers = true);
  void CompleteParkedProduces(const PartitionKey& key, int64_t now_ms);
  // The parked produce index (ParkedOn) upkeep: every parked produce is listed under each
  // partition it waits on, from parking until it is erased (answered or timed out).
  void IndexParkedProduce(uint64_t seq, const ParkedProduce& pp);
  std::map<uint64_t, ParkedProduce>::iterator EraseParkedProduce(std::map<uint64_t, ParkedProduce>::iterator it);
  // Drops a parked request (produce or fetch) from parked_deadlines_.
  void ForgetDeadline(uint64_t seq);
  void CompleteParkedFetches(const PartitionKey& key, int64_t now_ms, bool hw_moved, bool readers = true);
#ifndef NDEBUG
  // FetchSession::parked: each entry of the parked fetch's session watches its partition
  // (settled) or has that partition list the fetch (pending).
  void CheckParkedWatches(uint64_t seq, const ParkedFetch& pf) const;
#endif
  // Answers a parked fetch with `ev` and forgets it (its deadline, its partitions' watchers).
  void AnswerParkedFetch(std::map<uint64_t, ParkedFetch>::iterator it, FetchEval ev);
  void FinishProduce(ParkedProduce& pp);

  // Follower side.
  void PumpFetchers(int64_t now_ms);
  void HandleFetchResponse(const SendRecord& record, const FetchResponse& response, int64_t now_ms);
  void HandleEpochResponse(const SendRecord& record, const OffsetForLeaderEpochResponse& response,
                           int64_t now_ms);
  void HandleAlterResponse(uint64_t send_id, const SendRecord& record, const AlterPartitionResponse& response,
                           int64_t now_ms);
  // Applies a leader's (epoch, end offset) answer (OffsetForLeaderEpoch or diverging_epoch); returns
  // false when another round is needed.
  bool TruncateToLeaderAnswer(Partition& p, int32_t epoch, int64_t end_offset);
  void FollowerBackoff(Partition& p, int64_t now_ms);
  // A ready follower partition joins its leader's fetch (in flight until an answer settles it);
  // LeaveFetch takes it out (an answer, a failed send, a new role), and lists it in pump_.
  void JoinFetch(Partition& p, int32_t leader);
  void LeaveFetch(Partition& p);
  // Sends the link's next fetch (see LeaderLink).
  struct LeaderLink;
  void SendFetch(int32_t leader, LeaderLink& link);
  // The members of the fetch from leader, in key order: a scan of every partition, for the rare
  // cases that need them all (a new session, an error, a failed send).
  std::vector<Partition*> MembersOf(int32_t leader);
  // True when the session with leader holds p (p.held is what it holds).
  bool HeldBy(const Partition& p, int32_t leader) const;

  void MaybeFlush(Partition& p, int64_t now_ms, bool force);
  // When flush_interval_ms next syncs p: INT64_MAX for never (no overflow).
  int64_t FlushDueMs(const Partition& p) const;
  // Counts an append's records toward flush_interval_messages; at the threshold, flushes and
  // leaves a flush barrier.
  void NoteAppend(Partition& p, const LogAppendInfo& info, int64_t now_ms);
  // The log end that may be acknowledged or reported: the log end, or the start of the first
  // flush barrier still waiting for its sync.
  static int64_t AckableEnd(const Partition& p);
  // Requests the sync that makes a truncation of p's log durable (when one is pending).
  void SyncTruncation(Partition& p);
  // After a mutating call on p's log: records the log's failure in log_failure_ (the first one),
  // and lists p for TakeChangedPartitions (its log end may have moved).
  void NoteLogHealth(Partition& p);
  // Appends records to leader p's log in its epoch, then NoteLogHealth, or only MarkTouched (with
  // log_end_only) when nothing but the log end moved.
  Result<LogAppendInfo> AppendAsLeader(Partition& p, ByteView records, int64_t now_ms);
  // After a leader append that succeeded: the flush count, the high watermark, and what the change
  // completes (consumers' parked fetches only when p's read_version moved since
  // read_version_before, taken before the append).
  void AfterLeaderAppend(Partition& p, const PartitionKey& key, const LogAppendInfo& info,
                         uint64_t read_version_before, int64_t now_ms);
  // The (topic, partition) order of partitions_, cheaper than comparing keys: one topic entry per
  // topic name, so the names are compared only when the topics differ. Inline, for the sorts.
  static bool KeyOrder(const Partition* a, const Partition* b) {
    return a->topic_entry == b->topic_entry ? a->index < b->index : TopicBefore(*a, *b);
  }
  static bool TopicBefore(const Partition& a, const Partition& b);
  // Lists p for the next TakeChangedPartitions: its role, epoch, high watermark or log changed.
  // log_end_only: a leader append moved p's log end and nothing else (not its log start, high
  // watermark or log health); read_version stays, and consumers' session entries stay settled.
  void MarkTouched(Partition& p, bool log_end_only = false);
  // Lists p in pump_: as a follower it may have become ready to fetch (or to ask for its
  // epoch's end): not in flight any more, a flush barrier or truncation settled, a new leader.
  void MarkPump(Partition& p);
  // Lists p in timed_ when it has a deadline of its own (Timed(p)); NextDeadlineMs and Tick look
  // at listed partitions only, so every place that gives a partition a deadline calls this.
  void MarkTimed(Partition& p);
  // True when p has a deadline of its own: an ISR proposal to retry, a follower backoff, or a
  // flush.ms interval.
  static bool Timed(const Partition& p);
  // Recounts leaders_with_followers_ (after metadata changed roles or replica sets).
  void CountLeadersWithFollowers();
  // Drops the barriers a sync (or a truncation) has settled; true when any went.
  bool SettleFlushBarriers(Partition& p);
  void TrackSyncs(const PartitionKey& key, const std::vector<SyncId>& ids);
  void Reply(uint64_t token, ResponseBody body, bool send_response = true, std::vector<Bytes> buffers = {});

  // The high-watermark checkpoint writer: Idle -> SyncingFile (temp written) -> SyncingDir
  // (renamed over) -> Idle; a failed sync goes back to Idle and the next interval tries again.
  enum class CheckpointPhase { kIdle, kSyncingFile, kSyncingDir };
  void MaybeCheckpointHighWatermarks(int64_t now_ms);
  void OnCheckpointSyncDone(bool ok);
  std::string CheckpointPath() const;

  ReplicaConfig config_;
  Disk& disk_;
  Status log_failure_;
  HighWatermarks recovered_hws_;  // read by Open; each is used once, by OpenPartition
  HighWatermarks checkpointed_hws_;  // the content of the last checkpoint written
  CheckpointPhase checkpoint_phase_ = CheckpointPhase::kIdle;
  SyncId checkpoint_sync_{};
  int64_t next_checkpoint_ms_ = 0;
  int64_t broker_epoch_ = -1;
  ReplicaAssignments assignments_;  // the latest metadata
  std::map<PartitionKey, Partition, KeyLess> partitions_;
  // Lookups by (topic, partition) without comparing keys along a tree: per topic, by partition
  // number, the partition (an index over partitions_, which keeps the order iterations rely on)
  // and the parked produces waiting on it. Numbers from kMaxIndexedPartition up (never seen in
  // practice) use partitions_ and parked_produce_overflow_ instead. Topic entries are never
  // erased (a recreated topic reuses its entry), so last_topic_ stays valid.
  static constexpr int32_t kMaxIndexedPartition = 1 << 16;
  struct TopicSlots {
    std::vector<Partition*> partitions;
    std::vector<std::vector<uint64_t>> parked;  // park sequences, ascending (possibly none)
  };
  std::map<std::string, TopicSlots, std::less<>> by_topic_;
  mutable const std::pair<const std::string, TopicSlots>* last_topic_ = nullptr;
  // The topic's slots (nullptr when it never had any); requests mostly name the same topic again.
  const TopicSlots* SlotsOf(const std::string& topic) const;
  // The parked produces waiting on key; created (empty) when `create`, else nullptr if none.
  std::vector<uint64_t>* ParkedOn(const PartitionKey& key, bool create);
  std::map<int32_t, LeaderLink> links_;
  std::map<uint64_t, SendRecord> in_flight_;
  std::map<SyncId, PartitionKey> syncs_;
  std::set<SyncId> untracked_syncs_;  // syncs of deleted logs and of log_root's ancestors
  uint64_t generation_counter_ = 0;  // manager-wide, so a recreated partition never reuses one
  std::map<uint64_t, ParkedProduce> parked_produces_;  // by parking sequence
  // Past kMaxIndexedPartition: partition -> sequences of the parked produces waiting on it.
  std::map<PartitionKey, std::vector<uint64_t>, KeyLess> parked_produce_overflow_;
  std::vector<uint64_t> park_scratch_;  // CompleteParkedProduces' copy of one index list
  // For NextDeadlineMs, which runs after every input: the parked requests' deadlines, by park
  // sequence (produces and fetches share the sequence), and every partition, in no order.
  std::vector<std::pair<uint64_t, int64_t>> parked_deadlines_;
  std::vector<Partition*> all_partitions_;
  // The partitions whose role, epoch, high watermark or log changed since the last
  // TakeChangedPartitions (each once: Partition::touched), and those that may have a deadline
  // (Partition::timed; pruned by Tick). Both in no order.
  std::vector<Partition*> touched_;
  std::vector<Partition*> timed_;
  uint64_t partition_versions_ = 0;  // the last Partition::version given
  uint64_t parked_fetch_evaluations_ = 0;
  uint64_t partition_set_stamp_ = 1;  // changes whenever a partition is opened or deleted
  // HandleFetchResponse's members settled by an answer, reused.
  std::vector<std::pair<Partition*, const FetchResponse::Partition*>> settled_scratch_;
  std::vector<Partition*> pump_;  // PumpFetchers' candidates (Partition::pump), in no order
  std::vector<Partition*> tick_scratch_;  // Tick's partitions to visit, reused
  // Leaders with at least one follower: the periodic ISR check is a deadline only when > 0.
  size_t leaders_with_followers_ = 0;
  std::map<uint64_t, ParkedFetch> parked_fetches_;
  std::map<int32_t, FetchSession> fetch_sessions_;
  uint64_t fetch_sessions_created_ = 0;
  uint64_t session_layouts_ = 0;  // the last FetchSession::layout given
  std::vector<SessionWatch> wake_scratch_;  // WakeSessions' copy of a partition's watchers
  uint64_t next_park_seq_ = 1;
  uint64_t next_send_id_ = 1;
  int64_t next_isr_check_ms_ = 0;
  int64_t next_retention_check_ms_ = -1;
  struct InternalAppend {
    PartitionKey key;
    int32_t leader_epoch = -1;
    int64_t base_offset = 0;
    int64_t required_offset = 0;  // the high watermark that commits it
    AppendDone done;
  };
  std::vector<InternalAppend> internal_appends_;  // in append order
  std::vector<LeadershipListener> leadership_listeners_;  // -1: set by the first Tick, one interval later
  std::vector<ReplicaReply> replies_;
  std::vector<ReplicaSend> sends_;
  // PumpFetchers' scratch: (leader, partition) of the followers ready to send, reused.
  std::vector<std::pair<int32_t, Partition*>> ready_fetching_, ready_truncating_;
};

}  // namespace samsa
