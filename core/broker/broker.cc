#include "core/broker/broker.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/controller/metadata_records.h"
#include "core/controller/quorum_controller.h"
#include "core/controller/raft.h"
#include "core/protocol/error_codes.h"
#include "core/replication/replica_manager.h"

namespace samsa {

namespace {

constexpr std::string_view kMetadataTopic = "__cluster_metadata";
constexpr int64_t kReconnectBackoffMs = 50;       // reconnect.backoff.ms
constexpr int64_t kLifecycleRetryBackoffMs = 100;  // after a failed registration or heartbeat
// How long a broker waits for the controller to grant its controlled shutdown before it exits
// anyway (Kafka waits up to 5 minutes; a simulated cluster with no reachable controller should
// not keep a stopping broker for that long).
constexpr int64_t kControlledShutdownTimeoutMs = 30'000;
constexpr size_t kMaxQueuedFramesPerPeer = 1000;
// Initial capacity of encoded frames: most requests and answers fit, so encoding does not grow
// the buffer step by step from empty.
constexpr size_t kRequestReserveBytes = 256;
constexpr size_t kReplyReserveBytes = 256;

int16_t Err(ErrorCode code) { return int16_t(code); }

// Error-response builders, one per API (see BrokerNode::ApiRoute::error_response): the
// response to the request with every error field set to `error`, per partition where the API
// answers per partition.

ResponseBody ProduceError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<ProduceRequest>(body);
  ProduceResponse resp;
  for (const auto& t : r.topic_data) {
    auto& rt = resp.responses.emplace_back();
    rt.name = t.name;
    for (const auto& p : t.partition_data) {
      auto& rp = rt.partition_responses.emplace_back();
      rp.index = p.index;
      rp.error_code = error;
      rp.base_offset = -1;
    }
  }
  return resp;
}

ResponseBody FetchError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<FetchRequest>(body);
  FetchResponse resp;
  resp.error_code = error;
  for (const auto& t : r.topics) {
    auto& rt = resp.responses.emplace_back();
    rt.topic = t.topic;
    rt.topic_id = t.topic_id;
    for (const auto& p : t.partitions) {
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = p.partition;
      rp.error_code = error;
      rp.high_watermark = -1;
    }
  }
  return resp;
}

ResponseBody ListOffsetsError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<ListOffsetsRequest>(body);
  ListOffsetsResponse resp;
  for (const auto& t : r.topics) {
    auto& rt = resp.topics.emplace_back();
    rt.name = t.name;
    for (const auto& p : t.partitions) {
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = p.partition_index;
      rp.error_code = error;
    }
  }
  return resp;
}

ResponseBody MetadataError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<MetadataRequest>(body);
  MetadataResponse resp;
  if (r.topics) {
    for (const auto& t : *r.topics) {
      auto& rt = resp.topics.emplace_back();
      rt.error_code = error;
      rt.name = t.name;
      rt.topic_id = t.topic_id;
    }
  }
  return resp;
}

ResponseBody OffsetForLeaderEpochError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<OffsetForLeaderEpochRequest>(body);
  OffsetForLeaderEpochResponse resp;
  for (const auto& t : r.topics) {
    auto& rt = resp.topics.emplace_back();
    rt.topic = t.topic;
    for (const auto& p : t.partitions) {
      auto& rp = rt.partitions.emplace_back();
      rp.partition = p.partition;
      rp.error_code = error;
    }
  }
  return resp;
}

ResponseBody ApiVersionsError(const RequestBody&, int16_t error) {
  ApiVersionsResponse resp;
  resp.error_code = error;
  return resp;
}

ResponseBody CreateTopicsError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<CreateTopicsRequest>(body);
  CreateTopicsResponse resp;
  for (const auto& t : r.topics) {
    auto& rt = resp.topics.emplace_back();
    rt.name = t.name;
    rt.error_code = error;
  }
  return resp;
}

ResponseBody DeleteTopicsError(const RequestBody& body, int16_t error) {
  const auto& r = std::get<DeleteTopicsRequest>(body);
  DeleteTopicsResponse resp;
  for (const auto& n : r.topic_names) {
    auto& rt = resp.responses.emplace_back();
    rt.name = n;
    rt.error_code = error;
  }
  for (const auto& t : r.topics) {
    auto& rt = resp.responses.emplace_back();
    rt.name = t.name;
    rt.topic_id = t.topic_id;
    rt.error_code = error;
  }
  return resp;
}

// The Raft APIs answer with a top-level error (the quorum has one partition).
template <typename Response>
ResponseBody TopLevelError(const RequestBody&, int16_t error) {
  Response resp;
  resp.error_code = error;
  return resp;
}

bool IsMetadataFetch(const FetchRequest& r) {
  return std::any_of(r.topics.begin(), r.topics.end(), [](const FetchRequest::Topic& t) { return t.topic == kMetadataTopic; });
}

}  // namespace

