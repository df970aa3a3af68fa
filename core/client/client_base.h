#pragma once
// ClientBase: what the simulated producer and consumer share: connections to brokers with the
// ApiVersions handshake, correlation ids and request timeouts, and a metadata cache.
//
// Connection states per broker (at most one connection per broker):
//   None --Connect()--> Connecting --ConnOpened--> Handshaking (ApiVersions v3 sent; on
//   UNSUPPORTED_VERSION resent at v0) --ApiVersions ok--> Ready
//   any --ConnClosed / request timeout / undecodable response--> None, with a reconnect backoff
//   (reconnect.backoff.ms) and a metadata refresh; every request in flight on it fails
//   (OnRequestFailed), since its outcome is unknown.
//   Connecting / Handshaking --not Ready within the setup timeout--> None (closed, counted in
//   connection_setup_timeouts), like any other failure.
// Connection setup timeout (KIP-601, Kafka's ClusterConnectionStates): a connection must be Ready
// within socket.connection.setup.timeout.ms of Connect(). Every failure of a connection that was
// not yet Ready (setup timeout, refused, closed during the handshake) counts as a failed attempt
// on that broker; the timeout of the next attempt is base * 2^failures, with +-20% jitter drawn
// from the client's own stream (Split("connection-setup")), capped at
// socket.connection.setup.timeout.max.ms. A connection that becomes Ready resets the count.
// Unlike Kafka, whose setup timeout ends when the TCP connect (and authentication) completes, it
// also covers the ApiVersions handshake: the simulator has no authentication step, and a broker
// clogged right after the TCP connect would otherwise hold the client for request.timeout.ms.
// Metadata: Fresh --RequestMetadata() / age >= metadata.max.age.ms--> Stale --sent on the least
// loaded Ready connection (or a new connection to the next known broker)--> Fetching
// --response--> Fresh (or Stale again when a topic or partition had an error or no leader);
// --failure--> Stale. Metadata backoff (KIP-580, Kafka's Metadata.timeToAllowUpdate): a refresh
// waits retry.backoff.ms after the previous outcome, doubled for every further consecutive failed
// request and for every further consecutive response that changed nothing in the cache (same
// brokers, same topics' errors, leaders and epochs: the cluster has not moved yet), +-20% jitter
// from the client's own stream (Split("metadata-backoff")), up to retry.backoff.max.ms. A
// response that changes the cache, a new topic of interest (which also refreshes at once) and a
// refresh for metadata.max.age.ms restart the doubling.
//
// Driving: every input runs the derived class's Poll() after the base handled it; Poll() makes
// progress and reports its deadlines with WakeAt(). A metadata refresh Poll() asks for
// (RequestMetadata) is started, or scheduled after its backoff, in the same step. The next Ready carries the earliest deadline
// registered since the last TakeReady() (request timeouts and metadata age included).
// In flight per connection: at most max.in.flight.requests.per.connection requests (CanSend()).

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/node.h"
#include "core/base/prng.h"
#include "core/client/history.h"
#include "core/protocol/error_codes.h"
#include "core/protocol/messages/dispatch.h"

namespace samsa::client {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

struct ClientConfig {
  std::vector<NodeId> bootstrap;              // bootstrap.servers (node ids in the simulator)
  std::string client_id = "samsa-client";     // client.id
  int32_t request_timeout_ms = 30000;         // request.timeout.ms
  int64_t retry_backoff_ms = 100;             // retry.backoff.ms
  // retry.backoff.max.ms: the longest wait of an exponential retry backoff (metadata refreshes
  // here; the producer's batch retries).
  int64_t retry_backoff_max_ms = 1000;
  int64_t reconnect_backoff_ms = 50;          // reconnect.backoff.ms
  int64_t metadata_max_age_ms = 300000;       // metadata.max.age.ms
  bool allow_auto_topic_creation = true;      // allow.auto.create.topics
  int32_t max_in_flight_requests_per_connection = 5;
  int64_t socket_connection_setup_timeout_ms = 10000;      // socket.connection.setup.timeout.ms
  int64_t socket_connection_setup_timeout_max_ms = 30000;  // socket.connection.setup.timeout.max.ms
};

struct PartitionMetadata {
  int16_t error_code = 0;
  NodeId leader = kNoNode;
  int32_t leader_epoch = -1;
  friend bool operator==(const PartitionMetadata&, const PartitionMetadata&) = default;
};
struct TopicMetadata {
  int16_t error_code = 0;
  std::vector<PartitionMetadata> partitions;  // by partition index
  friend bool operator==(const TopicMetadata&, const TopicMetadata&) = default;
};

struct ClientStats {
  uint64_t requests_sent = 0;
  uint64_t responses = 0;
  uint64_t request_timeouts = 0;
  uint64_t connections_lost = 0;
  uint64_t metadata_refreshes = 0;
  uint64_t connection_setup_timeouts = 0;  // connections closed for not being Ready in time
};

// Kafka's ExponentialBackoff(initial, 2, max, 0.2), in ns: initial * 2^attempts, the exponent
// capped where the term reaches max, then jittered by +-20% (one draw from prng) and capped at max
// again. With max at or below initial, max every time, without jitter. Used for the connection
// setup timeout, metadata refreshes and the producer's retry backoff.
int64_t ExponentialBackoffNs(int64_t initial_ns, int64_t max_ns, int64_t attempts, Prng& prng);

class ClientBase : public Node {
 public:
  // Not copyable: last_topic_ points into this client's own metadata.
  ClientBase(const ClientBase&) = delete;
  ClientBase& operator=(const ClientBase&) = delete;

