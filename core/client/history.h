#pragma once
// History: what simulated clients did and saw, in the order it happened, for the checker
// (sim/history_checker.h). Plain data; every client of a run appends to one shared History,
// which outlives client crashes and restarts (the simulator rebuilds nodes, not histories).
//
// Events follow Jepsen's convention:
//   send  invoke  the application handed a record to the producer (partition -1: the producer
//                 partitions later; completions carry the partition)
//         ok      the broker acknowledged it at `offset` (-1 with acks=0: no offset is known)
//         fail    it definitely was not written (never sent, or rejected by a definite error)
//         info    outcome unknown (a request carrying it timed out or lost its connection, then
//                 the send gave up): it may or may not be in the log
//   poll  ok      a consumer read `value` at `offset` (one event per record read)
// `op` ties a send's completion to its invoke (unique per History). `session` names one
// consumer session: a consumer incarnation until it resets a position (start, restart, offset
// reset each begin a new session); positions only move forward within a session.
//
// Serialisation: ToJsonLines() writes one JSON object per event, in history order, with keys
// in a fixed order: {"index":0,"time_ns":..,"type":"invoke","f":"send","process":..,"op":..,
// "session":..,"topic":"t","partition":0,"key":"k1"|null,"value":"p1-0","offset":-1,"error":""}.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/chunked_vector.h"

namespace samsa::client {

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
enum class EventOp : uint8_t { kSend, kPoll };

std::string_view EventTypeName(EventType type);
std::string_view EventOpName(EventOp op);

struct HistoryEvent {
  uint64_t index = 0;      // position in the history (assigned by Append)
  int64_t time_ns = 0;     // the client's local time
  EventType type = EventType::kInvoke;
  EventOp op = EventOp::kSend;
  int32_t process = -1;    // client node id (producer or consumer)
  uint64_t op_id = 0;      // sends: links invoke and completion
  uint64_t session = 0;    // polls: consumer session
  std::string topic;
  int32_t partition = -1;
  std::optional<std::string> key;
  std::string value;
  int64_t offset = -1;
  std::string error;       // fail/info: Kafka error name or client reason

  friend bool operator==(const HistoryEvent&, const HistoryEvent&) = default;
};

class History {
 public:
  // Appends `e` with its index set to the current size; returns that index.
  uint64_t Append(HistoryEvent e);
  // A fresh id for a send operation / a consumer session (1, 2, ...).
  uint64_t NewOpId() { return ++last_op_id_; }
  uint64_t NewSession() { return ++last_session_; }

  // Chunked: appends never move earlier events (a run appends millions).
  const ChunkedVector<HistoryEvent>& events() const { return events_; }
  size_t size() const { return events_.size(); }

  std::string ToJsonLines() const;

 private:
  ChunkedVector<HistoryEvent> events_;
  uint64_t last_op_id_ = 0;
  uint64_t last_session_ = 0;
};

// JSON string literal (quotes included) with control characters, quotes and backslashes escaped;
// bytes >= 0x80 pass through.
std::string JsonQuote(std::string_view s);

}  // namespace samsa::client
