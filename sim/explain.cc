#include "sim/explain.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string_view>

#include "core/broker/broker_config.h"

namespace samsa::sim {

namespace {

using view::ClusterEvent;
using view::EventCause;
using view::EventKind;

// ---- Settings: their effective value in this scenario ----

// The broker default of the settings a sentence quotes (the simulated brokers start from the
// same BrokerConfig, so a default here is the value the run used).
std::string DefaultOf(std::string_view key) {
  const std::vector<std::pair<std::string, std::string>> defaults = BrokerConfig().Describe();
  for (const auto& [name, value] : defaults)
    if (name == key) return value;
  return "";
}

// Topic config, then cluster config, then the broker default (canonical strings: integers for
// durations in ms, "true"/"false").
std::string Setting(const Scenario& s, std::string_view key, std::string_view topic = {}) {
  if (std::optional<std::string> v = s.Config(key, topic)) return *v;
  return DefaultOf(key);
}

// "replica.lag.time.max.ms (10 s)".
std::string QuoteMs(const Scenario& s, std::string_view key, std::string_view topic = {}) {
  const std::string v = Setting(s, key, topic);
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
  if (ec != std::errc() || p != v.data() + v.size()) return fmt::format("{} ({})", key, v);
  return fmt::format("{} ({})", key, HumanMs(ms));
}

// ---- Pieces of sentences ----

std::string PartitionName(const ClusterEvent& e) {
  if (e.topic.empty()) return "a partition";
  return e.partition >= 0 ? fmt::format("{}-{}", e.topic, e.partition) : e.topic;
}

std::string IdSet(const std::vector<int32_t>& ids) { return fmt::format("{{{}}}", fmt::join(ids, ",")); }

std::string Broker(int32_t id) { return id >= 0 ? fmt::format("broker {}", id) : "an unknown broker"; }

// " (leader epoch 5)", or "" when unknown.
std::string LeaderEpoch(const ClusterEvent& e) { return e.epoch >= 0 ? fmt::format(" (leader epoch {})", e.epoch) : ""; }

// Why a broker gets fenced for missed heartbeats, with the session timeout's value: "the
// controller heard no heartbeat from broker 3 for broker.session.timeout.ms (9 s)" (`who`:
// "broker 3", or "it" when the sentence has named the broker already).
std::string SessionExpired(const Scenario& s, const std::string& who) {
  return fmt::format("the controller heard no heartbeat from {} for {}", who, QuoteMs(s, "broker.session.timeout.ms"));
}

// What a violation kind means, in a clause (sim/history_checker.h, sim/runtime_checker.h and
// sim/samsa_cluster_factory.h define them).
std::string_view ViolationMeaning(std::string_view kind) {
  if (kind == "acked-lost") return "an acknowledged record is missing from the partition's final log";
  if (kind == "acked-uncommitted")
    return "an acknowledged record is still in the partition's final log, but above its high watermark: not committed "
           "again by the end of the run";
  if (kind == "lost-write") return "an acknowledged record was never read by any consumer, though later offsets were";
  if (kind == "duplicate") return "one record was written, or read, at two offsets (typically a retried send)";
  if (kind == "nonmonotonic-send") return "a producer's later send was acknowledged at a lower offset than an earlier one";
  if (kind == "nonmonotonic-poll") return "a consumer read an offset it had already passed";
  if (kind == "poll-skip") return "a consumer skipped over an offset that holds a record";
  if (kind == "inconsistent-offsets") return "two different records were acknowledged or read at the same offset";
  if (kind == "phantom-read") return "a consumer read a record no producer ever sent";
  if (kind == "read-beyond-hw") return "a consumer read past the highest high watermark any leader reported";
  if (kind == "multiple-leaders") return "two brokers led the same partition in the same leader epoch at once";
  if (kind == "hw-regression") return "a leader's high watermark went backwards within its epoch";
  if (kind == "hw-above-leo") return "a leader's high watermark rose above its log end offset";
  if (kind == "metadata-divergence") return "two nodes replayed different metadata up to the same offset, or a node could not decode a committed metadata record";
  if (kind == "replica-divergence") return "an in-sync follower holds different records than its leader below the high watermark";
  if (kind == "liveness") return "the cluster did not recover (no broker, or no leader) by the end of the settle phase";
  if (kind == "unseen") return "acknowledged records were never read by the end of the run";
  return "";
}

// What a fault (or revert) does to a cluster, by the first word of its text (a FaultType or
// nemesis FaultKind name, or a revert's verb).
std::string_view FaultMeaning(std::string_view verb) {
  if (verb == "crash") return "the process dies at once, losing whatever it had not yet synced to disk";
  if (verb == "shutdown") return "a controlled shutdown, in which the controller moves its leaderships away before it exits";
  if (verb == "restart") return "the process starts again, recovers its log from disk and registers with the controller";
  if (verb == "pause") return "the process freezes (think of a long GC pause) and neither sends nor answers, but keeps its state";
  if (verb == "resume") return "the frozen process runs again, unaware that time has passed";
  if (verb == "partition") return "the network between these brokers and the others is cut (clients still reach them)";
  if (verb == "isolate") return "every link to and from these nodes is cut, clients included";
  if (verb == "one-way") return "their messages to the other brokers are dropped, while they still hear them";
  if (verb == "clog") return "their outgoing traffic is held back, then delivered late all at once";
  if (verb == "latency") return "their network links get extra delay";
  if (verb == "reset") return "their connections are reset";
  if (verb == "slow-disk") return "their disk syncs become slower, which delays acknowledgements that wait for them";
  if (verb == "disk-full") return "their disk refuses to grow, so appends fail";
  if (verb == "disk-errors") return "their disk starts failing operations";
  if (verb == "bit-flip") return "one durable bit of a file on their disk flips, a silent corruption the log must detect";
  if (verb == "clock-skew" || verb == "clock-step") return "their local clock jumps";
  if (verb == "clock-drift") return "their local clock runs at the wrong rate";
  if (verb == "heal") return "every network fault is healed";
  return "";
}

std::string_view RevertMeaning(std::string_view verb) {
  if (verb == "restart") return "the crashed process starts again, recovers its log from disk and registers with the controller";
  if (verb == "resume") return "the frozen process runs again, unaware that time has passed";
  if (verb == "heal") return "the cut links carry traffic again";
  if (verb == "faults" || verb == "nemesis") return "from now on the cluster runs without faults and should recover";
  if (verb == "latency") return "the links lose their extra delay";
  if (verb == "clock") return "the clock is stepped back";
  if (verb == "slow-disk" || verb == "disk-full" || verb == "disk-errors") return "the disk works normally again";
  return "";
}

std::string_view FirstWord(std::string_view text) {
  const size_t end = text.find_first_of(" :");
  return text.substr(0, end);
}

// ---- One sentence per kind ----

std::string LeaderElected(const ClusterEvent& e, const Scenario& s) {
  const std::string tp = PartitionName(e);
  const int32_t prev = e.previous_leader;
  const std::string prev_name = prev >= 0 ? fmt::format("the previous leader, {},", Broker(prev)) : "the previous leader";
  // " (leader epoch 5, ISR {2,3})".
  std::string facts;
  if (e.epoch >= 0) facts = fmt::format("leader epoch {}", e.epoch);
  if (!e.isr.empty()) facts += fmt::format("{}ISR {}", facts.empty() ? "" : ", ", IdSet(e.isr));
  if (!facts.empty()) facts = " (" + facts + ")";

  // Why the previous leader is gone, as a clause ("" when the cause says nothing of it).
  std::string why_gone;
  switch (e.cause) {
    case EventCause::kLeaderFenced:
      why_gone = fmt::format("{} was fenced after {}", prev_name, SessionExpired(s, "it"));
      break;
    case EventCause::kLeaderShutdown:
      why_gone = fmt::format("{} is in controlled shutdown and hands its leaderships to in-sync replicas", prev_name);
      break;
    case EventCause::kLeaderLeftIsr:
      why_gone = fmt::format("{} left the ISR (it reported lost data or was removed), and only an in-sync replica may lead",
                             prev_name);
      break;
    default: break;
  }

  if (e.leader < 0) {
    const bool unclean_on = Setting(s, "unclean.leader.election.enable", e.topic) == "true";
    std::string head = fmt::format("{} has no leader{} and is offline", tp, LeaderEpoch(e));
    std::string none = unclean_on ? "no other replica is available to take over"
                                  : "no other in-sync replica is available, and unclean.leader.election.enable is "
                                    "false, so an out-of-sync replica may not take over";
    if (!why_gone.empty()) return fmt::format("{}: {}; {}", head, why_gone, none);
    return fmt::format("{}: {}", head, none);
  }

  const std::string who = Broker(e.leader);
  if (e.unclean) {
    return fmt::format(
        "UNCLEAN election on {}: {} became leader{} although it was not in the ISR; records {} acknowledged may be "
        "lost, because unclean.leader.election.enable is {}",
        tp, who, LeaderEpoch(e), prev >= 0 && prev != e.leader ? fmt::format("the old leader ({})", Broker(prev)) : "the old leader",
        Setting(s, "unclean.leader.election.enable", e.topic));
  }

  const std::string head = fmt::format("{} became leader of {}{}", who, tp, facts);
  switch (e.cause) {
    case EventCause::kCreated:
      return fmt::format("{}: the partition was just created and {} is its first eligible replica", head, who);
    case EventCause::kLeaderFenced:
    case EventCause::kLeaderShutdown:
    case EventCause::kLeaderLeftIsr:
      return fmt::format("{}: {}", head, why_gone);
    case EventCause::kPreferred:
      return fmt::format("{}: leadership went back to its preferred replica (the first in its assignment){}", head,
                         prev >= 0 ? fmt::format(", taking it from {}", Broker(prev)) : "");
    case EventCause::kLeaderless:
      return fmt::format("{}: the partition had no leader, and {} became eligible again (it is back and in sync)", head,
                         who);
    case EventCause::kReassigned:
      return fmt::format("{}: the partition's replica set changed{}", head,
                         prev >= 0 ? fmt::format(", moving leadership away from {}", Broker(prev)) : "");
    default: break;
  }
  if (prev == e.leader) return fmt::format("{} stays leader of {}, in a new leader epoch{}", who, tp, facts);
  return fmt::format("{}{}", head, prev >= 0 ? fmt::format(", taking over from {}", Broker(prev)) : "");
}

std::string IsrShrink(const ClusterEvent& e, const Scenario& s) {
  const std::string head = fmt::format("ISR of {} shrank to {}", PartitionName(e), IdSet(e.isr));
  const std::string r = Broker(e.replica);
  switch (e.cause) {
    case EventCause::kLagged:
      return fmt::format("{}: {} fell behind for longer than {}", head, r, QuoteMs(s, "replica.lag.time.max.ms"));
    case EventCause::kBrokerFenced:
      return fmt::format("{}: {} was fenced after {}", head, r, SessionExpired(s, "it"));
    case EventCause::kBrokerShutdown:
      return fmt::format("{}: {} is shutting down (a controlled shutdown), so the controller took it out", head, r);
    case EventCause::kRegistration:
      return fmt::format(
          "{}: {} registered again after a restart, and its log may lack records it had acknowledged, so it must "
          "catch up before it rejoins",
          head, r);
    case EventCause::kElection:
      return fmt::format(
          "{}: {} was dropped when {} was elected from outside the ISR (an election from the eligible replicas or an "
          "unclean one starts the ISR over from the new leader)",
          head, r, Broker(e.leader));
    default: break;
  }
  return fmt::format("{}: {} left it", head, r);
}

std::string IsrExpand(const ClusterEvent& e, const Scenario&) {
  const std::string head = fmt::format("ISR of {} grew to {}", PartitionName(e), IdSet(e.isr));
  const std::string r = Broker(e.replica);
  switch (e.cause) {
    case EventCause::kCaughtUp:
      return fmt::format("{}: {} caught up with the log end offset of the leader{} and rejoined", head, r,
                         e.leader >= 0 ? fmt::format(" ({})", Broker(e.leader)) : "");
    case EventCause::kElection:
      return fmt::format("{}: {} joined it on being elected leader, since a leader is always in its own ISR", head, r);
    default: break;
  }
  return fmt::format("{}: {} joined it", head, r);
}

std::string BrokerFenced(const ClusterEvent& e, const Scenario& s) {
  const std::string b = Broker(e.replica);
  switch (e.cause) {
    case EventCause::kMissedHeartbeats:
      return fmt::format("{} was fenced: {}, so it may no longer lead partitions", b,
                         SessionExpired(s, b));
    case EventCause::kBrokerShutdown:
      return fmt::format("{} was fenced: it completed its controlled shutdown, its leaderships already moved away", b);
    case EventCause::kRegistration:
      return fmt::format("{} was fenced: it registered again (a restart), and stays fenced until it has caught up with "
                         "the metadata",
                         b);
    default: break;
  }
  return fmt::format("{} was fenced by the controller{}", b, e.detail.empty() ? "" : ": " + e.detail);
}

std::string ControllerChange(const ClusterEvent& e, const Scenario& s) {
  const std::string head =
      fmt::format("Node {} became the active controller{}", e.leader, e.epoch >= 0 ? fmt::format(" (Raft epoch {})", e.epoch) : "");
  if (e.previous_leader < 0)
    return fmt::format("{}: the controller voters elected it leader of the metadata quorum, whose log every broker "
                       "replays",
                       head);
  if (e.previous_leader == e.leader) return fmt::format("{} again: it won a new Raft election", head);
  return fmt::format(
      "{}, replacing node {}: node {} stopped leading the metadata quorum (crashed, cut off or resigned; a voter that "
      "hears nothing from its leader for {} starts an election) and the voters elected node {}",
      head, e.previous_leader, e.previous_leader, QuoteMs(s, "controller.quorum.fetch.timeout.ms"), e.leader);
}

}  // namespace

std::string HumanMs(int64_t ms) {
  if (ms < 0) return "-" + HumanMs(-ms);
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms % 3'600'000 == 0) return fmt::format("{} h", ms / 3'600'000);
  if (ms % 60'000 == 0) return fmt::format("{} min", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  // Seconds with the fraction's trailing zeros dropped: 1500 -> "1.5 s", 1250 -> "1.25 s".
  std::string frac = fmt::format("{:03}", ms % 1000);
  while (frac.back() == '0') frac.pop_back();
  return fmt::format("{}.{} s", ms / 1000, frac);
}

namespace {

std::string Explain(const ClusterEvent& e, const Scenario& scenario) {
  switch (e.kind) {
    case EventKind::kLeaderElected: return LeaderElected(e, scenario);
    case EventKind::kIsrShrink: return IsrShrink(e, scenario);
    case EventKind::kIsrExpand: return IsrExpand(e, scenario);
    case EventKind::kBrokerRegistered:
      return fmt::format("{} registered with the controller{}: it starts fenced, and is unfenced once it has caught "
                         "up with the metadata log",
                         Broker(e.replica), e.epoch >= 0 ? fmt::format(" (broker epoch {})", e.epoch) : "");
    case EventKind::kBrokerFenced: return BrokerFenced(e, scenario);
    case EventKind::kBrokerUnfenced:
      return fmt::format("{} was unfenced: it has caught up with the metadata log and heartbeats in time, so it may "
                         "lead and replicate partitions again",
                         Broker(e.replica));
    case EventKind::kControllerChange: return ControllerChange(e, scenario);
    case EventKind::kFault: {
      const std::string_view meaning = FaultMeaning(FirstWord(e.text));
      return meaning.empty() ? fmt::format("Fault injected: {}", e.text)
                             : fmt::format("Fault injected: {} — {}", e.text, meaning);
    }
    case EventKind::kRevert: {
      const std::string_view meaning = RevertMeaning(FirstWord(e.text));
      return meaning.empty() ? fmt::format("Fault reverted: {}", e.text)
                             : fmt::format("Fault reverted: {} — {}", e.text, meaning);
    }
    case EventKind::kCaption: return e.text;
    case EventKind::kWorkload:
      if (e.text.rfind("not applied", 0) == 0) return fmt::format("Workload change {}", e.text);
      return fmt::format("Workload changed: {}", e.text);
    case EventKind::kExpectation:
      return fmt::format("Expectation {} {}{}", e.text, e.passed ? "PASSED" : "FAILED",
                         e.detail.empty() ? "" : ": " + e.detail);
    case EventKind::kViolation: {
      const std::string_view meaning = ViolationMeaning(e.text);
      std::string out = fmt::format("VIOLATION {}{}", e.text, e.topic.empty() ? "" : " on " + PartitionName(e));
      if (!meaning.empty()) out += fmt::format(" ({})", meaning);
      if (e.allowed) out += " — expected in this scenario, so it does not fail the run";
      if (!e.detail.empty()) out += ": " + e.detail;
      return out;
    }
  }
  return e.detail.empty() ? std::string(view::EventKindName(e.kind)) : e.detail;
}

}  // namespace

std::string ExplainEvent(const ClusterEvent& e, const Scenario& scenario) {
  std::string out = Explain(e, scenario);
  // A sentence that opens on a broker starts with a capital ("Broker 2 became..."); one that opens
  // on a partition keeps the topic's own spelling.
  if (out.rfind("broker ", 0) == 0) out[0] = 'B';
  return out;
}

std::string ExplainVerdict(const std::vector<ClusterEvent>& events, const Scenario& scenario) {
  size_t total = 0, failed = 0;
  const ClusterEvent* first_failed = nullptr;
  for (const ClusterEvent& e : events) {
    if (e.kind != EventKind::kExpectation) continue;
    ++total;
    if (e.passed) continue;
    ++failed;
    if (first_failed == nullptr) first_failed = &e;
  }
  if (total == 0) return "";
  if (failed == 0)
    return total == 1 ? "The run passed: its expectation held."
                      : fmt::format("The run passed: all {} expectations held.", total);
  return fmt::format("The run FAILED ({} of {} expectation{} failed). {}", failed, total, total == 1 ? "" : "s",
                     ExplainEvent(*first_failed, scenario));
}

}  // namespace samsa::sim
