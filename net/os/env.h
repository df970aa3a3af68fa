#pragma once
// Environment variables, for tools (sim/ may not read the environment: samsa-sim reads the shard
// index of a Kubernetes Indexed Job or a Slurm array through here).

#include <optional>
#include <string>

namespace samsa::os {

// The variable's value; nullopt when it is not set.
std::optional<std::string> GetEnv(const char* name);

}  // namespace samsa::os
