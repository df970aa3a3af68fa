#pragma once
// ReplicaAssignments: the slice of the cluster metadata that partition replication acts on, as a
// plain value. It mirrors MetadataImage's topics (core/controller/metadata_image.h): topics by
// name, each with its id, configs and partitions {replicas, isr, leader, leader_epoch,
// partition_epoch}. ReplicaManager::OnMetadataUpdate(const MetadataImage&) converts an image into
// this shape; tests and tools may build it directly.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/protocol/wire.h"

namespace samsa {

struct AssignedPartition {
  int32_t partition = 0;
  std::vector<int32_t> replicas;  // assignment order
  std::vector<int32_t> isr;
  std::vector<int32_t> eligible_leaders;  // ELR (KIP-966)
  int32_t leader = -1;  // -1: offline
  int32_t leader_epoch = 0;
  int32_t partition_epoch = 0;
};

struct AssignedTopic {
  std::string name;
  Uuid id;
  std::map<int32_t, AssignedPartition> partitions;
  std::map<std::string, std::string> configs;  // topic-level overrides (min.insync.replicas)
};

struct ReplicaAssignments {
  std::map<std::string, AssignedTopic> topics;  // by name
  // Broker epochs by node id (AlterPartition v3 sends the ISR members' epochs).
  std::map<int32_t, int64_t> broker_epochs;
};

}  // namespace samsa