// The routing table (see broker.h). Owners' handlers run only on nodes whose roles serve the
// row, so a kReplicas handler may use replicas_ and a controller-role row has controller_.
const BrokerNode::ApiRoute BrokerNode::kRoutes[] = {
    {ApiKey::kProduce, ApiOwner::kReplicas, ServedBy::kBrokerRole, 0, 8, 3, ErrorCode::kNotLeaderOrFollower,
     ProduceError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.replicas_->HandleProduce(token, std::get<ProduceRequest>(r.body), r.header.api_version, now);
     }},
    {ApiKey::kFetch, ApiOwner::kRaftOrReplicas, ServedBy::kAnyRole, 0, 11, 4, ErrorCode::kNotLeaderOrFollower,
     FetchError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.HandleFetch(token, r, now);
     }},
    {ApiKey::kListOffsets, ApiOwner::kReplicas, ServedBy::kBrokerRole, 0, 5, 0, ErrorCode::kNotLeaderOrFollower,
     ListOffsetsError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.replicas_->HandleListOffsets(token, std::get<ListOffsetsRequest>(r.body), r.header.api_version, now);
     }},
    {ApiKey::kMetadata, ApiOwner::kNode, ServedBy::kAnyRole, 0, 8, 0, ErrorCode::kUnsupportedVersion,
     MetadataError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleMetadata(token, std::get<MetadataRequest>(r.body), r.header.api_version);
     }},
    {ApiKey::kOffsetForLeaderEpoch, ApiOwner::kReplicas, ServedBy::kBrokerRole, 0, 3, 0,
     ErrorCode::kNotLeaderOrFollower, OffsetForLeaderEpochError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.replicas_->HandleOffsetForLeaderEpoch(token, std::get<OffsetForLeaderEpochRequest>(r.body),
                                               r.header.api_version, now);
     }},
    {ApiKey::kApiVersions, ApiOwner::kNode, ServedBy::kAnyRole, 0, 3, 0, ErrorCode::kUnsupportedVersion,
     ApiVersionsError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleApiVersions(token, std::get<ApiVersionsRequest>(r.body), r.header.api_version);
     }},
    {ApiKey::kCreateTopics, ApiOwner::kController, ServedBy::kAnyRole, 0, 4, 0, ErrorCode::kUnsupportedVersion,
     CreateTopicsError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleControllerRequest(token, r.body, r.header.api_version);
     }},
    {ApiKey::kDeleteTopics, ApiOwner::kController, ServedBy::kAnyRole, 0, 3, 0, ErrorCode::kUnsupportedVersion,
     DeleteTopicsError,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleControllerRequest(token, r.body, r.header.api_version);
     }},
    {ApiKey::kVote, ApiOwner::kRaft, ServedBy::kControllerRole, 0, 1, 0, ErrorCode::kUnsupportedVersion,
     TopLevelError<VoteResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.raft_->OnRequest(token, r.body, r.header.api_version, now);
     }},
    {ApiKey::kBeginQuorumEpoch, ApiOwner::kRaft, ServedBy::kControllerRole, 0, 1, 0, ErrorCode::kUnsupportedVersion,
     TopLevelError<BeginQuorumEpochResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.raft_->OnRequest(token, r.body, r.header.api_version, now);
     }},
    {ApiKey::kEndQuorumEpoch, ApiOwner::kRaft, ServedBy::kControllerRole, 0, 1, 0, ErrorCode::kUnsupportedVersion,
     TopLevelError<EndQuorumEpochResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.raft_->OnRequest(token, r.body, r.header.api_version, now);
     }},
    {ApiKey::kDescribeQuorum, ApiOwner::kRaft, ServedBy::kAnyRole, 0, 2, 0, ErrorCode::kUnsupportedVersion,
     TopLevelError<DescribeQuorumResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t now) {
       n.raft_->OnRequest(token, r.body, r.header.api_version, now);
     }},
    {ApiKey::kAlterPartition, ApiOwner::kController, ServedBy::kControllerRole, 0, 3, 0,
     ErrorCode::kUnsupportedVersion, TopLevelError<AlterPartitionResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleControllerRequest(token, r.body, r.header.api_version);
     }},
    {ApiKey::kBrokerRegistration, ApiOwner::kController, ServedBy::kControllerRole, 0, 4, 0,
     ErrorCode::kUnsupportedVersion, TopLevelError<BrokerRegistrationResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleControllerRequest(token, r.body, r.header.api_version);
     }},
    {ApiKey::kBrokerHeartbeat, ApiOwner::kController, ServedBy::kControllerRole, 0, 1, 0,
     ErrorCode::kUnsupportedVersion, TopLevelError<BrokerHeartbeatResponse>,
     [](BrokerNode& n, uint64_t token, const Request& r, int64_t) {
       n.HandleControllerRequest(token, r.body, r.header.api_version);
     }},
};

std::span<const BrokerNode::ApiRoute> BrokerNode::Routes() { return kRoutes; }

const BrokerNode::ApiRoute* BrokerNode::FindRoute(ApiKey key) {
  for (const auto& r : kRoutes)
    if (r.key == key) return &r;
  return nullptr;
}

std::string_view BrokerNode::OwnerName(ApiOwner owner) {
  switch (owner) {
    case ApiOwner::kNode: return "node";
    case ApiOwner::kRaft: return "raft";
    case ApiOwner::kController: return "controller";
    case ApiOwner::kReplicas: return "replica manager";
    case ApiOwner::kRaftOrReplicas: return "raft (metadata topic) or replica manager";
  }
  return "?";
}

bool BrokerNode::RolesServe(const ApiRoute& route, bool broker_role, bool controller_role) {
  switch (route.served_by) {
    case ServedBy::kAnyRole: return true;
    case ServedBy::kBrokerRole: return broker_role;
    case ServedBy::kControllerRole: return controller_role;
  }
  return false;
}

// A node whose roles serve the route also has the route's module (Start creates the replica
// manager for the broker role and the controller for the controller role, or fails the node).
bool BrokerNode::Serves(const ApiRoute& route) const {
  return RolesServe(route, replicas_ != nullptr, controller_ != nullptr);
}

ResponseBody BrokerNode::ErrorResponseFor(const RequestBody& body, int16_t error) {
  const ApiRoute* route = FindRoute(ApiKeyOf(body));
  SAMSA_ASSERT_MSG(route != nullptr, "every decodable API has a route");
  return route->error_response(body, error);
}

std::vector<ApiVersionsResponse::ApiVersion> BrokerNode::AdvertisedApiVersions(bool broker_role, bool controller_role) {
  std::vector<ApiVersionsResponse::ApiVersion> out;
  for (const auto& r : kRoutes) {
    if (!RolesServe(r, broker_role, controller_role)) continue;
    out.push_back({int16_t(r.key), r.advertised_min, r.advertised_max});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.api_key < b.api_key; });
  return out;
}

BrokerNode::BrokerNode(BrokerConfig config, Disk& disk, uint64_t seed)
    : config_(std::move(config)), disk_(disk), prng_(seed),
      client_id_("samsa-broker-" + std::to_string(config_.node_id)) {}

BrokerNode::~BrokerNode() = default;

bool BrokerNode::IsActiveController() const { return controller_ && controller_->active(); }

view::BrokerSelf BrokerNode::Describe() const {
  view::BrokerSelf d;
  d.id = config_.node_id;
  switch (lifecycle_) {
    case Lifecycle::kStarting: d.lifecycle = "starting"; break;
    case Lifecycle::kRunning: d.lifecycle = "running"; break;
    case Lifecycle::kRegistering: d.lifecycle = "registering"; break;
    case Lifecycle::kRegistered: d.lifecycle = "registered"; break;
    case Lifecycle::kFailed: d.lifecycle = "failed"; break;
    case Lifecycle::kStopped: d.lifecycle = "stopped"; break;
  }
  d.broker_epoch = broker_epoch_;
  d.is_broker = replicas_ != nullptr;
  d.is_active_controller = IsActiveController();
  if (raft_ != nullptr) {
    d.is_voter = raft_->IsVoter();
    d.raft_epoch = raft_->Epoch();
    std::string role = raft_->StateName();
    for (char& c : role) c = char(std::tolower(static_cast<unsigned char>(c)));
    d.raft_role = std::move(role);
    d.raft_leader = raft_->LeaderId();
  }
  d.metadata_offset = image_.offset();
  d.local_now_ms = NowMs();
  if (replicas_ != nullptr) replicas_->Describe(&d.replicas);
  return d;
}

