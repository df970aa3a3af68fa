#include "core/broker/broker_config.h"

#include <algorithm>
#include <charconv>
#include <functional>

#include "core/config/properties.h"

namespace samsa {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "host:port" from a listener like "PLAINTEXT://host:9092" (the first one of a list).
bool ParseListener(std::string_view s, std::string* host, int32_t* port) {
  s = Trim(s.substr(0, s.find(',')));
  if (size_t scheme = s.find("://"); scheme != std::string_view::npos) s = s.substr(scheme + 3);
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  int64_t p;
  if (!ParseInt64(s.substr(colon + 1), &p) || p < 0 || p > 65535) return false;
  *host = std::string(s.substr(0, colon));
  if (host->empty()) *host = "localhost";
  *port = int32_t(p);
  return true;
}

}  // namespace

Result<Properties> ParseProperties(std::string_view text, std::string_view file_name) {
  Properties props;
  std::string errors;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) {
      errors += std::string(file_name) + ":" + std::to_string(line_no) + ": expected key=value, got '" +
                std::string(line) + "'\n";
      continue;
    }
    std::string_view key = Trim(line.substr(0, sep));
    if (key.empty()) {
      errors += std::string(file_name) + ":" + std::to_string(line_no) + ": empty key\n";
      continue;
    }
    props[std::string(key)] = std::string(Trim(line.substr(sep + 1)));
  }
  if (!errors.empty()) {
    errors.pop_back();
    return Status::InvalidArgument(errors);
  }
  return props;
}

bool BrokerConfig::IsVoter(int32_t id) const {
  return std::any_of(quorum_voters.begin(), quorum_voters.end(), [&](const VoterEndpoint& v) { return v.id == id; });
}

