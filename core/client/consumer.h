#pragma once
// ConsumerNode: a simulated Kafka consumer with manual assignment (no groups yet). Every record
// it reads becomes a poll event in the shared History.
//
// Construction:
//   ConsumerConfig cfg;  cfg.client.bootstrap = {NodeId(1)};  cfg.topic = "orders";
//   cfg.partitions = {};              // empty: every partition of the topic, from metadata
//   cfg.start = StartFrom::kEarliest;
//   sim.AddNode(NodeId(200), [=](NodeId id, Disk&, uint64_t seed) {
//     return std::make_unique<ConsumerNode>(id, cfg, history, seed);
//   }, /*is_client=*/true);
//
// States per assigned partition:
//   NeedsPosition (start earliest/latest, or after OFFSET_OUT_OF_RANGE with auto.offset.reset
//     earliest/latest) --ListOffsets sent to the leader--> Listing --offset--> Fetchable
//     (Listing --error or failure--> NeedsPosition after retry.backoff.ms)
//   Fetchable --Fetch sent (one Fetch per leader at a time, v4..11, read_uncommitted,
//     fetch.max.wait.ms, fetch.min.bytes; from v7 in a fetch session, FetchSessionState)-->
//     Fetching --records, or nothing new (left out of a session's answer)--> Fetchable
//     --leadership error--> Fetchable after a metadata refresh and retry.backoff.ms
//     --OFFSET_OUT_OF_RANGE--> NeedsPosition (new consumer session) or Stopped (reset "none")
// A start at a given offset begins in Fetchable. Positions move only forward within a session;
// a restart of the node (a new incarnation) or a reset starts a new session.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>

#include "core/base/partition_slots.h"
#include "core/client/client_base.h"
#include "core/client/history.h"
#include "core/protocol/fetch_session.h"
#include "core/view/cluster_view.h"

namespace samsa::client {

enum class StartFrom : uint8_t { kEarliest, kLatest, kOffset };
enum class OffsetReset : uint8_t { kEarliest, kLatest, kNone };  // auto.offset.reset

struct ConsumerConfig {
  ClientConfig client;
  std::string topic;
  std::vector<int32_t> partitions;  // manual assignment; empty = all partitions of topic
  StartFrom start = StartFrom::kEarliest;
  int64_t start_offset = 0;         // with StartFrom::kOffset
  // Kafka's default is latest; a checker-friendly simulation wants earliest.
  OffsetReset auto_offset_reset = OffsetReset::kEarliest;
  int32_t fetch_max_wait_ms = 500;              // fetch.max.wait.ms
  int32_t fetch_min_bytes = 1;                  // fetch.min.bytes
  int32_t fetch_max_bytes = 52428800;           // fetch.max.bytes
  int32_t max_partition_fetch_bytes = 1048576;  // max.partition.fetch.bytes
  size_t max_decompressed_bytes = 64u << 20;    // bound on one batch's decompressed records
  // The application's schedule (node-local time): nothing is read before start_ns (positions
  // are looked up then, so a late `latest` reader starts at the log end of that moment), and
  // nothing is requested at or after stop_ns.
  int64_t start_ns = 0;
  int64_t stop_ns = INT64_MAX;
};

struct ConsumerStats {
  uint64_t fetches = 0;
  uint64_t list_offsets = 0;
  uint64_t records = 0;
  uint64_t offset_resets = 0;
  uint64_t fetch_errors = 0;
  uint64_t decode_errors = 0;
  std::map<std::string, uint64_t> errors;  // fetch/list errors by Kafka name or failure reason
};

class ConsumerNode final : public ClientBase {
 public:
  ConsumerNode(NodeId id, ConsumerConfig config, std::shared_ptr<History> history, uint64_t seed);

