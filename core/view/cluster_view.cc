#include "core/view/cluster_view.h"

namespace samsa::view {

const PartitionView* ClusterView::FindPartition(const std::string& topic, int32_t partition) const {
  for (const TopicView& t : topics)
    if (t.name == topic)
      for (const PartitionView& p : t.partitions)
        if (p.partition == partition) return &p;
  return nullptr;
}

const BrokerView* ClusterView::FindBroker(int32_t id) const {
  for (const BrokerView& b : brokers)
    if (b.id == id) return &b;
  return nullptr;
}

int64_t ClientView::TotalLag() const {
  int64_t total = -1;
  for (const ConsumerPositionView& p : positions)
    if (p.lag >= 0) total = (total < 0 ? 0 : total) + p.lag;
  return total;
}

bool ClusterView::AnyBrokerRunning() const {
  for (const BrokerView& b : brokers)
    if (b.process != ProcessState::kDown) return true;
  return false;
}

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kLeaderElected: return "leader-elected";
    case EventKind::kIsrShrink: return "isr-shrink";
    case EventKind::kIsrExpand: return "isr-expand";
    case EventKind::kBrokerRegistered: return "broker-registered";
    case EventKind::kBrokerFenced: return "broker-fenced";
    case EventKind::kBrokerUnfenced: return "broker-unfenced";
    case EventKind::kControllerChange: return "controller-change";
    case EventKind::kFault: return "fault";
    case EventKind::kRevert: return "revert";
    case EventKind::kCaption: return "caption";
    case EventKind::kWorkload: return "workload";
    case EventKind::kExpectation: return "expectation";
    case EventKind::kViolation: return "violation";
  }
  return "unknown";
}

std::string_view EventCauseName(EventCause cause) {
  switch (cause) {
    case EventCause::kNone: return "none";
    case EventCause::kCreated: return "created";
    case EventCause::kLeaderFenced: return "leader-fenced";
    case EventCause::kLeaderShutdown: return "leader-shutdown";
    case EventCause::kLeaderLeftIsr: return "leader-left-isr";
    case EventCause::kPreferred: return "preferred";
    case EventCause::kLeaderless: return "leaderless";
    case EventCause::kReassigned: return "reassigned";
    case EventCause::kLagged: return "lagged";
    case EventCause::kCaughtUp: return "caught-up";
    case EventCause::kBrokerFenced: return "broker-fenced";
    case EventCause::kBrokerShutdown: return "broker-shutdown";
    case EventCause::kElection: return "election";
    case EventCause::kMissedHeartbeats: return "missed-heartbeats";
    case EventCause::kRegistration: return "registration";
  }
  return "unknown";
}

std::string_view ProcessStateName(ProcessState state) {
  switch (state) {
    case ProcessState::kUp: return "up";
    case ProcessState::kDown: return "down";
    case ProcessState::kPaused: return "paused";
  }
  return "unknown";
}

std::string_view LinkStateName(LinkView::State state) {
  switch (state) {
    case LinkView::State::kOk: return "ok";
    case LinkView::State::kCut: return "cut";
    case LinkView::State::kClogged: return "clogged";
    case LinkView::State::kSlowed: return "slowed";
  }
  return "unknown";
}

}  // namespace samsa::view
