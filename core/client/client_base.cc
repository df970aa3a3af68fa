#include "core/client/client_base.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/base/assert.h"

namespace samsa::client {
namespace {

constexpr int16_t kApiVersionsPreferred = 3;

}  // namespace

ClientBase::ClientBase(NodeId id, ClientConfig config, std::shared_ptr<History> history,
                       uint64_t seed)
    : id_(id),
      config_(std::move(config)),
      history_(std::move(history)),
      prng_(seed),
      setup_prng_(prng_.Split("connection-setup")),
      metadata_prng_(prng_.Split("metadata-backoff")) {
  SAMSA_ASSERT_MSG(history_ != nullptr, "a client needs a History");
  SAMSA_ASSERT(config_.max_in_flight_requests_per_connection >= 1);
  SAMSA_ASSERT(config_.socket_connection_setup_timeout_ms > 0);
  SAMSA_ASSERT(config_.socket_connection_setup_timeout_max_ms >= config_.socket_connection_setup_timeout_ms);
  next_wake_ns_ = 0;  // act at start: bootstrap
}

void ClientBase::Step(const Input& input) {
  now_ns_ = input.now_ns;
  if (!std::holds_alternative<TimerFired>(input.event)) ++state_version_;
  if (const auto* o = std::get_if<ConnOpened>(&input.event)) {
    auto it = conn_broker_.find(o->conn);
    if (it != conn_broker_.end()) {
      Conn& c = conns_.at(it->second);
      if (c.state == ConnState::kConnecting) {
        c.state = ConnState::kHandshaking;
        SendApiVersions(it->second, kApiVersionsPreferred);
      }
    } else if (!o->outbound) {
      ready_.closes.push_back(o->conn);  // clients accept no connections
    }
  } else if (const auto* c = std::get_if<ConnClosed>(&input.event)) {
    auto it = conn_broker_.find(c->conn);
    if (it != conn_broker_.end()) DropConnection(it->second, "NETWORK_EXCEPTION", false);
  } else if (const auto* f = std::get_if<FrameArrived>(&input.event)) {
    HandleFrame(f->conn, f->frame);
  }
  CheckTimeouts();
  MaybeRefreshMetadata();
  const bool needed = metadata_needed_;
  Poll();
  // A refresh Poll() asked for goes now (or wakes the node when its backoff ends), not at the
  // node's next wake.
  if (metadata_needed_ && !needed) MaybeRefreshMetadata();
}

Ready ClientBase::TakeReady() {
  if (next_wake_ns_) ready_.wake_at_ns = *next_wake_ns_;
  next_wake_ns_.reset();
  Ready r = std::move(ready_);
  ready_ = Ready{};
  return r;
}

void ClientBase::WakeAt(int64_t t_ns) {
  // A deadline that is already due is served at the next nanosecond: never a busy loop at one
  // instant.
  t_ns = std::max(t_ns, now_ns_ + 1);
  if (!next_wake_ns_ || t_ns < *next_wake_ns_) next_wake_ns_ = t_ns;
}

NodeId ClientBase::LeaderOf(const TopicPartition& tp) const {
  if (last_topic_ == nullptr || tp.topic != last_topic_name_) {
    auto it = topics_.find(tp.topic);
    if (it == topics_.end()) return kNoNode;
    last_topic_name_ = it->first;
    last_topic_ = &it->second;
  }
  if (tp.partition < 0 || size_t(tp.partition) >= last_topic_->partitions.size()) return kNoNode;
  return last_topic_->partitions[size_t(tp.partition)].leader;
}

int32_t ClientBase::PartitionCount(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : int32_t(it->second.partitions.size());
}

std::vector<int32_t> ClientBase::AvailablePartitions(const std::string& topic) const {
  std::vector<int32_t> out;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return out;
  for (size_t i = 0; i < it->second.partitions.size(); ++i)
    if (it->second.partitions[i].leader != kNoNode) out.push_back(int32_t(i));
  return out;
}

bool ClientBase::IsReady(NodeId broker) const {
  auto it = conns_.find(broker);
  return it != conns_.end() && it->second.state == ConnState::kReady;
}

int32_t ClientBase::InFlight(NodeId broker) const {
  auto it = conns_.find(broker);
  return it == conns_.end() ? 0 : it->second.user_in_flight;
}

bool ClientBase::CanSend(NodeId broker) const {
  return IsReady(broker) && InFlight(broker) < config_.max_in_flight_requests_per_connection;
}

bool ClientBase::InFlightFull(NodeId broker) const {
  auto it = conns_.find(broker);
  return it != conns_.end() && it->second.state == ConnState::kReady &&
         it->second.user_in_flight >= config_.max_in_flight_requests_per_connection;
}

void ClientBase::Connect(NodeId broker) {
  if (broker == kNoNode) return;
  std::optional<int64_t> at = ConnectAt(broker);
  if (!at) return;  // connected or connecting
  if (*at > now_ns_) {
    WakeAt(*at);  // reconnect backoff
    return;
  }
  ++state_version_;
  Conn c;
  c.id = ConnId(next_conn_id_++);
  c.setup_deadline_ns = now_ns_ + NextSetupTimeoutNs(broker);
  WakeAt(c.setup_deadline_ns);
  conn_broker_[c.id] = broker;
  ready_.opens.push_back(OpenConn{c.id, broker});
  conns_.emplace(broker, std::move(c));
}

int64_t ExponentialBackoffNs(int64_t initial_ns, int64_t max_ns, int64_t attempts, Prng& prng) {
  if (max_ns <= initial_ns) return max_ns;
  int64_t term = initial_ns;
  for (int64_t i = 0; i < attempts && term < max_ns; ++i) term *= 2;  // stops before overflow
  term = std::min(term, max_ns);
  return std::min(prng.Range(term - term / 5, term + term / 5), max_ns);
}

int64_t ClientBase::NextSetupTimeoutNs(NodeId broker) {
  return ExponentialBackoffNs(MsToNs(config_.socket_connection_setup_timeout_ms),
                              MsToNs(config_.socket_connection_setup_timeout_max_ms), setup_failures(broker),
                              setup_prng_);
}

int32_t ClientBase::setup_failures(NodeId broker) const {
  auto it = setup_failures_.find(broker);
  return it == setup_failures_.end() ? 0 : it->second;
}

std::optional<int64_t> ClientBase::setup_deadline_ns(NodeId broker) const {
  auto it = conns_.find(broker);
  if (it == conns_.end() || it->second.state == ConnState::kReady) return std::nullopt;
  return it->second.setup_deadline_ns;
}

std::optional<int64_t> ClientBase::ConnectAt(NodeId broker) const {
  if (conns_.count(broker)) return std::nullopt;
  auto backoff = reconnect_at_ns_.find(broker);
  if (backoff != reconnect_at_ns_.end() && now_ns_ < backoff->second) return backoff->second;
  return now_ns_;
}

int16_t ClientBase::Version(NodeId broker, ApiKey key, int16_t min_version,
                            int16_t preferred) const {
  auto it = conns_.find(broker);
  if (it == conns_.end() || it->second.state != ConnState::kReady) return -1;
  auto range = it->second.versions.find(int16_t(key));
  std::optional<VersionRange> codec = SupportedVersions(key);
  if (range == it->second.versions.end() || !codec) return -1;
  int16_t v = std::min({preferred, range->second.max, codec->max});
  if (v < std::max({min_version, range->second.min, codec->min})) return -1;
  return v;
}

void ClientBase::SendRequest(NodeId broker, const RequestBody& body, int16_t version,
                             int64_t timeout_ns,
                      uint64_t token, bool expect_response) {
  SAMSA_ASSERT_MSG(CanSend(broker), "Send without CanSend");
  SendRaw(broker, body, version, PendingKind::kUser, token, timeout_ns, expect_response);
}

std::vector<std::pair<int32_t, ClientBase::Pending>>::iterator ClientBase::PendingAt(Conn& c,
                                                                                   int32_t correlation_id) {
  if (!c.pending.empty() && c.pending.front().first == correlation_id) return c.pending.begin();
  return std::lower_bound(c.pending.begin(), c.pending.end(), correlation_id,
                          [](const auto& p, int32_t id) { return p.first < id; });
}

void ClientBase::SendRaw(NodeId broker, const RequestBody& body, int16_t version,
                         PendingKind kind, uint64_t token, int64_t timeout_ns,
                         bool expect_response) {
  ++state_version_;
  Conn& c = conns_.at(broker);
  RequestHeader h;
  h.api_key = ApiKeyOf(body);
  h.api_version = version;
  h.correlation_id = next_correlation_id_;
  next_correlation_id_ = next_correlation_id_ == std::numeric_limits<int32_t>::max()
                             ? 1
                             : next_correlation_id_ + 1;
  h.client_id = config_.client_id;
  Bytes frame;
  AppendRequest(h, body, frame);
  ready_.frames.push_back(OutFrame{c.id, std::move(frame)});
  ++client_stats_.requests_sent;
  if (!expect_response) return;
  const Pending pending{h.api_key, version, kind, token, now_ns_ + timeout_ns};
  auto at = PendingAt(c, h.correlation_id);
  if (at != c.pending.end() && at->first == h.correlation_id) at->second = pending;
  else c.pending.insert(at, {h.correlation_id, pending});
  c.earliest_deadline_ns = std::min(c.earliest_deadline_ns, now_ns_ + timeout_ns);
  if (kind == PendingKind::kUser) ++c.user_in_flight;
  WakeAt(now_ns_ + timeout_ns);
}

void ClientBase::SendApiVersions(NodeId broker, int16_t version) {
  ApiVersionsRequest req;
  req.client_software_name = "samsa-sim-client";
  req.client_software_version = "0.1";
  SendRaw(broker, req, version, PendingKind::kApiVersions, 0,
          MsToNs(config_.request_timeout_ms), true);
}

void ClientBase::HandleFrame(ConnId conn, const Bytes& frame) {
  auto bit = conn_broker_.find(conn);
  if (bit == conn_broker_.end()) return;
  NodeId broker = bit->second;
  Conn& c = conns_.at(broker);
  if (frame.size() < 4) {
    DropConnection(broker, "CORRUPT_RESPONSE", true);
    return;
  }
  int32_t correlation_id = int32_t(LoadBe32(frame.data()));
  auto pit = PendingAt(c, correlation_id);
  if (pit == c.pending.end() || pit->first != correlation_id) {
    DropConnection(broker, "UNEXPECTED_CORRELATION_ID", true);
    return;
  }
  Pending p = pit->second;
  c.pending.erase(pit);
  c.earliest_deadline_ns = kDeadlineUnknown;
  if (p.kind == PendingKind::kUser) --c.user_in_flight;
  ++client_stats_.responses;
  Result<Response> r = DecodeResponse(p.api_key, p.version, frame);
  if (!r.ok()) {
    // Fail this request as unknown first, then everything else on the connection.
    if (p.kind == PendingKind::kUser) OnRequestFailed(p.token, "CORRUPT_RESPONSE");
    if (p.kind == PendingKind::kMetadata) NoteMetadataFailure();
    DropConnection(broker, "CORRUPT_RESPONSE", true);
    return;
  }
  switch (p.kind) {
    case PendingKind::kApiVersions:
      HandleApiVersions(broker, std::get<ApiVersionsResponse>(r->body), p.version);
      break;
    case PendingKind::kMetadata:
      metadata_in_flight_ = false;
      HandleMetadata(std::get<MetadataResponse>(r->body));
      break;
    case PendingKind::kUser:
      OnResponse(p.token, r->body);
      break;
  }
}

void ClientBase::HandleApiVersions(NodeId broker, const ApiVersionsResponse& r, int16_t version) {
  Conn& c = conns_.at(broker);
  if (r.error_code == int16_t(ErrorCode::kUnsupportedVersion) && version > 0) {
    SendApiVersions(broker, 0);
    return;
  }
  if (r.error_code != 0) {
    DropConnection(broker, ErrorCodeName(ErrorCode(r.error_code)), true);
    return;
  }
  for (const auto& v : r.api_keys) c.versions[v.api_key] = VersionRange{v.min_version, v.max_version};
  c.state = ConnState::kReady;
  setup_failures_.erase(broker);
}

void ClientBase::HandleMetadata(const MetadataResponse& r) {
  ++client_stats_.metadata_refreshes;
  ++metadata_version_;
  last_metadata_ns_ = now_ns_;
  metadata_needed_ = false;
  metadata_failures_ = 0;
  std::set<NodeId> brokers;
  for (const auto& b : r.brokers) brokers.insert(NodeId(b.node_id));
  bool changed = brokers != metadata_brokers_;
  metadata_brokers_ = std::move(brokers);
  // Stores what a topic's answer says, noting whether that changed the cache.
  auto store = [&](const std::string& name, TopicMetadata tm) {
    auto [it, inserted] = topics_.try_emplace(name);
    if (!inserted && it->second == tm) return;
    changed = true;
    it->second = std::move(tm);
  };
  bool incomplete = false;
  for (const auto& t : r.topics) {
    if (!t.name) continue;
    if (t.error_code != 0) {
      incomplete = true;
      // Keep what we knew: a transient error must not forget the partition count.
      auto known = topics_.find(*t.name);
      TopicMetadata tm = known != topics_.end() ? known->second : TopicMetadata{};
      tm.error_code = t.error_code;
      store(*t.name, std::move(tm));
      continue;
    }
    TopicMetadata tm;
    int32_t max_index = -1;
    for (const auto& p : t.partitions) max_index = std::max(max_index, p.partition_index);
    tm.partitions.resize(size_t(max_index + 1));
    for (const auto& p : t.partitions) {
      if (p.partition_index < 0) continue;
      PartitionMetadata& pm = tm.partitions[size_t(p.partition_index)];
      pm.error_code = p.error_code;
      pm.leader = p.leader_id >= 0 ? NodeId(p.leader_id) : kNoNode;
      pm.leader_epoch = p.leader_epoch;
      if (pm.leader == kNoNode) incomplete = true;
    }
    store(*t.name, std::move(tm));
  }
  for (const std::string& t : metadata_topics_)
    if (auto it = topics_.find(t); it == topics_.end() || it->second.partitions.empty()) incomplete = true;
  metadata_unchanged_ = changed ? 0 : metadata_unchanged_ + 1;
  if (incomplete) metadata_needed_ = true;
  BackOffMetadata();
  OnMetadata();
}

void ClientBase::BackOffMetadata() {
  // Kafka takes the longer of two backoffs, for failures and for responses that changed nothing;
  // one draw on the larger exponent is the same wait.
  int32_t exponent = std::max({metadata_failures_ - 1, metadata_unchanged_ - 1, 0});
  metadata_allowed_at_ns_ =
      now_ns_ + ExponentialBackoffNs(MsToNs(config_.retry_backoff_ms), MsToNs(config_.retry_backoff_max_ms),
                                     exponent, metadata_prng_);
}

void ClientBase::NoteMetadataFailure() {
  metadata_in_flight_ = false;
  ++metadata_failures_;
  BackOffMetadata();
}

void ClientBase::DropConnection(NodeId broker, std::string_view reason, bool close) {
  ++state_version_;
  auto it = conns_.find(broker);
  if (it == conns_.end()) return;
  Conn c = std::move(it->second);
  conns_.erase(it);
  conn_broker_.erase(c.id);
  if (close) ready_.closes.push_back(c.id);
  ++client_stats_.connections_lost;
  if (c.state != ConnState::kReady) ++setup_failures_[broker];
  reconnect_at_ns_[broker] = now_ns_ + MsToNs(config_.reconnect_backoff_ms);
  WakeAt(reconnect_at_ns_[broker]);
  metadata_needed_ = true;
  for (const auto& [corr, p] : c.pending) {
    if (p.kind == PendingKind::kMetadata) {
      NoteMetadataFailure();
    } else if (p.kind == PendingKind::kUser) {
      OnRequestFailed(p.token, reason);
    }
  }
  OnConnectionLost(broker);
}

void ClientBase::CheckTimeouts() {
  // Collect first: DropConnection changes conns_.
  std::vector<NodeId> expired;
  std::vector<NodeId> setup_expired;
  for (auto& [broker, c] : conns_) {
    if (c.state != ConnState::kReady) {
      if (c.setup_deadline_ns <= now_ns_) {
        setup_expired.push_back(broker);
        continue;
      }
      WakeAt(c.setup_deadline_ns);
    }
    if (c.earliest_deadline_ns > now_ns_ && c.earliest_deadline_ns != kDeadlineUnknown) {
      // Nothing due: the earliest deadline is the one to wake for (none when nothing pends).
      if (!c.pending.empty()) WakeAt(c.earliest_deadline_ns);
      continue;
    }
    c.earliest_deadline_ns = std::numeric_limits<int64_t>::max();
    for (const auto& [corr, p] : c.pending) {
      if (p.deadline_ns <= now_ns_) {
        expired.push_back(broker);
        break;
      }
      c.earliest_deadline_ns = std::min(c.earliest_deadline_ns, p.deadline_ns);
      WakeAt(p.deadline_ns);
    }
  }
  for (NodeId b : setup_expired) {
    ++client_stats_.connection_setup_timeouts;
    DropConnection(b, "CONNECTION_SETUP_TIMEOUT", true);
  }
  for (NodeId b : expired) {
    ++client_stats_.request_timeouts;
    // Like the Java client: a request timeout closes the connection, failing everything on it.
    DropConnection(b, "REQUEST_TIMED_OUT", true);
  }
}

std::vector<NodeId> ClientBase::KnownBrokers() const {
  std::set<NodeId> all(config_.bootstrap.begin(), config_.bootstrap.end());
  all.insert(metadata_brokers_.begin(), metadata_brokers_.end());
  return std::vector<NodeId>(all.begin(), all.end());
}

void ClientBase::AddMetadataTopic(const std::string& topic) {
  if (!metadata_topics_.insert(topic).second) return;
  // New metadata is wanted, not a retry: at once, with the doubling restarted (Kafka's
  // requestUpdateForNewTopics).
  metadata_needed_ = true;
  metadata_unchanged_ = 0;
  metadata_allowed_at_ns_ = 0;
}

void ClientBase::MaybeRefreshMetadata() {
  int64_t age_deadline = last_metadata_ns_ < 0
                             ? now_ns_
                             : last_metadata_ns_ + MsToNs(config_.metadata_max_age_ms);
  if (!metadata_needed_ && now_ns_ < age_deadline) {
    WakeAt(age_deadline);
    return;
  }
  if (metadata_in_flight_) return;
  // A periodic refresh is not a retry: it restarts the doubling of responses that changed nothing.
  if (last_metadata_ns_ >= 0 && now_ns_ >= age_deadline) {
    metadata_unchanged_ = 0;
    if (metadata_failures_ == 0) metadata_allowed_at_ns_ = std::min(metadata_allowed_at_ns_, now_ns_);
  }
  if (now_ns_ < metadata_allowed_at_ns_) {
    WakeAt(metadata_allowed_at_ns_);
    return;
  }
  // The least loaded Ready connection (lowest id on ties).
  NodeId best = kNoNode;
  int32_t best_load = std::numeric_limits<int32_t>::max();
  bool connecting = false;
  for (const auto& [broker, c] : conns_) {
    if (c.state != ConnState::kReady) {
      connecting = true;
      continue;
    }
    if (int32_t(c.pending.size()) < best_load) {
      best = broker;
      best_load = int32_t(c.pending.size());
    }
  }
  if (best == kNoNode) {
    if (connecting) return;  // wait for the handshake in progress
    std::vector<NodeId> known = KnownBrokers();
    if (known.empty()) return;
    // Try the next known broker whose backoff has passed; otherwise wake at the earliest.
    int64_t earliest = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < known.size(); ++i) {
      NodeId b = known[(next_bootstrap_ + i) % known.size()];
      auto bo = reconnect_at_ns_.find(b);
      int64_t at = bo == reconnect_at_ns_.end() ? 0 : bo->second;
      if (at <= now_ns_) {
        next_bootstrap_ = (next_bootstrap_ + i + 1) % known.size();
        Connect(b);
        return;
      }
      earliest = std::min(earliest, at);
    }
    WakeAt(earliest);
    return;
  }
  int16_t v = Version(best, ApiKey::kMetadata, 1, 8);
  if (v < 0) {
    DropConnection(best, "UNSUPPORTED_VERSION", true);
    return;
  }
  MetadataRequest req;
  std::vector<MetadataRequest::Topic> topics;
  for (const std::string& t : metadata_topics_) {
    MetadataRequest::Topic mt;
    mt.name = t;
    topics.push_back(std::move(mt));
  }
  req.topics = std::move(topics);
  req.allow_auto_topic_creation = config_.allow_auto_topic_creation;
  metadata_in_flight_ = true;
  SendRaw(best, req, v, PendingKind::kMetadata, 0, MsToNs(config_.request_timeout_ms), true);
}

}  // namespace samsa::client