void BrokerNode::Fail(Status why) {
  lifecycle_ = Lifecycle::kFailed;
  health_ = std::move(why);
  CloseEverything();
}

void BrokerNode::Stop() {
  lifecycle_ = Lifecycle::kStopped;
  CloseEverything();
}

void BrokerNode::OnShutdownRequested() {
  if (shutdown_requested_ms_ >= 0) return;
  shutdown_requested_ms_ = NowMs();
  // Only a registered, unfenced broker has leaderships for the controller to move: any other
  // node (controller-only, still registering, or fenced) exits at once.
  if (!config_.broker_role || lifecycle_ != Lifecycle::kRegistered || fenced_) return Stop();
  next_lifecycle_ms_ = shutdown_requested_ms_;  // ask at the next heartbeat, now
}

void BrokerNode::CloseEverything() {
  ready_.exited = true;
  for (const auto& [conn, _] : inbound_) ready_.closes.push_back(ConnId(conn));
  for (const auto& [_, peer] : peers_) ready_.closes.push_back(peer.conn);
  inbound_.clear();
  peers_.clear();
  peer_of_conn_.clear();
  pending_.clear();
  tokens_.clear();
}

void BrokerNode::Start() {
  started_ = true;
  Prng incarnation = prng_.Split("incarnation");
  incarnation_id_ = Uuid::FromHalves(incarnation.NextU64(), incarnation.NextU64());

  RaftConfig rc;
  rc.node_id = config_.node_id;
  rc.voters = config_.VoterIds();
  rc.election_timeout_ms = config_.quorum_election_timeout_ms;
  rc.election_backoff_max_ms = config_.quorum_election_backoff_max_ms;
  rc.fetch_timeout_ms = config_.quorum_fetch_timeout_ms;
  rc.cluster_id = config_.cluster_id;
  rc.log_dir = JoinPath(config_.log_dir, "__cluster_metadata-0");
  if (Status s = disk_.CreateDir(config_.log_dir); !s.ok()) return Fail(s.WithContext("log.dirs"));
  // A log syncs its own directory and that directory's parent; the names of log.dirs and its
  // ancestors are ours to make durable (a controller-only node, with no replica manager to do it,
  // lost its whole metadata log when every controller crashed at once). Syncs complete in
  // request order, so these land before anything the logs sync later.
  (void)RequestSyncOfAncestors(disk_, config_.log_dir);
  raft_ = std::make_unique<RaftReplica>(rc, disk_, prng_.Split("raft"));
  if (Status s = raft_->Open(NowMs()); !s.ok()) return Fail(s.WithContext("metadata log"));

  if (config_.controller_role) {
    ControllerConfig cc;
    cc.cluster_id = config_.cluster_id;
    cc.broker_session_timeout_ms = config_.broker_session_timeout_ms;
    cc.broker_heartbeat_interval_ms = config_.broker_heartbeat_interval_ms;
    cc.num_partitions = config_.num_partitions;
    cc.default_replication_factor = config_.default_replication_factor;
    cc.min_insync_replicas = config_.min_insync_replicas;
    cc.unclean_leader_election_enable = config_.unclean_leader_election_enable;
    cc.auto_leader_rebalance_enable = config_.auto_leader_rebalance_enable;
    cc.leader_imbalance_check_interval_ms = config_.leader_imbalance_check_interval_ms;
    controller_ = std::make_unique<QuorumController>(cc, prng_.Split("controller"));
  }
  if (config_.broker_role) {
    ReplicaConfig rep;
    rep.node_id = config_.node_id;
    rep.log_root = config_.log_dir;
    rep.log.segment_bytes = config_.log_segment_bytes;
    rep.log.roll_ms = config_.log_roll_ms;
    rep.log.retention_ms = config_.log_retention_ms;
    rep.log.retention_bytes = config_.log_retention_bytes;
    rep.log.max_batch_bytes = size_t(config_.message_max_bytes);
    rep.replica_lag_time_max_ms = config_.replica_lag_time_max_ms;
    rep.replica_fetch_max_bytes = config_.replica_fetch_max_bytes;
    rep.replica_fetch_wait_max_ms = config_.replica_fetch_wait_max_ms;
    rep.replica_fetch_min_bytes = config_.replica_fetch_min_bytes;
    rep.replica_fetch_backoff_ms = config_.replica_fetch_backoff_ms;
    rep.min_insync_replicas = config_.min_insync_replicas;
    rep.flush_interval_messages = config_.log_flush_interval_messages;
    rep.flush_interval_ms = config_.log_flush_interval_ms;
    rep.compression_type = config_.compression_type;
    rep.retention_check_interval_ms = config_.log_retention_check_interval_ms;
    replicas_ = std::make_unique<ReplicaManager>(rep, disk_);
    if (Status s = replicas_->Open(NowMs()); !s.ok()) return Fail(s.WithContext("partition logs"));
    lifecycle_ = Lifecycle::kRegistering;
  } else {
    lifecycle_ = Lifecycle::kRunning;
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs.

void BrokerNode::Step(const Input& input) {
  if (input.now_ns > now_ns_) now_ns_ = input.now_ns;
  if (!started_) Start();
  if (halted()) {
    // A failed node keeps nothing open: it answers no request until it is restarted.
    if (const auto* opened = std::get_if<ConnOpened>(&input.event)) ready_.closes.push_back(opened->conn);
    return;
  }
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ConnOpened>) {
          if (e.outbound) {
            auto it = peer_of_conn_.find(e.conn.value());
            if (it == peer_of_conn_.end()) return;
            PeerConn& peer = peers_[it->second];
            peer.open = true;
            for (auto& frame : peer.queued) Emit(peer.conn, std::move(frame));
            peer.queued.clear();
          } else {
            inbound_[e.conn.value()];
          }
        } else if constexpr (std::is_same_v<T, ConnClosed>) {
          OnConnClosed(e.conn);
        } else if constexpr (std::is_same_v<T, FrameArrived>) {
          OnFrame(e.conn, e.frame);
        } else if constexpr (std::is_same_v<T, TimerFired>) {
          Tick();
        } else if constexpr (std::is_same_v<T, SyncDone>) {
          if (!raft_->OnSyncDone(e.sync, e.ok, NowMs()) && replicas_) replicas_->OnSyncDone(e.sync, e.ok, NowMs());
        } else if constexpr (std::is_same_v<T, ShutdownRequested>) {
          OnShutdownRequested();
        }
      },
      input.event);
  if (!halted()) Pump();
}

