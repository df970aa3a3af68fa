#pragma once
// BrokerNode: one samsa node (broker, KRaft controller, or both), the single entry point of the
// core. It is a Node (core/base/node.h): the simulator and the real runtime feed it inputs and
// apply its Ready; it never does I/O itself.
//
// Inside, it routes Kafka requests to the modules and moves their messages over connections:
//
//   RaftReplica       (core/controller/raft.h)        the __cluster_metadata quorum; every node
//                                                      runs one, as a voter or an observer
//   QuorumController  (core/controller/quorum_controller.h) decisions of the active controller
//                                                      (controller role only)
//   MetadataImage     (core/controller/metadata_image.h)    replayed from committed records
//   ReplicaManager    (core/replication/replica_manager.h)  partitions, produce/fetch, ISR
//                                                      (broker role only)
//
// Lifecycle (lifecycle(); constants named here are in broker.cc), after KRaft's
// BrokerLifecycleManager:
//   kStarting     before the first input, which runs Start(): it opens the metadata log and,
//                 with the broker role, recovers the partition logs.
//   kStarting    -> kRegistering  Start() succeeded on a node with the broker role.
//   kStarting    -> kRunning      Start() succeeded on a controller-only node (it never
//                                 registers: kRunning is its state for good).
//   kRegistering -> kRegistered   BrokerRegistration answered without error, with a broker epoch.
//   kRegistered  -> kRegistering  a heartbeat answered STALE_BROKER_EPOCH or
//                                 BROKER_ID_NOT_REGISTERED: the broker registers again.
//   kStarting, kRunning, kRegistering, kRegistered -> kFailed   Fail(), see health(): a log directory,
//                 metadata log or partition log that fails or cannot be recovered, or a committed
//                 metadata record that decodes but does not apply (one that does not decode is
//                 only recorded: undecodable_metadata()).
//   kStarting, kRunning, kRegistering, kRegistered -> kStopped  Stop(): the end of a ShutdownRequested.
// kFailed and kStopped are final: the node reports Ready::exited and its runtime ends the process.
// A crash just destroys the object. A restart is a new BrokerNode: a new incarnation id, no
// broker epoch (its registration sends previous_broker_epoch -1, so the controller treats every
// restart as unclean), the metadata image replayed from offset 0, the logs recovered.
//
// Registration and heartbeats go to the active controller (the Raft leader), one request at a
// time and only while one is known; a combined node that is the active controller handles its
// own in place. An answer that comes with metadata records waits until they commit. A request
// that fails (an error answer, NOT_CONTROLLER, DUPLICATE_BROKER_REGISTRATION while the previous
// incarnation's session is still valid, a connection lost, no answer within request.timeout.ms)
// is retried after kLifecycleRetryBackoffMs (100 ms). The first heartbeat goes right after
// registration, then one broker.heartbeat.interval.ms after each answer; each carries the
// metadata image's offset, and want_fence while that offset is below the broker epoch (the
// offset of its registration record). The ReplicaManager gets the image only once it holds that
// registration.
// Fencing is the controller's: a broker registers fenced; the controller unfences it at a
// heartbeat once its registration has committed and the broker has replayed past it, and fences
// a broker it has not heard from for broker.session.timeout.ms. The broker learns either from
// the next heartbeat answer (is_fenced) and stays kRegistered.
// Controlled shutdown (ShutdownRequested on a kRegistered broker whose last heartbeat answer said
// unfenced): heartbeats ask want_shut_down, the first at once (unless one is in flight), then
// kLifecycleRetryBackoffMs after each answer. The controller marks the broker in controlled
// shutdown and moves its leaderships away; once every unfenced broker has reported, in its
// heartbeats, replaying that mark, it fences the broker and answers should_shut_down, and the
// broker stops. It stops anyway kControlledShutdownTimeoutMs (30 s) after the request, or as soon
// as it is back in kRegistering (its registration was lost). Any other node (controller-only,
// not registered yet, or fenced) stops at once; a second ShutdownRequested changes nothing.
//
// Connections: inbound connections carry client (and peer) requests; their responses go back in
// request order, as Kafka guarantees per connection. Outbound connections, one per peer node and
// channel (Raft, controller, data), carry this node's requests; a response is matched by
// correlation id, and a request that times out closes its connection (as Kafka's NetworkClient
// does), failing every request on it.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/base/disk.h"
#include "core/base/node.h"
#include "core/base/prng.h"
#include "core/broker/broker_config.h"
#include "core/controller/metadata_image.h"
#include "core/controller/metadata_records.h"
#include "core/protocol/error_codes.h"
#include "core/protocol/messages/dispatch.h"
#include "core/view/cluster_view.h"

