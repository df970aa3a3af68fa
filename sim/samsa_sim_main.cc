// samsa-sim: runs simulated clusters. Until the simulator lands it reports its build and seams.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "samsa/build_info.h"

int main(int argc, char** argv) {
  CLI::App app{"samsa-sim: deterministic simulator for a Kafka-compatible cluster"};
  bool version = false;
  app.add_flag("--version", version, "Print the version and the seams this build has");
  CLI11_PARSE(app, argc, argv);
  fmt::print("samsa-sim {} ({}, {})\n", samsa::kVersion, samsa::kBuildType, samsa::kCompiler);
  fmt::print("seams: Node(Step/TakeReady), Disk(MemDisk; sync completes as an input), Prng(xoshiro256**, split by label)\n");
  fmt::print("formats: Kafka protocol primitives and headers, RecordBatch v2 (gzip, snappy, lz4, zstd), partition log\n");
  fmt::print("the simulator kernel, network and scenarios are not built yet (issue 3)\n");
  return 0;
}