Ready BrokerNode::TakeReady() {
  // Not started yet: ask for a timer right away; the first input starts the node (it needs the
  // time, which only inputs carry).
  if (!started_) ready_.wake_at_ns = now_ns_;
  // The next wake-up: the earliest deadline of any module, request or lifecycle step.
  if (!halted() && started_) {
    int64_t next_ms = raft_->NextDeadlineMs();
    if (controller_) next_ms = std::min(next_ms, controller_->NextDeadlineMs());
    if (replicas_) next_ms = std::min(next_ms, replicas_->NextDeadlineMs());
    // The lifecycle waits for a known controller; learning of one is an input that pumps anyway.
    if (config_.broker_role && !lifecycle_in_flight_ && ActiveControllerId() >= 0)
      next_ms = std::min(next_ms, next_lifecycle_ms_);
    if (shutdown_requested_ms_ >= 0) next_ms = std::min(next_ms, shutdown_requested_ms_ + kControlledShutdownTimeoutMs);
    for (const auto& [_, p] : pending_) next_ms = std::min(next_ms, p.deadline_ms);
    // INT64_MAX is "no deadline"; a deadline too far to express in ns (log.flush.interval.ms set
    // near its maximum) is none either, rather than an overflow.
    if (next_ms < INT64_MAX / 1'000'000) {
      int64_t at_ns = next_ms * 1'000'000;
      ready_.wake_at_ns = std::max(at_ns, now_ns_ + 1'000'000);
    }
  }
  Ready out = std::move(ready_);
  ready_ = Ready();
  return out;
}

void BrokerNode::Tick() {
  int64_t now = NowMs();
  if (shutdown_requested_ms_ >= 0 && now >= shutdown_requested_ms_ + kControlledShutdownTimeoutMs) return Stop();
  // Requests past their deadline: fail them and close their connection, as Kafka does.
  std::set<uint64_t> timed_out_conns;
  for (const auto& [_, p] : pending_)
    if (p.deadline_ms <= now) timed_out_conns.insert(p.conn.value());
  for (uint64_t conn : timed_out_conns) {
    ready_.closes.push_back(ConnId(conn));
    OnConnClosed(ConnId(conn));
  }
  raft_->Tick(now);
  if (replicas_) replicas_->Tick(now);
}

void BrokerNode::OnConnClosed(ConnId conn) {
  if (auto in = inbound_.find(conn.value()); in != inbound_.end()) {
    inbound_.erase(in);
    for (auto t = tokens_.begin(); t != tokens_.end();)
      t = t->second.conn == conn ? tokens_.erase(t) : std::next(t);
    return;
  }
  auto it = peer_of_conn_.find(conn.value());
  if (it == peer_of_conn_.end()) return;
  PeerKey peer = it->second;
  peer_of_conn_.erase(it);
  peers_.erase(peer);
  reconnect_after_ms_[peer] = NowMs() + kReconnectBackoffMs;
  std::vector<PendingRequest> failed;
  for (auto p = pending_.begin(); p != pending_.end();) {
    if (p->second.conn == conn) {
      failed.push_back(p->second);
      p = pending_.erase(p);
    } else {
      ++p;
    }
  }
  for (const auto& p : failed) FailPending(p);
}

void BrokerNode::OnFrame(ConnId conn, ByteView frame) {
  if (peer_of_conn_.count(conn.value())) return OnResponseFrame(conn, frame);
  if (frame.size() > size_t(config_.socket_request_max_bytes)) {
    // socket.request.max.bytes: Kafka refuses a larger request from its size prefix alone, before
    // reading it, and closes the connection (InvalidReceiveException).
    ready_.closes.push_back(conn);
    OnConnClosed(conn);
    return;
  }
  if (!inbound_.count(conn.value())) inbound_[conn.value()];
  Result<Request> request = DecodeRequest(frame);
  if (!request.ok()) {
    // ApiVersions at a version we do not know: answer with the v0 layout so the client retries
    // lower (librdkafka sends v3 first; newer clients may send v4+).
    Result<RequestHeader> header = DecodeRequestHeader(frame);
    if (header.ok() && header->api_key == ApiKey::kApiVersions) {
      Bytes out;
      AppendApiVersionsUnsupportedVersionResponse(header->correlation_id, out);
      ReplyRaw(NewToken(conn, *header), std::move(out));
      return;
    }
    // Any other undecodable request (unknown API or version, malformed body): Kafka closes the
    // connection, and so do we.
    ready_.closes.push_back(conn);
    OnConnClosed(conn);
    return;
  }
  OnRequest(conn, *request);
}

uint64_t BrokerNode::NewToken(ConnId conn, const RequestHeader& header) {
  uint64_t token = next_token_++;
  InboundConn& in = inbound_[conn.value()];
  tokens_[token] = {conn, in.next_seq++, header.correlation_id, header.api_key, header.api_version};
  return token;
}

void BrokerNode::Reply(uint64_t token, const ResponseBody& response, size_t payload_bytes) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;  // the connection closed meanwhile
  const TokenInfo& t = it->second;
  Bytes frame;
  // Room for the usual answer (and the records it carries) up front, instead of growing by
  // doubling from empty.
  frame.reserve(kReplyReserveBytes + payload_bytes);
  ResponseHeader header;
  header.correlation_id = t.correlation_id;
  AppendResponse(t.api_key, t.version, header, response, frame);
  ConnId conn = t.conn;
  uint64_t seq = t.seq;
  tokens_.erase(it);
  Answer(conn, seq, std::move(frame));
}

void BrokerNode::ReplyRaw(uint64_t token, Bytes frame) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;
  ConnId conn = it->second.conn;
  uint64_t seq = it->second.seq;
  tokens_.erase(it);
  Answer(conn, seq, std::move(frame));
}

void BrokerNode::ReplyNothing(uint64_t token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;
  ConnId conn = it->second.conn;
  uint64_t seq = it->second.seq;
  tokens_.erase(it);
  Answer(conn, seq, std::nullopt);
}

void BrokerNode::Answer(ConnId conn, uint64_t seq, std::optional<Bytes> frame) {
  InboundConn& in = inbound_[conn.value()];
  SAMSA_ASSERT(seq >= in.next_to_send);
  size_t slot = size_t(seq - in.next_to_send);
  if (slot >= in.answers.size()) in.answers.resize(slot + 1);
  in.answers[slot].done = true;
  in.answers[slot].frame = std::move(frame);
  FlushInbound(conn);
}

void BrokerNode::Emit(ConnId conn, Bytes frame) {
  // TakeReady hands the vector over: start the next one with room for a few frames.
  if (ready_.frames.capacity() == 0) ready_.frames.reserve(4);
  ready_.frames.push_back({conn, std::move(frame)});
}