namespace samsa {

class RaftReplica;
class QuorumController;
class ReplicaManager;

class BrokerNode final : public Node {
 public:
  // kStopped: exited cleanly after a ShutdownRequested (a controlled shutdown when registered).
  enum class Lifecycle { kStarting, kRunning, kRegistering, kRegistered, kFailed, kStopped };

  BrokerNode(BrokerConfig config, Disk& disk, uint64_t seed);
  ~BrokerNode() override;

  NodeId id() const override { return NodeId(config_.node_id); }
  void Step(const Input& input) override;
  Ready TakeReady() override;

  // Observation, for checkers, reports and ClusterView. Never used to make decisions elsewhere.
  const BrokerConfig& config() const { return config_; }
  const MetadataImage& image() const { return image_; }
  const RaftReplica* raft() const { return raft_.get(); }
  const QuorumController* controller() const { return controller_.get(); }
  // Outbound connections to `peer` now (one per channel in use: Raft, controller, data).
  int OutboundConnectionsTo(int32_t peer) const;
  ReplicaManager* replicas() { return replicas_.get(); }
  const ReplicaManager* replicas() const { return replicas_.get(); }
  Lifecycle lifecycle() const { return lifecycle_; }
  int64_t broker_epoch() const { return broker_epoch_; }
  bool IsActiveController() const;
  // This node as a ClusterView shows it (core/view): lifecycle, epochs, Raft state, and its
  // local replicas.
  view::BrokerSelf Describe() const;
  // Why the node stopped serving (kFailed): a log that could not be recovered, a failed log
  // directory or metadata log, metadata that does not apply. The node then reports
  // Ready::exited, and its runtime ends the process.
  const Status& health() const { return health_; }
  // The offset of the last committed metadata record replayed (-1: none yet): the image's
  // offset, or past it when the records after it did not decode.
  int64_t replayed_metadata_offset() const { return metadata_chain_offset_; }
  // A hash chained over every committed metadata record replayed up to
  // replayed_metadata_offset() (offset and bytes, whether the record decoded or not): two nodes
  // at the same offset with different hashes replayed different histories.
  uint64_t metadata_chain_hash() const { return metadata_chain_hash_; }
  // Committed metadata records this node could not decode, in offset order: its image lacks
  // them, so it diverges from the committed log (the simulator reports each as a
  // metadata-divergence violation).
  struct UndecodableMetadata {
    int64_t offset;
    std::string error;  // why it did not decode
  };
  const std::vector<UndecodableMetadata>& undecodable_metadata() const { return undecodable_metadata_; }
  // For tests: appends `values` to the metadata log as they are, through the path the active
  // controller's records take (AppendMetadata), but without encoding them as metadata records.
  // Fails unless this node leads the quorum. Returns the last offset. Called between steps: the
  // Raft messages and disk syncs it causes go out with the node's next step.
  Result<int64_t> AppendRawMetadataForTest(const std::vector<Bytes>& values);

  // Request routing. Every API the codec decodes has one row in the routing table (kRoutes in
  // broker.cc): the module that answers it, the process roles that serve it, its versions, and
  // how an unserved request is answered. OnRequest answers, in this order:
  //   version outside [served_min, codec max]  -> the API's error response, UNSUPPORTED_VERSION
  //                                               (ApiVersions: its v0 layout, error 35)
  //   this node's roles do not serve the API   -> the API's error response, unserved_error
  //   otherwise                                -> handle(), which answers now or later
  // ApiVersions advertises exactly the rows this node's roles serve. A request that does not
  // decode (an api key or version the codec lacks, a malformed body) has no response layout we
  // could write, so its connection is closed, as Kafka's SocketServer does.
  enum class ApiOwner {
    kNode,            // BrokerNode itself (ApiVersions, Metadata)
    kRaft,            // RaftReplica (the __cluster_metadata quorum)
    kController,      // QuorumController when active; other nodes forward or answer NOT_CONTROLLER
    kReplicas,        // ReplicaManager (broker role)
    kRaftOrReplicas,  // Fetch: of __cluster_metadata -> RaftReplica, else ReplicaManager
  };
  enum class ServedBy { kAnyRole, kBrokerRole, kControllerRole };
  struct ApiRoute {
    ApiKey key;
    ApiOwner owner;
    ServedBy served_by;
    int16_t advertised_min, advertised_max;  // what ApiVersions advertises
    // Served from here up to the codec's maximum: brokers talk to each other with newer versions
    // than they advertise to clients (Fetch v12 carries the diverging-epoch and leader tags
    // replication needs); Produce and Fetch are advertised from v0 but served from v3 and v4.
    int16_t served_min;
    ErrorCode unserved_error;  // when this node's roles do not serve the API
    // The request's response with every error field set to `error`.
    ResponseBody (*error_response)(const RequestBody& body, int16_t error);
    void (*handle)(BrokerNode& node, uint64_t token, const Request& request, int64_t now_ms);
  };
  static std::span<const ApiRoute> Routes();
  // The row of `key`; nullptr when the codec has no definition for it.
  static const ApiRoute* FindRoute(ApiKey key);
  static std::string_view OwnerName(ApiOwner owner);
  // Whether a node with these roles serves the route.
  static bool RolesServe(const ApiRoute& route, bool broker_role, bool controller_role);
  // The ApiVersions api_keys of a node with these roles, ordered by key.
  static std::vector<ApiVersionsResponse::ApiVersion> AdvertisedApiVersions(bool broker_role, bool controller_role);