  NodeId id() const override { return id_; }
  void Step(const Input& input) final;
  Ready TakeReady() final;

  const std::map<std::string, TopicMetadata>& metadata() const { return topics_; }
  const ClientStats& client_stats() const { return client_stats_; }
  // The leader of tp (kNoNode when unknown).
  NodeId LeaderOf(const TopicPartition& tp) const;
  // Changes with every metadata answer (what LeaderOf says may have changed).
  uint64_t metadata_version() const { return metadata_version_; }
  // Partition count of topic (0 when unknown).
  int32_t PartitionCount(const std::string& topic) const;
  // Partitions of topic with a known leader, ascending.
  std::vector<int32_t> AvailablePartitions(const std::string& topic) const;
  int64_t now_ns() const { return now_ns_; }
  // Failed connection attempts to broker since its last Ready connection.
  int32_t setup_failures(NodeId broker) const;
  // When the connection to broker being set up times out (nullopt: none, or already Ready).
  std::optional<int64_t> setup_deadline_ns(NodeId broker) const;

 protected:
  ClientBase(NodeId id, ClientConfig config, std::shared_ptr<History> history, uint64_t seed);

  // A response to a request sent with SendRequest(token).
  virtual void OnResponse(uint64_t token, const ResponseBody& body) = 0;
  // A request sent with SendRequest(token) will get no response (connection lost, timed out, or the
  // response did not decode). Its effect on the broker is unknown.
  virtual void OnRequestFailed(uint64_t token, std::string_view reason) = 0;
  // The connection to broker closed, or failed to open, after OnRequestFailed for each request
  // on it: state waiting for that connection must not wait for it any longer.
  virtual void OnConnectionLost(NodeId /*broker*/) {}
  // New metadata arrived.
  virtual void OnMetadata() {}
  // Progress after every input; report deadlines with WakeAt().
  virtual void Poll() = 0;

  // Counts the changes that can let Poll() make new progress: every input other than a timer,
  // and connections opened or dropped, and requests sent, on any input. While it is unchanged,
  // no connection changed state or in-flight count and no metadata arrived; Poll() may skip
  // work then (the producer's sender does; see ProducerNode::Poll).
  uint64_t state_version() const { return state_version_; }

  bool IsReady(NodeId broker) const;
  int32_t InFlight(NodeId broker) const;
  bool CanSend(NodeId broker) const;
  // The connection to broker is ready and every in-flight slot is taken: CanSend() is false
  // until an answer (or the connection's end) frees one, and Connect() does nothing.
  bool InFlightFull(NodeId broker) const;
  // Opens a connection to broker unless one exists or its reconnect backoff runs (then it wakes
  // the node when the backoff ends).
  void Connect(NodeId broker);
  // For a broker without a connection, when Connect() would open one (now_ns() when at once);
  // nullopt when a connection exists.
  std::optional<int64_t> ConnectAt(NodeId broker) const;
  // The version to use for key with broker: min(preferred, broker max, codec max), or -1 when
  // that is below max(min_version, broker min) or the broker is not Ready.
  int16_t Version(NodeId broker, ApiKey key, int16_t min_version, int16_t preferred) const;
  // Sends a request on broker's Ready connection (CanSend() must hold). With expect_response
  // false (Produce with acks=0) nothing is tracked and no hook runs for it.
  void SendRequest(NodeId broker, const RequestBody& body, int16_t version, int64_t timeout_ns,
            uint64_t token, bool expect_response = true);
  void AddMetadataTopic(const std::string& topic);
  void RequestMetadata() { metadata_needed_ = true; }
  // The (unfenced) brokers the last metadata answer listed.
  const std::set<NodeId>& metadata_brokers() const { return metadata_brokers_; }
  void WakeAt(int64_t t_ns);