void BrokerNode::FlushInbound(ConnId conn) {
  auto it = inbound_.find(conn.value());
  if (it == inbound_.end()) return;
  InboundConn& in = it->second;
  while (!in.answers.empty() && in.answers.front().done) {
    if (in.answers.front().frame) Emit(conn, std::move(*in.answers.front().frame));
    in.answers.pop_front();
    ++in.next_to_send;
  }
}

void BrokerNode::OnRequest(ConnId conn, const Request& request) {
  uint64_t token = NewToken(conn, request.header);
  ApiKey key = request.header.api_key;
  int16_t version = request.header.api_version;
  const ApiRoute* route = FindRoute(key);
  std::optional<VersionRange> codec = SupportedVersions(key);
  if (route == nullptr || !codec) {
    // Unreachable: every API the codec decodes has a route (BrokerProtocolTest checks). Close
    // rather than abort, as for a request that does not decode.
    tokens_.erase(token);
    ready_.closes.push_back(conn);
    OnConnClosed(conn);
    return;
  }
  if (version > codec->max || version < route->served_min) {
    if (key == ApiKey::kApiVersions) {
      Bytes out;
      AppendApiVersionsUnsupportedVersionResponse(request.header.correlation_id, out);
      return ReplyRaw(token, std::move(out));
    }
    return Reply(token, route->error_response(request.body, Err(ErrorCode::kUnsupportedVersion)));
  }
  if (!Serves(*route)) return Reply(token, route->error_response(request.body, Err(route->unserved_error)));
  route->handle(*this, token, request, NowMs());
}

void BrokerNode::HandleFetch(uint64_t token, const Request& request, int64_t now_ms) {
  const auto& fetch = std::get<FetchRequest>(request.body);
  int16_t version = request.header.api_version;
  if (IsMetadataFetch(fetch)) return raft_->OnRequest(token, request.body, version, now_ms);
  if (replicas_) return replicas_->HandleFetch(token, fetch, version, now_ms);
  // A controller-only node holds no partition replicas.
  Reply(token, FetchError(request.body, Err(ErrorCode::kNotLeaderOrFollower)));
}

// ---------------------------------------------------------------------------------------------
// Requests this node answers itself.

void BrokerNode::HandleApiVersions(uint64_t token, const ApiVersionsRequest&, int16_t) {
  ApiVersionsResponse resp;
  resp.api_keys = AdvertisedApiVersions(replicas_ != nullptr, controller_ != nullptr);
  Reply(token, ResponseBody(std::move(resp)));
}

void BrokerNode::HandleMetadata(uint64_t token, const MetadataRequest& request, int16_t version) {
  MetadataResponse resp;
  resp.cluster_id = config_.cluster_id;
  for (const auto& [id, b] : image_.brokers()) {
    if (b.fenced) continue;
    resp.brokers.push_back({b.id, b.host, b.port, b.rack});
  }
  // The controller id must name a live broker (kafkajs sends admin requests there); brokers
  // forward controller requests they cannot answer.
  int32_t controller = ActiveControllerId();
  bool controller_listed = std::any_of(resp.brokers.begin(), resp.brokers.end(),
                                       [&](const MetadataResponse::Broker& b) { return b.node_id == controller; });
  resp.controller_id = controller_listed ? controller : config_.node_id;

  auto describe = [&](const TopicInfo& topic) {
    MetadataResponse::Topic t;
    t.name = topic.name;
    t.topic_id = topic.id;
    for (const auto& [index, p] : topic.partitions) {
      MetadataResponse::Partition mp;
      mp.partition_index = index;
      mp.leader_id = p.leader;
      mp.leader_epoch = p.leader_epoch;
      mp.replica_nodes = p.replicas;
      mp.isr_nodes = p.isr;
      for (int32_t r : p.replicas) {
        const BrokerInfo* b = image_.FindBroker(r);
        if (b == nullptr || b->fenced) mp.offline_replicas.push_back(r);
      }
      if (p.leader < 0) mp.error_code = Err(ErrorCode::kLeaderNotAvailable);
      t.partitions.push_back(std::move(mp));
    }
    return t;
  };

  if (!request.topics) {
    for (const auto& [name, topic] : image_.topics()) resp.topics.push_back(describe(topic));
  } else {
    std::vector<std::string> to_create;
    for (const auto& requested : *request.topics) {
      const TopicInfo* topic = requested.name ? image_.FindTopic(*requested.name) : image_.FindTopicById(requested.topic_id);
      if (topic != nullptr) {
        resp.topics.push_back(describe(*topic));
        continue;
      }
      MetadataResponse::Topic t;
      t.name = requested.name;
      t.topic_id = requested.topic_id;
      bool create = requested.name && config_.auto_create_topics_enable &&
                    (version < 4 || request.allow_auto_topic_creation);
      t.error_code = create ? Err(ErrorCode::kLeaderNotAvailable) : Err(ErrorCode::kUnknownTopicOrPartition);
      if (create) to_create.push_back(*requested.name);
      resp.topics.push_back(std::move(t));
    }
    if (!to_create.empty()) AutoCreateTopics(to_create);
  }
  Reply(token, ResponseBody(std::move(resp)));
}

void BrokerNode::AutoCreateTopics(const std::vector<std::string>& names) {
  CreateTopicsRequest req;
  for (const auto& n : names) {
    CreateTopicsRequest::Topic t;
    t.name = n;
    t.num_partitions = -1;
    t.replication_factor = -1;
    req.topics.push_back(std::move(t));
  }
  req.timeout_ms = int32_t(config_.request_timeout_ms);
  if (IsActiveController()) {
    ControllerResult r = controller_->HandleCreateTopics(req, NowMs());
    if (!r.records.empty()) (void)AppendMetadata(r.records);
    return;
  }
  int32_t controller = ActiveControllerId();
  if (controller >= 0) Send(Owner::kLifecycle, 0, controller, req, 4, config_.request_timeout_ms);
}

void BrokerNode::HandleControllerRequest(uint64_t token, const RequestBody& body, int16_t version) {
  int64_t now = NowMs();
  if (!IsActiveController()) {
    bool client_api = std::holds_alternative<CreateTopicsRequest>(body) || std::holds_alternative<DeleteTopicsRequest>(body);
    if (client_api && ActiveControllerId() >= 0 && ActiveControllerId() != config_.node_id) {
      return ForwardToController(token, body, version);
    }
    return Reply(token, ErrorResponseFor(body, Err(ErrorCode::kNotController)));
  }
  ControllerResult result = std::visit(
      [&](const auto& req) -> ControllerResult {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, BrokerRegistrationRequest>) {
          return controller_->HandleBrokerRegistration(req, now, raft_->LogEndOffset());
        } else if constexpr (std::is_same_v<T, BrokerHeartbeatRequest>) {
          return controller_->HandleBrokerHeartbeat(req, now);
        } else if constexpr (std::is_same_v<T, CreateTopicsRequest>) {
          return controller_->HandleCreateTopics(req, now);
        } else if constexpr (std::is_same_v<T, DeleteTopicsRequest>) {
          return controller_->HandleDeleteTopics(req, now);
        } else if constexpr (std::is_same_v<T, AlterPartitionRequest>) {
          return controller_->HandleAlterPartition(req, now);
        } else {
          SAMSA_ASSERT_MSG(false, "not a controller request");
          return {};
        }
      },
      body);
  if (result.records.empty()) return Reply(token, result.response);
  Result<int64_t> last = AppendMetadata(result.records);
  if (!last.ok()) return Reply(token, ErrorResponseFor(body, Err(ErrorCode::kNotController)));
  held_replies_.push_back({*last, token, body, std::move(result.response)});
}