 private:
  // Who owns an outbound request, so its response or failure goes back to the right module.
  enum class Owner { kRaft, kReplica, kLifecycle, kForward };
  struct PendingRequest {
    Owner owner;
    uint64_t owner_id = 0;  // ReplicaSend id, or forwarded client token
    ApiKey api_key;
    int16_t version = 0;
    int32_t to = -1;
    ConnId conn;
    int64_t deadline_ms = 0;
  };
  struct PeerConn {
    ConnId conn;
    bool open = false;
    std::vector<Bytes> queued;  // frames waiting for the connection to open
  };
  struct InboundConn {
    struct Answer {
      bool done = false;
      std::optional<Bytes> frame;  // nullopt: no response
    };
    uint64_t next_seq = 0;       // sequence number of the next request on this connection
    uint64_t next_to_send = 0;   // responses go out in request order
    std::deque<Answer> answers;  // answers[i] is for request next_to_send + i
  };
  struct HeldControllerReply {
    int64_t commit_offset;  // released once the metadata HW passes it
    uint64_t token;
    RequestBody request;    // for the NOT_CONTROLLER answer if leadership is lost first
    ResponseBody response;
  };
  struct TokenInfo {
    ConnId conn;
    uint64_t seq;
    int32_t correlation_id;
    ApiKey api_key;
    int16_t version;
  };

  int64_t NowMs() const { return now_ns_ / 1'000'000; }
  void Start();
  void Fail(Status why);
  // Exits cleanly (kStopped): the end of a shutdown.
  void Stop();
  // Failed or stopped: the process is ending and answers nothing more.
  bool halted() const { return lifecycle_ == Lifecycle::kFailed || lifecycle_ == Lifecycle::kStopped; }
  void CloseEverything();
  void OnShutdownRequested();

  // Inbound.
  void OnFrame(ConnId conn, ByteView frame);
  // `request` may hold views into the frame (RECORDS): modules copy what they keep.
  void OnRequest(ConnId conn, const Request& request);
  void OnResponseFrame(ConnId conn, ByteView frame);
  void OnConnClosed(ConnId conn);
  uint64_t NewToken(ConnId conn, const RequestHeader& header);
  // payload_bytes: the records the response carries, to size the frame up front.
  void Reply(uint64_t token, const ResponseBody& response, size_t payload_bytes = 0);
  void ReplyNothing(uint64_t token);
  void ReplyRaw(uint64_t token, Bytes frame);
  // Files the answer to the request `seq` of conn (a frame, or nullopt for none) and sends what
  // is next in request order.
  void Answer(ConnId conn, uint64_t seq, std::optional<Bytes> frame);
  void FlushInbound(ConnId conn);
  // Queues a frame to send.
  void Emit(ConnId conn, Bytes frame);

  // Local request handling.
  static const ApiRoute kRoutes[];
  bool Serves(const ApiRoute& route) const;
  // The error response of `body` (its route's builder) with `error` in every error field.
  static ResponseBody ErrorResponseFor(const RequestBody& body, int16_t error);
  void HandleFetch(uint64_t token, const Request& request, int64_t now_ms);
  void HandleApiVersions(uint64_t token, const ApiVersionsRequest& request, int16_t version);
  void HandleMetadata(uint64_t token, const MetadataRequest& request, int16_t version);
  void HandleControllerRequest(uint64_t token, const RequestBody& body, int16_t version);
  // Encodes the controller's records and appends them to the metadata log (leader only); returns
  // the last offset, which the records' effects wait on.
  Result<int64_t> AppendMetadata(const std::vector<MetadataRecord>& records);
  void ForwardToController(uint64_t token, const RequestBody& body, int16_t version);
  void AutoCreateTopics(const std::vector<std::string>& names);