  // The next offset to read in partition (nullopt while unknown or unassigned).
  std::optional<int64_t> position(int32_t partition) const;
  const ConsumerStats& stats() const { return stats_; }
  uint64_t session() const { return session_; }
  // Stops reading at local time t_ns (now or later): the application closed the consumer.
  // The caller drains the node afterwards.
  void StopAt(int64_t t_ns);
  // This client as a ClusterView shows it (core/view); high watermarks and lag are the
  // caller's (they are the brokers').
  view::ClientView Describe() const;

 private:
  enum class Phase : uint8_t { kNeedsPosition, kListing, kFetchable, kFetching, kStopped };
  struct PartState {
    Phase phase = Phase::kNeedsPosition;
    int64_t lookup_timestamp = -2;  // ListOffsets timestamp for kNeedsPosition
    int64_t position = -1;
    int64_t retry_at_ns = 0;
  };
  struct InFlight {
    ApiKey api;
    NodeId broker;
    std::vector<int32_t> partitions;
    int32_t session_epoch = -1;  // a fetch's session epoch (-1: no session)
  };
  // The fetch from one broker, in a fetch session (KIP-227) from Fetch v7: the session (its id
  // and the next fetch's epoch), and the partitions as the broker holds them. The
  // partitions fetched from it (members, kFetching) stay in its fetch until an answer settles
  // them: a session's answer carries only the partitions with something new, so the others stay,
  // and the next fetch lists only the partitions that joined or whose fetch state changed, and
  // forgets those that left (dirty). Work per answer follows what changed, not the partitions.
  struct FetchSessionState {
    FetcherSession session;
    boost::container::flat_set<int32_t> members;
    boost::container::flat_set<int32_t> dirty;
    boost::container::flat_map<int32_t, FetchRequest::Partition> held;
    uint64_t leaders_checked = 0;  // metadata_version() when its members' leaders were last checked
  };
  // b's partitions back off and wait to be placed again (on their leader of the moment); the
  // next fetch from that broker starts a new session.
  void ResetFetchSession(FetchSessionState& b);
  // p leaves b's fetch (the next one forgets it) and waits to be placed again.
  void LeaveFetch(FetchSessionState& b, int32_t p);

  void OnResponse(uint64_t token, const ResponseBody& body) override;
  void OnRequestFailed(uint64_t token, std::string_view reason) override;
  void OnConnectionLost(NodeId broker) override;
  void OnMetadata() override;
  void Poll() override;

  void Assign(const std::vector<int32_t>& partitions);
  void HandleFetch(const InFlight& req, const FetchResponse& resp);
  void HandleListOffsets(const InFlight& req, const ListOffsetsResponse& resp);
  void PartitionError(int32_t partition, ErrorCode error);
  void ReadRecords(int32_t partition, ByteView records);
  void Backoff(PartState& s);

  ConsumerConfig config_;
  // Per-partition state lives in sorted arrays (flat_map, flat_set): a fetch answer visits
  // partitions in order, and arrays keep that walk in few cache lines at hundreds of partitions.
  boost::container::flat_map<int32_t, PartState> parts_;
  // Where each assigned partition sits in parts_ (rebuilt by Assign): a lookup reads one entry
  // instead of a binary search over hundreds.
  PartitionSlots part_index_;
  // p's state; p must be assigned (every caller takes p from the assignment or a request of it).
  PartState& Part(int32_t p);
  const PartState* FindPart(int32_t p) const;
  size_t PartSlot(int32_t p) const;  // p's position in parts_, or parts_.size()
  // The partitions that may be waiting to list or fetch (kNeedsPosition, kFetchable), which Poll
  // walks instead of every partition; others leave it there.
  boost::container::flat_set<int32_t> idle_;
  bool assigned_ = false;
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t next_token_ = 1;
  uint64_t session_ = 0;
  ConsumerStats stats_;
  std::map<NodeId, FetchSessionState> fetch_sessions_;
  boost::container::flat_map<int32_t, const FetchResponse::Partition*> answer_scratch_;  // HandleFetch's, by partition
};

}  // namespace samsa::client
