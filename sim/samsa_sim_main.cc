// samsa-sim: runs simulated clusters.
//   samsa-sim --version
//   samsa-sim demo [--seed N] [--nodes K] [--duration-ms T] [--trace FILE] [--broken]
//       runs toy ping/pong nodes (sim/toy_nodes.h) under a random nemesis; prints the seed, the trace
//       hash and counts; exit code 1 when the checker finds a violation.
//   samsa-sim trace-diff A B
//       names the first divergent event of two trace files (exit code 1 when they differ).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "net/file_util.h"
#include "samsa/build_info.h"
#include "sim/toy_nodes.h"
#include "sim/trace.h"

namespace {

void PrintVersion() {
  fmt::print("samsa-sim {} ({}, {})\n", samsa::kVersion, samsa::kBuildType, samsa::kCompiler);
  fmt::print("seams: Node(Step/TakeReady), Disk(MemDisk; sync completes as an input), Prng(xoshiro256**, split by label)\n");
  fmt::print("formats: Kafka protocol primitives and headers, RecordBatch v2 (gzip, snappy, lz4, zstd), partition log\n");
  fmt::print("simulator: kernel, trace, network (Boost.Graph), disk faults, processes, nemesis; `samsa-sim demo` runs toy nodes\n");
}

int RunDemoCommand(const samsa::sim::DemoOptions& options, const std::string& trace_path) {
  samsa::sim::DemoOptions o = options;
  o.keep_trace_records = !trace_path.empty();
  samsa::sim::DemoResult r = samsa::sim::RunDemo(o);
  fmt::print("seed={} trace_hash={}\n", r.seed, samsa::sim::HashHex(r.trace_hash));
  fmt::print("events={} trace_records={} faults={} frames_delivered={} frames_dropped={} timers={} syncs={} "
             "crashes={} restarts={} acks={}\n",
             r.events, r.trace_records, r.faults, r.stats.frames_delivered, r.stats.frames_dropped,
             r.stats.timers_fired, r.stats.syncs_done, r.stats.crashes, r.stats.restarts, r.acks);
  if (!trace_path.empty()) {
    samsa::Status s = samsa::net::WriteFileAtomically(trace_path, r.trace_text);
    if (!s.ok()) {
      fmt::print(stderr, "cannot write trace: {}\n", s.ToString());
      return 2;
    }
    fmt::print("trace written to {}\n", trace_path);
  }
  for (const auto& v : r.violations) fmt::print("VIOLATION: {}\n", v);
  if (!r.violations.empty()) {
    fmt::print("FAILED seed={}; reproduce: samsa-sim demo{} --seed {} --nodes {} --duration-ms {}\n", r.seed,
               o.broken ? " --broken" : "", r.seed, o.nodes, o.duration_ms);
    return 1;
  }
  fmt::print("OK\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"samsa-sim: deterministic simulator for a Kafka-compatible cluster"};
  bool version = false;
  app.add_flag("--version", version, "Print the version and the seams this build has");

  samsa::sim::DemoOptions demo;
  std::string trace_path;
  CLI::App* demo_cmd = app.add_subcommand("demo", "Run toy ping/pong nodes under a random nemesis");
  demo_cmd->add_option("--seed", demo.seed, "Run seed");
  demo_cmd->add_option("--nodes", demo.nodes, "Number of nodes")->check(CLI::Range(2, 64));
  demo_cmd->add_option("--duration-ms", demo.duration_ms, "Simulated duration (ms)")->check(CLI::Range(100, 3'600'000));
  demo_cmd->add_option("--trace", trace_path, "Write the trace (one event a line) to FILE");
  demo_cmd->add_flag("--broken", demo.broken, "Use nodes that acknowledge before their sync completes");

  std::string diff_a, diff_b;
  CLI::App* diff_cmd = app.add_subcommand("trace-diff", "Name the first divergent event of two trace files");
  diff_cmd->add_option("a", diff_a)->required();
  diff_cmd->add_option("b", diff_b)->required();

  CLI11_PARSE(app, argc, argv);
  if (*demo_cmd) return RunDemoCommand(demo, trace_path);
  if (*diff_cmd) {
    auto a = samsa::net::ReadFileToString(diff_a);
    auto b = samsa::net::ReadFileToString(diff_b);
    if (!a.ok() || !b.ok()) {
      fmt::print(stderr, "{}\n", (!a.ok() ? a.status() : b.status()).ToString());
      return 2;
    }
    std::string report = samsa::sim::Trace::DescribeDivergence(*a, *b);
    fmt::print("{}{}", report, report.back() == '\n' ? "" : "\n");
    return report == "identical" ? 0 : 1;
  }
  PrintVersion();
  return 0;
}