std::vector<int32_t> BrokerConfig::VoterIds() const {
  std::vector<int32_t> ids;
  for (const auto& v : quorum_voters) ids.push_back(v.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::pair<std::string, std::string>> BrokerConfig::Describe() const {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  auto n = [](int64_t v) { return std::to_string(v); };
  std::string roles = broker_role && controller_role ? "broker,controller" : broker_role ? "broker" : "controller";
  std::string voters;
  for (const VoterEndpoint& v : quorum_voters)
    voters += (voters.empty() ? "" : ",") + std::to_string(v.id) + "@" + v.host + ":" + std::to_string(v.port);
  std::vector<std::pair<std::string, std::string>> out = {
      {"node.id", n(node_id)},
      {"process.roles", roles},
      {"controller.quorum.voters", voters},
      {"advertised.listeners", "PLAINTEXT://" + advertised_host + ":" + std::to_string(advertised_port)},
      {"log.dirs", log_dir},
      {"cluster.id", cluster_id},
      {"num.partitions", n(num_partitions)},
      {"default.replication.factor", n(default_replication_factor)},
      {"min.insync.replicas", n(min_insync_replicas)},
      {"unclean.leader.election.enable", b(unclean_leader_election_enable)},
      {"auto.create.topics.enable", b(auto_create_topics_enable)},
      {"auto.leader.rebalance.enable", b(auto_leader_rebalance_enable)},
      {"leader.imbalance.check.interval.seconds", n(leader_imbalance_check_interval_ms / 1000)},
      {"replica.lag.time.max.ms", n(replica_lag_time_max_ms)},
      {"replica.fetch.max.bytes", n(replica_fetch_max_bytes)},
      {"replica.fetch.wait.max.ms", n(replica_fetch_wait_max_ms)},
      {"replica.fetch.min.bytes", n(replica_fetch_min_bytes)},
      {"replica.fetch.backoff.ms", n(replica_fetch_backoff_ms)},
      {"log.segment.bytes", n(log_segment_bytes)},
      {"log.roll.ms", n(log_roll_ms)},
      {"log.retention.ms", n(log_retention_ms)},
      {"log.retention.bytes", n(log_retention_bytes)},
      {"log.retention.check.interval.ms", n(log_retention_check_interval_ms)},
      {"log.flush.interval.messages", n(log_flush_interval_messages)},
      {"log.flush.interval.ms", n(log_flush_interval_ms)},
      {"log.cleanup.policy", log_cleanup_policy},
      {"compression.type", compression_type},
      {"message.max.bytes", n(message_max_bytes)},
      {"broker.session.timeout.ms", n(broker_session_timeout_ms)},
      {"broker.heartbeat.interval.ms", n(broker_heartbeat_interval_ms)},
      {"controller.quorum.election.timeout.ms", n(quorum_election_timeout_ms)},
      {"controller.quorum.election.backoff.max.ms", n(quorum_election_backoff_max_ms)},
      {"controller.quorum.fetch.timeout.ms", n(quorum_fetch_timeout_ms)},
      {"controller.quorum.request.timeout.ms", n(quorum_request_timeout_ms)},
      {"request.timeout.ms", n(request_timeout_ms)},
      {"socket.request.max.bytes", n(socket_request_max_bytes)},
  };
  std::sort(out.begin(), out.end());
  return out;
}

Result<BrokerConfig> BrokerConfig::FromProperties(const Properties& props) {
  BrokerConfig c;
  std::vector<std::string> errors;
  auto bad = [&](const std::string& key, const std::string& value, const std::string& why) {
    errors.push_back(key + ": '" + value + "' " + why);
  };

  // The registry (core/config/properties.h) checks every value's type and range first; these
  // setters only store checked values. Each broker property of the registry has exactly one
  // (BrokerConfigTest.EveryRegistryBrokerPropertyIsApplied).
  auto int64_of = [](const std::string& v) {
    int64_t x = 0;
    ParseInt64(v, &x);
    return x;
  };
  auto int64_field = [&](int64_t* field, int64_t scale = 1) {
    return [=](const std::string&, const std::string& v) { *field = int64_of(v) * scale; };
  };
  auto int32_field = [&](int32_t* field) {
    return [=](const std::string&, const std::string& v) { *field = int32_t(int64_of(v)); };
  };
  auto bool_field = [](bool* field) {
    return [=](const std::string&, const std::string& v) {
      std::string s(Trim(v));
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
      *field = s == "true";  // checked: "true" or "false", in any case
    };
  };
  auto string_field = [](std::string* field) {
    return [=](const std::string&, const std::string& v) { *field = std::string(Trim(v)); };
  };
  int32_t rf32 = c.default_replication_factor;
  std::map<std::string, std::function<void(const std::string&, const std::string&)>> setters = {
      {"node.id", int32_field(&c.node_id)},
      {"broker.id", int32_field(&c.node_id)},
      {"num.partitions", int32_field(&c.num_partitions)},
      {"default.replication.factor", int32_field(&rf32)},
      {"min.insync.replicas", int32_field(&c.min_insync_replicas)},
      {"unclean.leader.election.enable", bool_field(&c.unclean_leader_election_enable)},
      {"auto.create.topics.enable", bool_field(&c.auto_create_topics_enable)},
      {"auto.leader.rebalance.enable", bool_field(&c.auto_leader_rebalance_enable)},
      {"leader.imbalance.check.interval.seconds", int64_field(&c.leader_imbalance_check_interval_ms, 1000)},
      {"replica.lag.time.max.ms", int64_field(&c.replica_lag_time_max_ms)},
      {"replica.fetch.max.bytes", int32_field(&c.replica_fetch_max_bytes)},
      {"replica.fetch.wait.max.ms", int64_field(&c.replica_fetch_wait_max_ms)},
      {"replica.fetch.min.bytes", int32_field(&c.replica_fetch_min_bytes)},
      {"replica.fetch.backoff.ms", int64_field(&c.replica_fetch_backoff_ms)},
      {"log.segment.bytes", int64_field(&c.log_segment_bytes)},
      {"log.roll.ms", int64_field(&c.log_roll_ms)},
      {"log.roll.hours", [&](const std::string&, const std::string& v) {
         if (!props.count("log.roll.ms")) c.log_roll_ms = int64_of(v) * 3600000;
       }},
      {"log.retention.ms", int64_field(&c.log_retention_ms)},
      {"log.retention.minutes", [&](const std::string&, const std::string& v) {
         if (!props.count("log.retention.ms")) c.log_retention_ms = int64_of(v) < 0 ? -1 : int64_of(v) * 60000;
       }},
      {"log.retention.hours", [&](const std::string&, const std::string& v) {
         if (!props.count("log.retention.ms") && !props.count("log.retention.minutes"))
           c.log_retention_ms = int64_of(v) < 0 ? -1 : int64_of(v) * 3600000;
       }},
      {"log.retention.bytes", int64_field(&c.log_retention_bytes)},
      {"log.retention.check.interval.ms", int64_field(&c.log_retention_check_interval_ms)},
      {"log.flush.interval.messages", int64_field(&c.log_flush_interval_messages)},
      {"log.flush.interval.ms", int64_field(&c.log_flush_interval_ms)},
      {"log.cleanup.policy", string_field(&c.log_cleanup_policy)},
      {"compression.type", string_field(&c.compression_type)},
      {"message.max.bytes", int32_field(&c.message_max_bytes)},
      {"broker.session.timeout.ms", int64_field(&c.broker_session_timeout_ms)},
      {"broker.heartbeat.interval.ms", int64_field(&c.broker_heartbeat_interval_ms)},
      {"controller.quorum.election.timeout.ms", int64_field(&c.quorum_election_timeout_ms)},
      {"controller.quorum.election.backoff.max.ms", int64_field(&c.quorum_election_backoff_max_ms)},
      {"controller.quorum.fetch.timeout.ms", int64_field(&c.quorum_fetch_timeout_ms)},
      {"controller.quorum.request.timeout.ms", int64_field(&c.quorum_request_timeout_ms)},
      {"request.timeout.ms", int64_field(&c.request_timeout_ms)},
      {"socket.request.max.bytes", int32_field(&c.socket_request_max_bytes)},
      {"log.dirs", [&](const std::string& key, const std::string& v) {
         std::string first(Trim(std::string_view(v).substr(0, v.find(','))));
         if (first.empty()) return bad(key, v, "is empty");
         c.log_dir = first;
       }},
      {"log.dir", [&](const std::string& key, const std::string& v) {
         if (Trim(v).empty()) return bad(key, v, "is empty");
         if (!props.count("log.dirs")) c.log_dir = std::string(Trim(v));
       }},
      {"cluster.id", [&](const std::string& key, const std::string& v) {
         if (Trim(v).empty()) return bad(key, v, "is empty");
         c.cluster_id = std::string(Trim(v));
       }},
      {"process.roles", [&](const std::string& key, const std::string& v) {
         c.broker_role = c.controller_role = false;
         std::string_view rest = v;
         while (true) {
           size_t comma = rest.find(',');
           std::string_view role = Trim(rest.substr(0, comma));
           if (role == "broker") c.broker_role = true;
           else if (role == "controller") c.controller_role = true;
           else return bad(key, v, "must list 'broker' and/or 'controller'");
           if (comma == std::string_view::npos) break;
           rest = rest.substr(comma + 1);
         }
       }},
      {"controller.quorum.voters", [&](const std::string& key, const std::string& v) {
         std::string_view rest = v;
         while (!Trim(rest).empty()) {
           size_t comma = rest.find(',');
           std::string_view item = Trim(rest.substr(0, comma));
           size_t at = item.find('@');
           VoterEndpoint ep;
           int64_t id;
           if (at == std::string_view::npos || !ParseInt64(item.substr(0, at), &id) || id < 0 ||
               !ParseListener(item.substr(at + 1), &ep.host, &ep.port))
             return bad(key, v, "must be a list of id@host:port");
           ep.id = int32_t(id);
           c.quorum_voters.push_back(ep);
           if (comma == std::string_view::npos) break;
           rest = rest.substr(comma + 1);
         }
       }},
      {"listeners", [&](const std::string& key, const std::string& v) {
         if (props.count("advertised.listeners")) return;
         if (!ParseListener(v, &c.advertised_host, &c.advertised_port)) bad(key, v, "must be [SCHEME://]host:port");
       }},
      {"advertised.listeners", [&](const std::string& key, const std::string& v) {
         if (!ParseListener(v, &c.advertised_host, &c.advertised_port)) bad(key, v, "must be [SCHEME://]host:port");
       }},
  };
  for (const auto& [key, value] : props) {
    const config::Property* property = config::Find(config::Scope::kBroker, key);
    if (property == nullptr) {
      c.unknown_keys.push_back(key);
      continue;
    }
    if (std::string why = config::Check(*property, value); !why.empty()) {
      errors.push_back(key + ": " + why);
      continue;
    }
    // Every accepted broker property has a setter (PropertyRegistryTest.BrokerConfigTakesEvery...).
    if (auto it = setters.find(key); it != setters.end()) it->second(key, value);
  }
  c.default_replication_factor = int16_t(rf32);
  if (c.node_id < 0 && !props.count("node.id") && !props.count("broker.id")) errors.push_back("node.id: is required");
  if (!c.broker_role && !c.controller_role) errors.push_back("process.roles: no role");
  if (c.controller_role && !c.quorum_voters.empty() && c.node_id >= 0 && !c.IsVoter(c.node_id))
    errors.push_back("controller.quorum.voters: node " + std::to_string(c.node_id) +
                     " has the controller role but is not a voter");
  std::vector<int32_t> ids = c.VoterIds();
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end())
    errors.push_back("controller.quorum.voters: duplicate voter id");
  if (c.quorum_voters.empty() && c.controller_role && c.node_id >= 0)
    c.quorum_voters.push_back({c.node_id, c.advertised_host, c.advertised_port + 1});
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(msg);
  }
  return c;
}

}  // namespace samsa
