#include "core/client/history.h"

#include <cstdio>

namespace samsa::client {

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kInvoke:
      return "invoke";
    case EventType::kOk:
      return "ok";
    case EventType::kFail:
      return "fail";
    case EventType::kInfo:
      return "info";
  }
  return "?";
}

std::string_view EventOpName(EventOp op) { return op == EventOp::kSend ? "send" : "poll"; }

uint64_t History::Append(HistoryEvent e) {
  e.index = events_.size();
  events_.push_back(std::move(e));
  return events_.back().index;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string History::ToJsonLines() const {
  std::string out;
  for (const HistoryEvent& e : events_) {
    out += "{\"index\":" + std::to_string(e.index);
    out += ",\"time_ns\":" + std::to_string(e.time_ns);
    out += ",\"type\":" + JsonQuote(EventTypeName(e.type));
    out += ",\"f\":" + JsonQuote(EventOpName(e.op));
    out += ",\"process\":" + std::to_string(e.process);
    out += ",\"op\":" + std::to_string(e.op_id);
    out += ",\"session\":" + std::to_string(e.session);
    out += ",\"topic\":" + JsonQuote(e.topic);
    out += ",\"partition\":" + std::to_string(e.partition);
    out += ",\"key\":" + (e.key ? JsonQuote(*e.key) : std::string("null"));
    out += ",\"value\":" + JsonQuote(e.value);
    out += ",\"offset\":" + std::to_string(e.offset);
    out += ",\"error\":" + JsonQuote(e.error);
    out += "}\n";
  }
  return out;
}

}  // namespace samsa::client