  const ClientConfig& client_config() const { return config_; }
  Prng& prng() { return prng_; }
  History& history() { return *history_; }
  int64_t MsToNs(int64_t ms) const { return ms * 1'000'000; }

 private:
  static constexpr int64_t kDeadlineUnknown = std::numeric_limits<int64_t>::min();
  enum class ConnState { kConnecting, kHandshaking, kReady };
  enum class PendingKind { kUser, kMetadata, kApiVersions };
  struct Pending {
    ApiKey api_key;
    int16_t version;
    PendingKind kind;
    uint64_t token;
    int64_t deadline_ns;
  };
  struct Conn {
    ConnId id;
    ConnState state = ConnState::kConnecting;
    std::map<int16_t, VersionRange> versions;  // from ApiVersions
    // By correlation id, ascending: requests are appended and (Kafka answers in order) taken
    // from the front, so a flat vector keeps them without a node allocation per request.
    std::vector<std::pair<int32_t, Pending>> pending;
    // The earliest deadline in pending (max() when empty), or kDeadlineUnknown after a removal
    // until CheckTimeouts() recomputes it: most inputs then skip the walk.
    int64_t earliest_deadline_ns = std::numeric_limits<int64_t>::max();
    int32_t user_in_flight = 0;
    int64_t setup_deadline_ns = 0;  // until Ready: when the connection setup times out
  };

  // The first pending request of c with a correlation id not below `correlation_id`.
  static std::vector<std::pair<int32_t, Pending>>::iterator PendingAt(Conn& c, int32_t correlation_id);
  void HandleFrame(ConnId conn, const Bytes& frame);
  void HandleApiVersions(NodeId broker, const ApiVersionsResponse& r, int16_t version);
  void HandleMetadata(const MetadataResponse& r);
  void DropConnection(NodeId broker, std::string_view reason, bool close);
  void SendApiVersions(NodeId broker, int16_t version);
  void SendRaw(NodeId broker, const RequestBody& body, int16_t version, PendingKind kind,
               uint64_t token, int64_t timeout_ns, bool expect_response);
  void CheckTimeouts();
  // The setup timeout of the next attempt on broker (draws the jitter).
  int64_t NextSetupTimeoutNs(NodeId broker);
  void MaybeRefreshMetadata();
  // The metadata backoff after an outcome (see the header comment): sets metadata_allowed_at_ns_.
  void BackOffMetadata();
  void NoteMetadataFailure();
  std::vector<NodeId> KnownBrokers() const;

  NodeId id_;
  ClientConfig config_;
  std::shared_ptr<History> history_;
  Prng prng_;
  int64_t now_ns_ = 0;
  Ready ready_;
  std::optional<int64_t> next_wake_ns_;
  uint64_t next_conn_id_ = 1;
  int32_t next_correlation_id_ = 1;
  std::map<NodeId, Conn> conns_;
  std::map<ConnId, NodeId> conn_broker_;
  std::map<NodeId, int64_t> reconnect_at_ns_;
  std::map<NodeId, int32_t> setup_failures_;  // consecutive failed attempts, per broker
  Prng setup_prng_;                           // setup-timeout jitter
  // Metadata.
  std::set<std::string> metadata_topics_;
  std::map<std::string, TopicMetadata> topics_;  // entries are never erased (see LeaderOf)
  // LeaderOf's last topic: its name and its entry in topics_ (stable, as entries stay). A
  // producer asks for the same topic's partitions over and over.
  mutable std::string last_topic_name_;
  mutable const TopicMetadata* last_topic_ = nullptr;
  uint64_t metadata_version_ = 0;
  std::set<NodeId> metadata_brokers_;
  bool metadata_needed_ = true;
  bool metadata_in_flight_ = false;
  int64_t last_metadata_ns_ = -1;  // when the last refresh completed (or -1)
  int64_t metadata_allowed_at_ns_ = 0;  // no refresh before (the metadata backoff)
  int32_t metadata_failures_ = 0;       // consecutive failed metadata requests
  int32_t metadata_unchanged_ = 0;      // consecutive responses that changed nothing
  Prng metadata_prng_;                  // metadata backoff jitter
  size_t next_bootstrap_ = 0;
  ClientStats client_stats_;
  uint64_t state_version_ = 0;
};

}  // namespace samsa::client