  // Outbound.
  void Send(Owner owner, uint64_t owner_id, int32_t to, const RequestBody& body, int16_t version,
            int64_t timeout_ms);
  void FailPending(const PendingRequest& pending);
  void CompletePending(const PendingRequest& pending, const ResponseBody& body);
  int32_t ActiveControllerId() const;
  // How long a registration or heartbeat waits for the controller's answer.
  int64_t LifecycleTimeoutMs() const;

  // Modules.
  void Pump();
  void PumpRaft();
  void SendRaftMessages();
  void PumpController();
  void PumpReplicas();
  void PumpLifecycle();
  void OnLifecycleResponse(const ResponseBody& body);
  void LifecycleToSelf(const RequestBody& request);
  // A combined node's ReplicaManager asking its own active controller (AlterPartition): no
  // connection to itself exists, so the request is handled in place and answered once its
  // records commit (or failed if this node stops leading the quorum first).
  void ReplicaToSelf(uint64_t send_id, const RequestBody& request);
  void ApplyCommitted();
  void Tick();

  BrokerConfig config_;
  Disk& disk_;
  Prng prng_;
  int64_t now_ns_ = 0;
  bool started_ = false;
  Status health_;

  std::unique_ptr<RaftReplica> raft_;
  std::unique_ptr<QuorumController> controller_;
  std::unique_ptr<ReplicaManager> replicas_;
  MetadataImage image_;
  bool image_changed_ = false;
  // The replica manager has not seen the latest image yet: it is given one only once this node
  // has replayed its own registration (see PumpReplicas).
  bool replicas_behind_image_ = false;
  uint64_t metadata_chain_hash_ = 0;
  int64_t metadata_chain_offset_ = -1;  // the last record folded into metadata_chain_hash_
  std::vector<UndecodableMetadata> undecodable_metadata_;
  int64_t replayed_through_ = 0;  // every committed metadata record below this was replayed

  // Lifecycle.
  Lifecycle lifecycle_ = Lifecycle::kStarting;
  Uuid incarnation_id_;
  int64_t broker_epoch_ = -1;
  bool lifecycle_in_flight_ = false;
  int64_t next_lifecycle_ms_ = 0;
  bool fenced_ = true;
  // When a ShutdownRequested arrived (-1: none). Heartbeats then ask for a controlled shutdown,
  // and the node exits once the controller grants it, or after kControlledShutdownTimeoutMs.
  int64_t shutdown_requested_ms_ = -1;

  // Connections and requests.
  std::map<uint64_t, InboundConn> inbound_;   // by ConnId value
  // Outbound connections: one per peer node and channel, as Kafka's separate network clients
  // (Raft, broker-to-controller, replica fetchers). A server answers a connection's requests in
  // order, so a controller reply held until its records commit must not delay the Raft fetch
  // answers that commit them.
  enum class Channel { kRaft, kController, kData };
  static Channel ChannelOf(Owner owner, ApiKey api_key);
  using PeerKey = std::pair<int32_t, Channel>;
  std::map<PeerKey, PeerConn> peers_;
  std::map<uint64_t, PeerKey> peer_of_conn_;  // outbound ConnId value -> peer and channel
  std::map<int32_t, PendingRequest> pending_; // by correlation id
  std::unordered_map<uint64_t, TokenInfo> tokens_;  // every use is a lookup or order-free
  struct Forwarded {
    uint64_t token;    // the client's request
    RequestBody body;  // to build its error response if the controller cannot be reached
  };
  struct SelfReply {
    int64_t commit_offset;  // -1: nothing to wait for
    ResponseBody response;
  };
  std::map<uint64_t, Forwarded> forwarded_;   // forward owner id -> client request
  std::vector<SelfReply> self_replies_;       // a combined node's lifecycle answers to itself
  struct SelfReplicaReply {
    int64_t commit_offset;  // released once the metadata HW passes it
    uint64_t send_id;       // the ReplicaSend it answers
    ResponseBody response;
  };
  std::vector<SelfReplicaReply> self_replica_replies_;  // its AlterPartition answers to itself
  std::vector<HeldControllerReply> held_replies_;
  uint64_t next_token_ = 1;
  uint64_t next_conn_ = 1;
  int32_t next_correlation_ = 1;
  std::map<PeerKey, int64_t> reconnect_after_ms_;  // peer and channel -> earliest reconnect time
  std::string client_id_;  // in the header of every request this node sends

  Ready ready_;
};

}  // namespace samsa
