#include "sim/view_json.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>

namespace samsa::sim {

using nlohmann::ordered_json;

ordered_json ViewJson(const view::ClusterView& v) {
  ordered_json j;
  j["type"] = "view";
  j["at_ns"] = v.at_ns;
  j["event_index"] = v.event_index;
  j["brokers"] = ordered_json::array();
  for (const view::BrokerView& b : v.brokers) {
    ordered_json o;
    o["id"] = b.id;
    o["process"] = view::ProcessStateName(b.process);
    o["is_broker"] = b.is_broker;
    o["is_voter"] = b.is_voter;
    o["active_controller"] = b.is_active_controller;
    o["registered"] = b.registered;
    o["fenced"] = b.fenced;
    o["controlled_shutdown"] = b.in_controlled_shutdown;
    o["broker_epoch"] = b.broker_epoch;
    o["lifecycle"] = b.lifecycle;
    o["raft"] = {{"epoch", b.raft_epoch}, {"role", b.raft_role}, {"leader", b.raft_leader}};
    o["metadata_offset"] = b.metadata_offset;
    j["brokers"].push_back(std::move(o));
  }
  j["links"] = ordered_json::array();
  for (const view::LinkView& l : v.links) {
    ordered_json o;
    o["from"] = l.from;
    o["to"] = l.to;
    o["state"] = view::LinkStateName(l.state);
    o["clogged_until_ns"] = l.clogged_until_ns;
    o["extra_latency_ns"] = l.extra_latency_ns;
    j["links"].push_back(std::move(o));
  }
  j["topics"] = ordered_json::array();
  for (const view::TopicView& t : v.topics) {
    ordered_json to;
    to["name"] = t.name;
    to["partitions"] = ordered_json::array();
    for (const view::PartitionView& p : t.partitions) {
      ordered_json po;
      po["partition"] = p.partition;
      po["leader"] = p.leader;
      po["leader_epoch"] = p.leader_epoch;
      po["partition_epoch"] = p.partition_epoch;
      po["replicas"] = p.replicas;
      po["isr"] = p.isr;
      po["elr"] = p.elr;
      po["replica_states"] = ordered_json::array();
      for (const view::ReplicaView& r : p.replica_views) {
        ordered_json ro;
        ro["broker"] = r.broker;
        ro["online"] = r.online;
        ro["in_isr"] = r.in_isr;
        ro["eligible"] = r.eligible;
        ro["leader"] = r.is_leader;
        ro["log_start"] = r.log_start_offset;
        ro["log_end"] = r.log_end_offset;
        ro["durable"] = r.durable_offset;
        ro["high_watermark"] = r.high_watermark;
        ro["last_caught_up_ns"] = r.last_caught_up_ns;
        po["replica_states"].push_back(std::move(ro));
      }
      to["partitions"].push_back(std::move(po));
    }
    j["topics"].push_back(std::move(to));
  }
  j["clients"] = ordered_json::array();
  for (const view::ClientView& c : v.clients) {
    ordered_json o;
    o["id"] = c.id;
    o["kind"] = c.kind;
    o["target"] = c.target;
    o["up"] = c.up;
    o["stopped"] = c.stopped;
    o["rate_per_s"] = c.rate_per_s;
    o["in_flight"] = c.in_flight;
    o["sent"] = c.sent;
    o["acknowledged"] = c.acknowledged;
    o["errors"] = ordered_json::object();
    for (const auto& [name, n] : c.errors) o["errors"][name] = n;
    o["positions"] = ordered_json::array();
    for (const view::ConsumerPositionView& p : c.positions)
      o["positions"].push_back(
          {{"partition", p.partition}, {"position", p.position}, {"high_watermark", p.high_watermark}, {"lag", p.lag}});
    j["clients"].push_back(std::move(o));
  }
  j["groups"] = ordered_json::array();
  for (const view::GroupView& g : v.groups)
    j["groups"].push_back(
        {{"group_id", g.group_id}, {"state", g.state}, {"generation", g.generation}, {"members", g.members}});
  return j;
}

ordered_json EventJson(const view::ClusterEvent& e) {
  ordered_json j;
  j["type"] = "event";
  j["at_ns"] = e.at_ns;
  j["event_index"] = e.event_index;
  j["kind"] = view::EventKindName(e.kind);
  j["cause"] = view::EventCauseName(e.cause);
  j["nodes"] = e.nodes;
  j["topic"] = e.topic;
  j["partition"] = e.partition;
  j["leader"] = e.leader;
  j["previous_leader"] = e.previous_leader;
  j["epoch"] = e.epoch;
  j["replica"] = e.replica;
  j["unclean"] = e.unclean;
  j["isr"] = e.isr;
  j["passed"] = e.passed;
  j["allowed"] = e.allowed;
  j["text"] = e.text;
  j["detail"] = e.detail;
  return j;
}

uint64_t ViewHash(const view::ClusterView& view) {
  const std::string text = ViewJson(view).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

std::string Seconds(int64_t ns) {
  if (ns < 0) return "-";
  return fmt::format("{}.{:03}s", ns / 1'000'000'000, (ns / 1'000'000) % 1000);
}

std::string Num(int64_t v) { return v < 0 ? "-" : std::to_string(v); }

std::string Ids(const std::vector<int32_t>& ids) {
  if (ids.empty()) return "-";
  return fmt::format("{}", fmt::join(ids, ","));
}

// A plain text table: columns padded to their widest cell.
struct Table {
  std::vector<std::vector<std::string>> rows;
  std::string Render(const std::string& indent = "  ") const {
    std::vector<size_t> width;
    for (const auto& r : rows)
      for (size_t i = 0; i < r.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], r[i].size());
      }
    std::string out;
    for (const auto& r : rows) {
      std::string line = indent;
      for (size_t i = 0; i < r.size(); ++i)
        line += i + 1 == r.size() ? r[i] : r[i] + std::string(width[i] - r[i].size() + 2, ' ');
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }
};

}  // namespace

std::string FormatEventLine(const view::ClusterEvent& e) {
  std::string what;
  switch (e.kind) {
    case view::EventKind::kCaption: what = "caption: " + e.text; break;
    case view::EventKind::kFault:
    case view::EventKind::kRevert:
    case view::EventKind::kWorkload: what = fmt::format("{}: {}", view::EventKindName(e.kind), e.text); break;
    case view::EventKind::kExpectation:
      what = fmt::format("expectation {} {}: {}", e.passed ? "PASS" : "FAIL", e.text, e.detail);
      break;
    case view::EventKind::kViolation:
      what = fmt::format("VIOLATION {}{}{}: {}", e.text,
                         e.topic.empty() ? "" : fmt::format(" {}-{}", e.topic, e.partition),
                         e.allowed ? kAllowedViolationMark : "", e.detail);
      break;
    default:
      what = fmt::format("{}: {}", view::EventKindName(e.kind), e.detail);
      if (e.cause != view::EventCause::kNone) what += fmt::format(" [cause: {}]", view::EventCauseName(e.cause));
      break;
  }
  return fmt::format("[{:>9}] {}", Seconds(e.at_ns), what);
}

std::string FormatViewTables(const view::ClusterView& v, const std::vector<view::ClusterEvent>& events,
                             size_t last_events) {
  std::string out = fmt::format("cluster at {} (after {} events)\n\n", Seconds(v.at_ns), v.event_index);
  Table brokers;
  brokers.rows.push_back({"NODE", "ROLES", "PROCESS", "STATE", "EPOCH", "RAFT", "METADATA"});
  for (const view::BrokerView& b : v.brokers) {
    std::string roles = b.is_broker ? "broker" : "";
    if (b.is_voter) roles += roles.empty() ? "voter" : "+voter";
    if (b.is_active_controller) roles += " (active controller)";
    std::string state = !b.registered ? "unregistered" : b.fenced ? "fenced" : "unfenced";
    if (b.in_controlled_shutdown) state += ", shutting down";
    std::string raft = b.raft_epoch < 0 ? "-"
                                        : fmt::format("{} epoch {} leader {}", b.raft_role, b.raft_epoch,
                                                      b.raft_leader < 0 ? "-" : std::to_string(b.raft_leader));
    brokers.rows.push_back({std::to_string(b.id), roles, std::string(view::ProcessStateName(b.process)), state,
                            Num(b.broker_epoch), raft, Num(b.metadata_offset)});
  }
  out += "Brokers\n" + brokers.Render();

  std::string links;
  for (const view::LinkView& l : v.links) {
    if (l.state == view::LinkView::State::kOk) continue;
    links += fmt::format("  {} -> {}: {}", l.from, l.to, view::LinkStateName(l.state));
    if (l.state == view::LinkView::State::kClogged) links += " until " + Seconds(l.clogged_until_ns);
    if (l.extra_latency_ns > 0) links += fmt::format(" +{}ms", l.extra_latency_ns / 1'000'000);
    links += "\n";
  }
  out += "\nNetwork\n" + (links.empty() ? std::string("  every link ok\n") : links);

  Table parts;
  parts.rows.push_back({"PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "ELR", "REPLICA", "LOG START", "LEO", "HW",
                        "DURABLE", "CAUGHT UP"});
  for (const view::TopicView& t : v.topics)
    for (const view::PartitionView& p : t.partitions) {
      bool first = true;
      for (const view::ReplicaView& r : p.replica_views) {
        std::string who = std::to_string(r.broker);
        if (r.is_leader) who += " leader";
        else if (!r.in_isr) who += r.eligible ? " (ELR)" : " (out of ISR)";
        if (!r.online) who += " offline";
        std::vector<std::string> row;
        if (first) {
          std::string status = p.leader < 0 ? " OFFLINE" : p.isr.size() < p.replicas.size() ? " under-replicated" : "";
          row = {fmt::format("{}-{}{}", t.name, p.partition, status), Num(p.leader), Num(p.leader_epoch),
                 Ids(p.replicas), Ids(p.isr), Ids(p.elr)};
        } else {
          row = {"", "", "", "", "", ""};
        }
        first = false;
        for (const std::string& cell : {who, Num(r.log_start_offset), Num(r.log_end_offset), Num(r.high_watermark),
                                        Num(r.durable_offset), Seconds(r.last_caught_up_ns)})
          row.push_back(cell);
        parts.rows.push_back(std::move(row));
      }
    }
  out += "\nPartitions (LEO: log end offset; HW: high watermark as that replica knows it; DURABLE: flushed to disk)\n" +
         parts.Render();

  Table clients;
  clients.rows.push_back({"CLIENT", "KIND", "TOPIC", "STATE", "RATE/S", "IN FLIGHT", "SENT", "ACKED/READ", "ERRORS", "LAG"});
  for (const view::ClientView& c : v.clients) {
    std::string errors;
    for (const auto& [name, n] : c.errors) errors += fmt::format("{}{} x{}", errors.empty() ? "" : ", ", name, n);
    const int64_t total = c.TotalLag();
    std::string lag;
    if (c.kind == "consumer") lag = total >= 0 ? std::to_string(total) : "-";
    clients.rows.push_back({std::to_string(c.id), c.kind, c.target.empty() ? "-" : c.target,
                            !c.up ? "down" : c.stopped ? "stopped" : "running",
                            c.kind == "producer" ? std::to_string(c.rate_per_s) : "-", std::to_string(c.in_flight),
                            c.kind == "producer" ? std::to_string(c.sent) : "-", std::to_string(c.acknowledged),
                            errors.empty() ? "-" : errors, lag.empty() ? "-" : lag});
  }
  out += "\nClients (LAG: high watermark minus position, summed over partitions)\n" + clients.Render();

  std::vector<const view::ClusterEvent*> shown;
  for (const view::ClusterEvent& e : events)
    if (e.at_ns <= v.at_ns) shown.push_back(&e);
  if (shown.size() > last_events) shown.erase(shown.begin(), shown.end() - ptrdiff_t(last_events));
  out += fmt::format("\nLast {} events\n", shown.size());
  for (const view::ClusterEvent* e : shown) out += "  " + FormatEventLine(*e) + "\n";
  return out;
}

}  // namespace samsa::sim
