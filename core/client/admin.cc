#include "core/client/admin.h"

#include "core/protocol/error_codes.h"

namespace samsa::client {

namespace {
constexpr int16_t kCreateTopicsVersion = 4;
}

AdminNode::AdminNode(NodeId id, ClientConfig config, std::vector<TopicToCreate> topics,
                     std::shared_ptr<History> history, uint64_t seed, size_t expected_brokers)
    : ClientBase(id, std::move(config), std::move(history), seed), expected_brokers_(expected_brokers) {
  for (auto& t : topics) {
    std::string name = t.name;
    topics_[name].spec = std::move(t);
  }
}

AdminNode::TopicState AdminNode::state(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? TopicState::kFailed : it->second.state;
}

int16_t AdminNode::error(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? int16_t(ErrorCode::kUnknownTopicOrPartition) : it->second.last_error;
}

bool AdminNode::done() const {
  for (const auto& [_, e] : topics_)
    if (e.state == TopicState::kPending || e.state == TopicState::kInFlight) return false;
  return true;
}

bool AdminNode::BrokersReady() {
  if (brokers_ready_) return true;
  const size_t listed = metadata_brokers().size();
  if (listed > 0 && first_broker_ns_ < 0) first_broker_ns_ = now_ns();
  if (listed >= expected_brokers_ || (first_broker_ns_ >= 0 && now_ns() >= first_broker_ns_ + kBrokerWaitNs)) {
    brokers_ready_ = true;
    return true;
  }
  RequestMetadata();  // each answer polls again
  if (first_broker_ns_ >= 0) WakeAt(first_broker_ns_ + kBrokerWaitNs);
  return false;
}

void AdminNode::Poll() {
  if (done() || !in_flight_.empty()) return;
  if (!BrokersReady()) return;
  if (now_ns() < retry_at_ns_) return WakeAt(retry_at_ns_);
  const auto& bootstrap = client_config().bootstrap;
  if (bootstrap.empty()) return;
  // Round-robin over the bootstrap brokers: any broker forwards CreateTopics to the controller,
  // and rotating gets past a broker that is down.
  NodeId broker = bootstrap[next_broker_ % bootstrap.size()];
  Connect(broker);
  if (!CanSend(broker)) {
    // Not connected yet (or backing off): try the next broker a little later.
    ++next_broker_;
    retry_at_ns_ = now_ns() + MsToNs(client_config().retry_backoff_ms);
    return WakeAt(retry_at_ns_);
  }
  int16_t version = Version(broker, ApiKey::kCreateTopics, 0, kCreateTopicsVersion);
  if (version < 0) return;
  CreateTopicsRequest req;
  req.timeout_ms = client_config().request_timeout_ms;
  std::vector<std::string> names;
  for (auto& [name, e] : topics_) {
    if (e.state != TopicState::kPending) continue;
    CreateTopicsRequest::Topic t;
    t.name = name;
    t.num_partitions = e.spec.partitions;
    t.replication_factor = e.spec.replication_factor;
    for (const auto& [k, v] : e.spec.configs) t.configs.push_back({k, v});
    req.topics.push_back(std::move(t));
    e.state = TopicState::kInFlight;
    names.push_back(name);
  }
  uint64_t token = next_token_++;
  in_flight_[token] = names;
  ++attempts_;
  SendRequest(broker, req, version, MsToNs(client_config().request_timeout_ms), token);
}

void AdminNode::OnResponse(uint64_t token, const ResponseBody& body) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  std::vector<std::string> names = std::move(it->second);
  in_flight_.erase(it);
  const auto* resp = std::get_if<CreateTopicsResponse>(&body);
  bool retry = false;
  for (const auto& name : names) {
    Entry& e = topics_[name];
    e.state = TopicState::kPending;
    if (resp == nullptr) continue;
    for (const auto& t : resp->topics) {
      if (t.name != name) continue;
      e.last_error = t.error_code;
      ErrorCode code = ErrorCode(t.error_code);
      if (code == ErrorCode::kNone || code == ErrorCode::kTopicAlreadyExists) {
        e.state = TopicState::kDone;
      } else if (IsRetriable(code) || code == ErrorCode::kNotController ||
                 code == ErrorCode::kInvalidReplicationFactor) {
        // INVALID_REPLICATION_FACTOR is retried too: brokers may still be registering.
        retry = true;
      } else {
        e.state = TopicState::kFailed;
      }
    }
  }
  if (retry || resp == nullptr) {
    ++next_broker_;
    retry_at_ns_ = now_ns() + MsToNs(client_config().retry_backoff_ms);
    WakeAt(retry_at_ns_);
  }
}

void AdminNode::OnRequestFailed(uint64_t token, std::string_view) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  for (const auto& name : it->second) topics_[name].state = TopicState::kPending;
  in_flight_.erase(it);
  ++next_broker_;
  retry_at_ns_ = now_ns() + MsToNs(client_config().retry_backoff_ms);
  WakeAt(retry_at_ns_);
}

}  // namespace samsa::client
