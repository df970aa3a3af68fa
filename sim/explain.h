#pragma once
// ExplainEvent: one plain-English sentence saying what a cluster event (core/view/cluster_view.h)
// was and why, generated from its kind and cause, for a reader who is learning Kafka:
//
//   ISR of orders-0 shrank to {1,2}: broker 3 fell behind for longer than
//   replica.lag.time.max.ms (10 s)
//
// Settings are quoted under their Kafka names with their EFFECTIVE value in the run: the
// scenario's topic config, then its cluster config, then the broker default (BrokerConfig, the
// same defaults the simulated brokers start from). Durations read as people say them: "500 ms",
// "10 s", "1.5 s", "2 min".
//
// Every EventKind gets a sentence, every EventCause its reason; an event this code does not know
// (a cause a kind never carries) still gets a sentence built from its fields and `detail`.
// Pure function of (event, scenario): deterministic, no I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "core/view/cluster_view.h"
#include "sim/scenario.h"

namespace samsa::sim {

std::string ExplainEvent(const view::ClusterEvent& e, const Scenario& scenario);

// The run's verdict in one sentence, from its expectation events (what a finished session adds
// last): "The run passed: all 5 expectations held." or, when some failed, the first failed one's
// sentence after how many failed. Empty when `events` holds no expectation.
std::string ExplainVerdict(const std::vector<view::ClusterEvent>& events, const Scenario& scenario);

// A duration in milliseconds as a person writes it: 500 -> "500 ms", 10000 -> "10 s",
// 1500 -> "1.5 s", 120000 -> "2 min", 7200000 -> "2 h". Negative: "-" + the positive form.
std::string HumanMs(int64_t ms);

}  // namespace samsa::sim
