#pragma once
// The JSON encoding of ClusterViews and ClusterEvents (core/view/cluster_view.h), as
// `samsa-sim run --views FILE.jsonl` writes them, one object a line:
//
//   {"type":"view", "at_ns":N, "event_index":N,
//    "brokers":[{"id", "process":"up|down|paused", "is_broker", "is_voter", "active_controller",
//                "registered", "fenced", "controlled_shutdown", "broker_epoch", "lifecycle",
//                "raft":{"epoch", "role", "leader"}, "metadata_offset"}],
//    "links":[{"from", "to", "state":"ok|cut|clogged|slowed", "clogged_until_ns",
//              "extra_latency_ns"}],
//    "topics":[{"name", "partitions":[{"partition", "leader", "leader_epoch", "partition_epoch",
//               "replicas":[..], "isr":[..], "elr":[..],
//               "replica_states":[{"broker", "online", "in_isr", "eligible", "leader",
//                                  "log_start", "log_end", "durable", "high_watermark",
//                                  "last_caught_up_ns"}]}]}],
//    "clients":[{"id", "kind", "target", "up", "stopped", "rate_per_s", "in_flight", "sent",
//                "acknowledged", "errors":{name: count},
//                "positions":[{"partition", "position", "high_watermark", "lag"}]}],
//    "groups":[]}
//   {"type":"event", "at_ns", "event_index", "kind":"leader-elected|isr-shrink|...",
//    "cause":"leader-fenced|lagged|...", "nodes":[..], "topic", "partition", "leader",
//    "previous_leader", "epoch", "replica", "unclean", "isr":[..], "passed", "text", "detail"}
//
// Every number is an integer (no floating point), keys are written in a fixed order, and -1
// means unknown, so the text of a view, and ViewHash, are the same on every build and process.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/view/cluster_view.h"

namespace samsa::sim {

nlohmann::ordered_json ViewJson(const view::ClusterView& view);
nlohmann::ordered_json EventJson(const view::ClusterEvent& event);
// FNV-1a over ViewJson(view).dump().
uint64_t ViewHash(const view::ClusterView& view);

// `samsa-sim inspect`: the view as readable tables (brokers; partitions with leader, epoch,
// replicas, ISR and per replica LEO, HW and durable offset; clients with lag) followed by the
// last `last_events` events before the view's instant.
std::string FormatViewTables(const view::ClusterView& view, const std::vector<view::ClusterEvent>& events,
                             size_t last_events);
// One event as a timeline line: "[  12.003s] leader-elected t-0: broker 2 leads (epoch 3)...".
std::string FormatEventLine(const view::ClusterEvent& event);

// After a violation's place in one-line texts (event lines, the run's report) when the scenario
// tolerates or expects its kind.
inline constexpr std::string_view kAllowedViolationMark = " (expected in this scenario)";

}  // namespace samsa::sim
