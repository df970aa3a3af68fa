#include "core/protocol/messages/quorum_common.h"

namespace samsa {

void WriteNodeEndpoints(MessageWriter& m, const std::vector<QuorumNodeEndpoint>& v) {
  m.Array(v, [&](const QuorumNodeEndpoint& e) {
    m.Int32(e.node_id);
    m.String(e.host);
    m.Uint16(e.port);
    m.EmptyTags();
  });
}

std::vector<QuorumNodeEndpoint> ReadNodeEndpoints(MessageReader& m) {
  return m.Array<QuorumNodeEndpoint>("node_endpoints", 7, [&](QuorumNodeEndpoint* e) {
    e->node_id = m.Int32("node_id");
    e->host = m.String("host");
    e->port = m.Uint16("port");
    m.Tags(nullptr);
  });
}

void WriteListenerEndpoints(MessageWriter& m, const std::vector<QuorumListenerEndpoint>& v) {
  m.Array(v, [&](const QuorumListenerEndpoint& e) {
    m.String(e.name);
    m.String(e.host);
    m.Uint16(e.port);
    m.EmptyTags();
  });
}

std::vector<QuorumListenerEndpoint> ReadListenerEndpoints(MessageReader& m) {
  return m.Array<QuorumListenerEndpoint>("listeners", 4, [&](QuorumListenerEndpoint* e) {
    e->name = m.String("name");
    e->host = m.String("host");
    e->port = m.Uint16("port");
    m.Tags(nullptr);
  });
}

}  // namespace samsa
