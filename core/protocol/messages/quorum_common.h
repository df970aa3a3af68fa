#pragma once
// Endpoint structs shared by the KRaft quorum messages (Vote, BeginQuorumEpoch, EndQuorumEpoch,
// DescribeQuorum). Their layouts are given in the header of each message that uses them:
//
//   NodeEndpoint     { node_id INT32, host COMPACT_STRING, port UINT16, tagged fields }
//   ListenerEndpoint { name COMPACT_STRING, host COMPACT_STRING, port UINT16, tagged fields }

#include <cstdint>
#include <string>
#include <vector>

#include "core/protocol/messages/message_codec.h"

namespace samsa {

struct QuorumNodeEndpoint {
  int32_t node_id = 0;
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const QuorumNodeEndpoint&, const QuorumNodeEndpoint&) = default;
};

struct QuorumListenerEndpoint {
  std::string name;
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const QuorumListenerEndpoint&, const QuorumListenerEndpoint&) = default;
};

void WriteNodeEndpoints(MessageWriter& m, const std::vector<QuorumNodeEndpoint>& v);
std::vector<QuorumNodeEndpoint> ReadNodeEndpoints(MessageReader& m);
void WriteListenerEndpoints(MessageWriter& m, const std::vector<QuorumListenerEndpoint>& v);
std::vector<QuorumListenerEndpoint> ReadListenerEndpoints(MessageReader& m);

}  // namespace samsa