Result<int64_t> BrokerNode::AppendMetadata(const std::vector<MetadataRecord>& records) {
  std::vector<Bytes> values;
  values.reserve(records.size());
  for (const auto& rec : records) values.push_back(EncodeMetadataRecord(rec));
  return raft_->Append(values, NowMs());
}

Result<int64_t> BrokerNode::AppendRawMetadataForTest(const std::vector<Bytes>& values) {
  if (raft_ == nullptr || halted()) return Status::FailedPrecondition("node is not running");
  return raft_->Append(values, NowMs());
}

void BrokerNode::ForwardToController(uint64_t token, const RequestBody& body, int16_t version) {
  uint64_t id = next_token_++;
  forwarded_[id] = {token, body};
  Send(Owner::kForward, id, ActiveControllerId(), body, version, config_.request_timeout_ms);
}

// ---------------------------------------------------------------------------------------------
// Outbound requests.

int32_t BrokerNode::ActiveControllerId() const { return raft_ ? raft_->LeaderId() : -1; }

int BrokerNode::OutboundConnectionsTo(int32_t peer) const {
  int n = 0;
  for (const auto& [key, _] : peers_) n += key.first == peer;
  return n;
}

BrokerNode::Channel BrokerNode::ChannelOf(Owner owner, ApiKey api_key) {
  if (owner == Owner::kRaft) return Channel::kRaft;
  if (owner == Owner::kLifecycle || owner == Owner::kForward || api_key == ApiKey::kAlterPartition)
    return Channel::kController;
  return Channel::kData;
}

void BrokerNode::Send(Owner owner, uint64_t owner_id, int32_t to, const RequestBody& body, int16_t version,
                      int64_t timeout_ms) {
  PendingRequest p{owner, owner_id, ApiKeyOf(body), version, to, ConnId(), NowMs() + timeout_ms};
  const PeerKey key{to, ChannelOf(owner, p.api_key)};
  auto backoff = reconnect_after_ms_.find(key);
  bool backing_off = backoff != reconnect_after_ms_.end() && backoff->second > NowMs();
  if (to < 0 || to == config_.node_id || (!peers_.count(key) && backing_off)) return FailPending(p);
  if (!peers_.count(key)) {
    PeerConn peer;
    peer.conn = ConnId(next_conn_++);
    peers_[key] = peer;
    peer_of_conn_[peer.conn.value()] = key;
    ready_.opens.push_back({peer.conn, NodeId(to)});
  }
  PeerConn& peer = peers_[key];
  if (!peer.open && peer.queued.size() >= kMaxQueuedFramesPerPeer) return FailPending(p);
  p.conn = peer.conn;
  int32_t correlation = next_correlation_++;
  if (next_correlation_ == INT32_MAX) next_correlation_ = 1;
  RequestHeader header;
  header.api_key = p.api_key;
  header.api_version = version;
  header.correlation_id = correlation;
  header.client_id = client_id_;
  Bytes frame;
  frame.reserve(kRequestReserveBytes);
  AppendRequest(header, body, frame);
  pending_[correlation] = p;
  if (peer.open) Emit(peer.conn, std::move(frame));
  else peer.queued.push_back(std::move(frame));
}

void BrokerNode::OnResponseFrame(ConnId conn, ByteView frame) {
  if (frame.size() < 4) return;
  int32_t correlation = int32_t(LoadBe32(frame.data()));
  auto it = pending_.find(correlation);
  if (it == pending_.end() || it->second.conn != conn) return;  // late answer to a failed request
  PendingRequest p = it->second;
  pending_.erase(it);
  Result<Response> response = DecodeResponse(p.api_key, p.version, frame);
  if (!response.ok()) {
    // A peer that sends garbage gets its connection closed, like any broken peer.
    FailPending(p);
    ready_.closes.push_back(conn);
    OnConnClosed(conn);
    return;
  }
  CompletePending(p, response->body);
}

void BrokerNode::FailPending(const PendingRequest& p) {
  int64_t now = NowMs();
  switch (p.owner) {
    case Owner::kRaft:
      raft_->OnSendFailed(p.to, now);
      break;
    case Owner::kReplica:
      if (replicas_) replicas_->OnSendFailed(p.owner_id, now);
      break;
    case Owner::kLifecycle:
      if (p.api_key == ApiKey::kBrokerRegistration || p.api_key == ApiKey::kBrokerHeartbeat) {
        lifecycle_in_flight_ = false;
        next_lifecycle_ms_ = now + kLifecycleRetryBackoffMs;
      }
      break;
    case Owner::kForward: {
      auto f = forwarded_.find(p.owner_id);
      if (f == forwarded_.end()) break;
      Forwarded fw = std::move(f->second);
      forwarded_.erase(f);
      Reply(fw.token, ErrorResponseFor(fw.body, Err(ErrorCode::kNotController)));
      break;
    }
  }
}

void BrokerNode::CompletePending(const PendingRequest& p, const ResponseBody& body) {
  int64_t now = NowMs();
  switch (p.owner) {
    case Owner::kRaft:
      raft_->OnResponse(p.to, body, now);
      break;
    case Owner::kReplica:
      if (replicas_) replicas_->OnResponse(p.owner_id, body, now);
      break;
    case Owner::kLifecycle:
      OnLifecycleResponse(body);
      break;
    case Owner::kForward: {
      auto f = forwarded_.find(p.owner_id);
      if (f == forwarded_.end()) break;
      uint64_t token = f->second.token;
      forwarded_.erase(f);
      Reply(token, body);
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Module pumps: move every module's output onto the wire, then feed metadata changes along.

void BrokerNode::Pump() {
  // Modules feed one another (raft commits -> image -> replicas -> AlterPartition -> ...), so
  // pump until nothing moves; bounded because each round only drains what exists.
  for (int round = 0; round < 4; ++round) {
    PumpRaft();
    if (halted()) return;
    PumpController();
    PumpReplicas();
    if (halted()) return;
    PumpLifecycle();
    if (halted()) return;
    if (!image_changed_) break;
  }
}

void BrokerNode::SendRaftMessages() {
  // A Raft Fetch may be parked by the leader for up to the fetch timeout before its answer.
  for (RaftSend& s : raft_->TakeSends())
    Send(Owner::kRaft, 0, s.to, s.request, s.version, config_.quorum_request_timeout_ms + config_.quorum_fetch_timeout_ms);
}

void BrokerNode::PumpRaft() {
  SendRaftMessages();
  for (RaftReply& r : raft_->TakeReplies()) Reply(r.token, r.response);
  ApplyCommitted();
}

void BrokerNode::ApplyCommitted() {
  // TakeCommitted drains every record below the HW (control records are skipped), so after it
  // everything below this HW has been replayed.
  int64_t hw = raft_->HighWatermark();
  for (RaftRecord& rec : raft_->TakeCommitted()) {
    // Every committed record goes into the chain hash, by its bytes, whether it decodes or not.
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint8_t byte : rec.value) h = (h ^ byte) * 0x100000001b3ULL;
    metadata_chain_hash_ = Mix64(metadata_chain_hash_ ^ h ^ uint64_t(rec.offset));
    metadata_chain_offset_ = rec.offset;
    Result<MetadataRecord> decoded = DecodeMetadataRecord(rec.value);
    if (!decoded.ok()) {
      // Not a metadata record (Raft's control records never get here: TakeCommitted skips
      // them). The image cannot hold it, so it no longer matches the committed log: keep
      // serving, as a Kafka broker counts a metadata load error and goes on, but record it for
      // the metadata-divergence check.
      undecodable_metadata_.push_back({rec.offset, decoded.status().ToString()});
      continue;
    }
    Status s = image_.Apply(*decoded, rec.offset);
    if (s.ok() && controller_) s = controller_->Replay(*decoded, rec.offset);
    if (!s.ok()) {
      // A committed record that does not apply to what came before: this node's metadata log is
      // not the quorum's (corrupt durable state). Stop serving rather than act on it.
      return Fail(Status::Corruption("metadata record at offset " + std::to_string(rec.offset) +
                                     " does not apply: " + s.ToString()));
    }
    image_changed_ = true;
  }
  // Raft stops on a failed metadata log or corrupt state it cannot repair (a leader's log
  // diverging below its committed records); the node stops with it, as Kafka does.
  if (!raft_->health().ok()) return Fail(raft_->health().WithContext("metadata log"));
  replayed_through_ = hw;
}

void BrokerNode::PumpController() {
  if (!controller_) return;
  int64_t now = NowMs();
  // Active once this node leads the quorum and has replayed everything committed before its
  // epoch began (the leader's first record of the epoch is committed).
  bool should_be_active = raft_->IsLeader() && raft_->EpochStartOffset() >= 0 &&
                          replayed_through_ > raft_->EpochStartOffset();
  if (should_be_active && !controller_->active()) {
    controller_->Activate(now);
  } else if (!raft_->IsLeader() && controller_->active()) {
    controller_->Deactivate();
  }
  if (!raft_->IsLeader() && !held_replies_.empty()) {
    // Leadership lost before the records committed: the callers must retry elsewhere.
    for (const auto& held : held_replies_)
      Reply(held.token, ErrorResponseFor(held.request, Err(ErrorCode::kNotController)));
    held_replies_.clear();
  }
  if (controller_->active()) {
    std::vector<MetadataRecord> records = controller_->Tick(now);
    if (!records.empty()) (void)AppendMetadata(records);
  }
  // Release replies whose records have committed.
  int64_t hw = raft_->HighWatermark();
  for (auto it = held_replies_.begin(); it != held_replies_.end();) {
    if (it->commit_offset < hw) {
      Reply(it->token, it->response);
      it = held_replies_.erase(it);
    } else {
      ++it;
    }
  }
  // Records appended above may already be committable (single voter): let raft move them.
  SendRaftMessages();
}

void BrokerNode::PumpReplicas() {
  if (!replicas_) return;
  int64_t now = NowMs();
  if (image_changed_) {
    image_changed_ = false;
    replicas_behind_image_ = true;
  }
  // The image reaches the replicas only once it holds this incarnation's own registration, and
  // so everything committed before it (Kafka publishes a broker's first image only after it
  // caught up with the metadata log). Before that, after a restart, the image is being rebuilt
  // from offset 0 and may not name the topics yet: OnMetadataUpdate would take their recovered
  // logs for partitions this node no longer replicates and delete them.
  const BrokerInfo* self = broker_epoch_ >= 0 ? image_.FindBroker(config_.node_id) : nullptr;
  if (replicas_behind_image_ && self != nullptr && self->epoch == broker_epoch_) {
    replicas_behind_image_ = false;
    replicas_->OnMetadataUpdate(image_, broker_epoch_, now);
  }
  // Answers from this node's own controller: released once their records commit, failed (the
  // replica manager retries against the next controller) when leadership was lost first.
  if (!self_replica_replies_.empty()) {
    std::vector<SelfReplicaReply> done;
    if (!raft_->IsLeader()) {
      done = std::move(self_replica_replies_);
      self_replica_replies_.clear();
      for (const auto& r : done) replicas_->OnSendFailed(r.send_id, now);
    } else {
      for (auto it = self_replica_replies_.begin(); it != self_replica_replies_.end();) {
        if (it->commit_offset < raft_->HighWatermark()) {
          done.push_back(std::move(*it));
          it = self_replica_replies_.erase(it);
        } else {
          ++it;
        }
      }
      for (const auto& r : done) replicas_->OnResponse(r.send_id, r.response, now);
    }
  }
  // Answering a send may produce new ones (a retry, the next fetch): drain until quiet.
  for (int round = 0; round < 4; ++round) {
    std::vector<ReplicaSend> sends = replicas_->TakeSends();
    if (sends.empty()) break;
    for (ReplicaSend& s : sends) {
      int32_t to = s.to == kToController ? ActiveControllerId() : s.to;
      // A combined node has no connection to itself: its own controller answers in place.
      if (s.to == kToController && to == config_.node_id) {
        ReplicaToSelf(s.id, s.request);
        continue;
      }
      Send(Owner::kReplica, s.id, to, s.request, s.version, config_.request_timeout_ms);
    }
  }
  for (ReplicaReply& r : replicas_->TakeReplies()) {
    if (!r.send_response) {
      ReplyNothing(r.token);
      continue;
    }
    size_t payload = 0;
    for (const Bytes& b : r.buffers) payload += b.size();
    Reply(r.token, r.response, payload);
  }
  // One log directory: when a log in it fails, Kafka takes the directory offline and, with no
  // other, stops the broker; the controller then fences it and moves its leaderships.
  if (!replicas_->log_failure().ok()) Fail(replicas_->log_failure().WithContext("log directory failed"));
}

void BrokerNode::LifecycleToSelf(const RequestBody& request) {
  int64_t now = NowMs();
  auto retry = [&] {
    lifecycle_in_flight_ = false;
    next_lifecycle_ms_ = now + kLifecycleRetryBackoffMs;
  };
  if (!IsActiveController()) return retry();
  ControllerResult r;
  if (const auto* reg = std::get_if<BrokerRegistrationRequest>(&request)) {
    r = controller_->HandleBrokerRegistration(*reg, now, raft_->LogEndOffset());
  } else {
    r = controller_->HandleBrokerHeartbeat(std::get<BrokerHeartbeatRequest>(request), now);
  }
  int64_t commit = -1;
  if (!r.records.empty()) {
    Result<int64_t> last = AppendMetadata(r.records);
    if (!last.ok()) return retry();
    commit = *last;
  }
  self_replies_.push_back({commit, std::move(r.response)});
}

void BrokerNode::ReplicaToSelf(uint64_t send_id, const RequestBody& request) {
  int64_t now = NowMs();
  const auto* alter = std::get_if<AlterPartitionRequest>(&request);
  if (alter == nullptr || !IsActiveController()) return replicas_->OnSendFailed(send_id, now);
  ControllerResult r = controller_->HandleAlterPartition(*alter, now);
  // Nothing to commit (a rejected or no-op change): answer now.
  if (r.records.empty()) return replicas_->OnResponse(send_id, r.response, now);
  Result<int64_t> last = AppendMetadata(r.records);
  if (!last.ok()) return replicas_->OnSendFailed(send_id, now);
  self_replica_replies_.push_back({*last, send_id, std::move(r.response)});
}

void BrokerNode::PumpLifecycle() {
  if (!config_.broker_role) return;
  // Stopping and no longer registered (the controller answered with a stale epoch): nothing to
  // hand over any more.
  if (shutdown_requested_ms_ >= 0 && lifecycle_ == Lifecycle::kRegistering) return Stop();
  int64_t now = NowMs();
  // Answers from this node's own controller, once their records have committed.
  if (!self_replies_.empty()) {
    if (!raft_->IsLeader()) {
      self_replies_.clear();
      lifecycle_in_flight_ = false;
      next_lifecycle_ms_ = now + kLifecycleRetryBackoffMs;
    }
    std::vector<ResponseBody> ready;
    for (auto it = self_replies_.begin(); it != self_replies_.end();) {
      if (it->commit_offset < raft_->HighWatermark()) {
        ready.push_back(std::move(it->response));
        it = self_replies_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& r : ready) OnLifecycleResponse(r);
  }
  if (lifecycle_in_flight_) return;
  if (now < next_lifecycle_ms_) return;
  int32_t controller = ActiveControllerId();
  if (controller < 0) return;
  if (lifecycle_ == Lifecycle::kRegistering) {
    BrokerRegistrationRequest req;
    req.broker_id = config_.node_id;
    req.cluster_id = config_.cluster_id;
    req.incarnation_id = incarnation_id_;
    req.listeners.push_back({"PLAINTEXT", config_.advertised_host, uint16_t(config_.advertised_port), 0});
    req.previous_broker_epoch = broker_epoch_;
    if (replicas_) req.lost_data_partitions = replicas_->LostDataPartitions();
    lifecycle_in_flight_ = true;
    // A combined node registers with its own controller without a connection.
    if (controller == config_.node_id) return LifecycleToSelf(req);
    Send(Owner::kLifecycle, 0, controller, req, 0, LifecycleTimeoutMs());
    return;
  }
  if (lifecycle_ == Lifecycle::kRegistered) {
    BrokerHeartbeatRequest req;
    req.broker_id = config_.node_id;
    req.broker_epoch = broker_epoch_;
    req.current_metadata_offset = image_.offset();
    req.want_fence = image_.offset() < broker_epoch_;
    req.want_shut_down = shutdown_requested_ms_ >= 0;
    lifecycle_in_flight_ = true;
    if (controller == config_.node_id) return LifecycleToSelf(req);
    Send(Owner::kLifecycle, 0, controller, req, 0, LifecycleTimeoutMs());
  }
}

int64_t BrokerNode::LifecycleTimeoutMs() const {
  // Not request.timeout.ms (30 s): a controller that stops answering without closing the
  // connection (paused, cut off) would hold the heartbeat past the session timeout, and the
  // controller that replaced it would fence a live broker that never got to heartbeat to it.
  // Kafka times these out after broker.heartbeat.interval.ms (KAFKA-19294; half of
  // broker.session.timeout.ms before it, KAFKA-14392).
  return std::max<int64_t>(1, config_.broker_heartbeat_interval_ms);
}

void BrokerNode::OnLifecycleResponse(const ResponseBody& body) {
  int64_t now = NowMs();
  if (const auto* reg = std::get_if<BrokerRegistrationResponse>(&body)) {
    lifecycle_in_flight_ = false;
    if (reg->error_code == 0) {
      broker_epoch_ = reg->broker_epoch;
      lifecycle_ = Lifecycle::kRegistered;
      image_changed_ = true;
      next_lifecycle_ms_ = now;  // first heartbeat right away
    } else {
      next_lifecycle_ms_ = now + kLifecycleRetryBackoffMs;
    }
  } else if (const auto* hb = std::get_if<BrokerHeartbeatResponse>(&body)) {
    lifecycle_in_flight_ = false;
    if (hb->error_code == 0 && hb->should_shut_down && shutdown_requested_ms_ >= 0) {
      Stop();  // the controller moved our leaderships away and fenced us: go
      return;
    }
    if (hb->error_code == 0) {
      fenced_ = hb->is_fenced;
      // In a controlled shutdown, ask again soon: the controller lets the broker go once every
      // active broker has replayed the shutdown record.
      next_lifecycle_ms_ = now + (shutdown_requested_ms_ >= 0 ? kLifecycleRetryBackoffMs : config_.broker_heartbeat_interval_ms);
    } else if (hb->error_code == Err(ErrorCode::kStaleBrokerEpoch) ||
               hb->error_code == Err(ErrorCode::kBrokerIdNotRegistered)) {
      lifecycle_ = Lifecycle::kRegistering;
      next_lifecycle_ms_ = now + kLifecycleRetryBackoffMs;
    } else {
      next_lifecycle_ms_ = now + kLifecycleRetryBackoffMs;
    }
  }
  // CreateTopics answers for auto-creation need no action: the topics appear in the image.
}

}  // namespace samsa
