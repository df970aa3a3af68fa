// samsa-sim: runs simulated clusters.
//   samsa-sim --version
//   samsa-sim demo [--seed N] [--nodes K] [--duration-ms T] [--trace FILE] [--broken]
//       runs toy ping/pong nodes (sim/toy_nodes.h) under a random nemesis; prints the seed, the trace
//       hash and counts; exit code 1 when the checker finds a violation.
//   samsa-sim trace-diff A B
//       names the first divergent event of two trace files (exit code 1 when they differ).
//   samsa-sim run SCENARIO [--seed N] [--json REPORT] [--trace FILE] [--quiet] [--views FILE]
//       runs a scenario (scenarios/README.md): prints its captions as they happen, each
//       expectation and violation; exit 0 when all hold, 1 when one fails, 2 on bad input.
//       --views FILE.jsonl [--view-every 100ms] also writes the run as a timeline of ClusterViews
//       and events, one JSON object a line (sim/view_json.h).
//   samsa-sim inspect SCENARIO [--seed N] [--at 30s] [--events K] [--json]
//       prints the cluster at that simulated instant as tables (brokers, network, partitions
//       with LEO/HW/durable offset per replica, clients with lag) and the last K events.
//   samsa-sim session SCENARIO [--seed N] [--script FILE]
//       drives a session (sim/session.h) by commands from FILE or stdin: run, step, inject,
//       view, events, log, frames, rewind, save, hash, finish (`help` lists them).
//   samsa-sim sweep SCENARIO --seeds A..B [--jobs J] [--json REPORT] [--shard K/N | --shard auto/N]
//       runs every seed in worker processes; exit 1 if any seed failed, naming each with its
//       violation kinds and counts and the command that reproduces it. --shard K/N runs only the
//       K-th (0-based) of N contiguous slices of A..B; auto/N takes K from JOB_COMPLETION_INDEX
//       (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array, --array=0-(N-1)).
//   samsa-sim merge SHARD.json... [--json REPORT]
//       merges shard reports (sweep --json) into the report one sweep of the whole range would
//       write (wall_ms aside) and prints the same summary; refuses reports of other scenarios,
//       overlapping seeds and gaps (exit 2). docs/distributed-sweeps.md shows both at scale.
// run and sweep report violations as a count per kind plus the first 10 of each kind.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#ifdef SAMSA_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include <charconv>
#include <iostream>
#include <optional>

#include "net/os/env.h"
#include "net/os/file_util.h"
#include "net/os/subprocess.h"
#include "net/os/wall_clock.h"
#include "samsa/build_info.h"
#include "sim/cluster_factory.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/session.h"
#include "sim/view_json.h"
#include "sim/toy_nodes.h"
#include "sim/trace.h"

namespace {

void PrintVersion() {
  fmt::print("samsa-sim {} ({}, {})\n", samsa::kVersion, samsa::kBuildType, samsa::kCompiler);
  fmt::print("seams: Node(Step/TakeReady), Disk(MemDisk; sync completes as an input), Prng(xoshiro256**, split by label)\n");
  fmt::print("formats: Kafka protocol primitives and headers, RecordBatch v2 (gzip, snappy, lz4, zstd), partition log\n");
  fmt::print("simulator: kernel, trace, network (Boost.Graph), disk faults, processes, nemesis; `samsa-sim demo` runs toy nodes\n");
#ifdef SAMSA_JEMALLOC
  const char* heap = "?";
  size_t size = sizeof(heap);
  if (mallctl("version", &heap, &size, nullptr, 0) != 0) heap = "?";
  fmt::print("heap: jemalloc {} (MALLOC_CONF tunes it)\n", heap);
#else
  fmt::print("heap: the C library's malloc\n");
#endif
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
    samsa::Status s = samsa::os::WriteFileAtomically(trace_path, r.trace_text);
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

std::string Dump(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Clock(int64_t at_ns) {
  int64_t ms = at_ns / 1'000'000;
  return fmt::format("[{:>4}.{:03}s]", ms / 1000, ms % 1000);
}

// Loads and validates a scenario; prints the reason and returns nullopt on bad input.
struct Loaded {
  samsa::sim::Scenario scenario;
  std::string text;  // the file as read
};
std::optional<Loaded> Load(const std::string& path) {
  auto text = samsa::os::ReadFileToString(path);
  if (!text.ok()) {
    fmt::print(stderr, "samsa-sim: cannot read {}: {}\n", path, text.status().ToString());
    return std::nullopt;
  }
  auto scenario = samsa::sim::ParseScenario(*text, path);
  if (!scenario.ok()) {
    fmt::print(stderr, "{}\n", scenario.status().message());
    return std::nullopt;
  }
  return Loaded{std::move(*scenario), std::move(*text)};
}

// A session of a loaded scenario; prints the reason and returns nullptr when the cluster cannot
// be built.
std::unique_ptr<samsa::sim::Session> OpenSession(const Loaded& loaded, const std::string& path, uint64_t seed,
                                                 samsa::sim::RunOptions options) {
  auto session = samsa::sim::Session::Open(loaded.scenario, seed, std::move(options));
  if (!session.ok()) {
    fmt::print(stderr, "samsa-sim: {}: {}\n", path, session.status().message());
    return nullptr;
  }
  return std::move(*session);
}

struct RunArgs {
  std::string path;
  std::optional<uint64_t> seed;
  std::string json_path;
  std::string trace_path;
  std::string views_path;
  std::string view_every = "100ms";
  bool quiet = false;
};

std::string JsonLine(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int RunCommand(const RunArgs& a) {
  auto loaded = Load(a.path);
  if (!loaded) return 2;
  const samsa::sim::Scenario& sc = loaded->scenario;
  uint64_t seed = a.seed.value_or(sc.seed.value_or(1));
  fmt::print("scenario: {}\n", sc.name);
  if (!a.quiet && !sc.description.empty()) fmt::print("{}\n", sc.description);
  fmt::print("seed={}\n", seed);
  std::fflush(stdout);
  samsa::sim::RunOptions options;
  options.keep_trace = !a.trace_path.empty();
  options.wall_clock_ms = samsa::os::WallClockMs;
  if (!a.quiet)
    options.on_timeline = [](const samsa::sim::TimelineEntry& e) {
      if (e.kind == "caption") fmt::print("{} {}\n", Clock(e.at_ns), e.text);
      else fmt::print("{}   ~ {}\n", Clock(e.at_ns), e.text);
      std::fflush(stdout);
    };
  int64_t every_ns = 0;
  if (!a.views_path.empty()) {
    auto every = samsa::sim::ParseDurationNs(a.view_every);
    if (!every.ok() || *every < 1'000'000) {
      fmt::print(stderr, "samsa-sim: --view-every: expected a duration of at least 1ms (100ms, 1s), got '{}'\n",
                 a.view_every);
      return 2;
    }
    every_ns = *every;
  }
  std::unique_ptr<samsa::sim::Session> session = OpenSession(*loaded, a.path, seed, options);
  if (!session) return 2;
  std::string views;  // the --views timeline, written at the end
  size_t events_written = 0;
  auto write_events = [&](int64_t until_ns) {
    const auto& events = session->events();
    for (; events_written < events.size() && events[events_written].at_ns <= until_ns; ++events_written)
      views += JsonLine(samsa::sim::EventJson(events[events_written]));
  };
  if (every_ns > 0) {
    for (int64_t t = 0;; t = std::min(session->end_ns(), t + every_ns)) {
      session->RunUntil(t);
      write_events(t);
      views += JsonLine(samsa::sim::ViewJson(session->View()));
      if (t >= session->end_ns()) break;
    }
  }
  const samsa::sim::RunResult& r = session->Finish();
  write_events(INT64_MAX);
  fmt::print("seed={} trace_hash={}\n", r.seed, samsa::sim::HashHex(r.trace_hash));
  if (every_ns > 0) {
    samsa::Status s = samsa::os::WriteFileAtomically(a.views_path, views);
    if (!s.ok()) {
      fmt::print(stderr, "samsa-sim: cannot write views: {}\n", s.ToString());
      return 2;
    }
    fmt::print("views and events written to {} (a view every {})\n", a.views_path, a.view_every);
  }
  for (const auto& e : r.expectations)
    fmt::print("{} {}{}{}\n", e.passed ? "PASS" : "FAIL", e.name, e.detail.empty() ? "" : ": ", e.detail);
  fmt::print("{}", samsa::sim::FormatViolations(r));
  fmt::print("events={} simulated_ms={} wall_ms={} sim_speed={:.1f}x produced={} acked={} consumed={} batches={}\n",
             r.stats.events, r.stats.simulated_ms, r.stats.wall_ms, r.stats.sim_speed, r.stats.produced,
             r.stats.acked, r.stats.consumed, r.stats.batch_sends);
  if (!a.json_path.empty()) {
    samsa::Status s = samsa::os::WriteFileAtomically(a.json_path, Dump(samsa::sim::RunReportJson(r, a.path), 2) + "\n");
    if (!s.ok()) {
      fmt::print(stderr, "samsa-sim: cannot write report: {}\n", s.ToString());
      return 2;
    }
  }
  if (!a.trace_path.empty()) {
    samsa::Status s = samsa::os::WriteFileAtomically(a.trace_path, r.trace_text);
    if (!s.ok()) {
      fmt::print(stderr, "samsa-sim: cannot write trace: {}\n", s.ToString());
      return 2;
    }
  }
  if (!r.passed) {
    fmt::print("FAILED seed={}; reproduce: {}\n", r.seed, samsa::sim::ReproduceCommand(a.path, r.seed));
    return 1;
  }
  fmt::print("OK\n");
  return 0;
}

struct InspectArgs {
  std::string path;
  std::optional<uint64_t> seed;
  std::string at = "0s";
  size_t last_events = 20;
  bool json = false;
};

int InspectCommand(const InspectArgs& a) {
  auto loaded = Load(a.path);
  if (!loaded) return 2;
  auto at = samsa::sim::ParseDurationNs(a.at);
  if (!at.ok()) {
    fmt::print(stderr, "samsa-sim: --at: {}\n", at.status().message());
    return 2;
  }
  const samsa::sim::Scenario& sc = loaded->scenario;
  const int64_t end_ns = sc.run_for_ns + sc.settle_ns;
  if (*at > end_ns) {
    fmt::print(stderr, "samsa-sim: --at {}: the run ends at {} (run_for + settle)\n", a.at,
               samsa::sim::FormatDuration(end_ns));
    return 2;
  }
  const uint64_t seed = a.seed.value_or(sc.seed.value_or(1));
  std::unique_ptr<samsa::sim::Session> session = OpenSession(*loaded, a.path, seed, {});
  if (!session) return 2;
  session->RunUntil(*at);
  samsa::view::ClusterView view = session->View();
  if (a.json) {
    fmt::print("{}", JsonLine(samsa::sim::ViewJson(view)));
    for (const auto& e : session->events()) fmt::print("{}", JsonLine(samsa::sim::EventJson(e)));
    return 0;
  }
  fmt::print("scenario: {}  seed={}  trace_hash={} (at {})  view_hash={}\n", sc.name, seed,
             samsa::sim::HashHex(session->trace_hash()), a.at, samsa::sim::HashHex(samsa::sim::ViewHash(view)));
  fmt::print("{}", samsa::sim::FormatViewTables(view, session->events(), a.last_events));
  return 0;
}

bool ParseInt(std::string_view text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

struct SessionArgs {
  std::string path;
  std::optional<uint64_t> seed;
  std::string script = "-";
};

constexpr const char* kSessionHelp = R"(commands (one a line; # starts a comment):
  run T            run until simulated time T (30s, 1500ms); `run +D` runs for D more
  step [N]         run N events (default 1)
  inject ENTRY     apply a fault or workload change now, as a scenario entry without `at`:
                   inject { crash: leader-of orders-0, for: 5s }
                   inject { set-rate: 1001, rate: 800 }
                   inject { add-consumer: orders, from: latest }
                   inject { remove-consumer: 1002 }
  view [K]         the cluster now as tables, with the last K events (default 10)
  view-json        the cluster now as one JSON line
  events [K]       the last K events (default 20)
  log NODE TOPIC-N [FROM] [MAX]
                   records of that replica's log (default from 0, at most 20)
  frames           the frames in flight now
  rewind T         back to simulated time T (re-runs the seed and the recorded injections)
  save FILE        write the scenario with this session's seed and injections
  hash             the trace hash and the view hash now
  finish           run to the end and judge the expectations
  help             this list)";

// A scripted or interactive session: commands from a file or stdin.
int SessionCommand(const SessionArgs& a) {
  auto loaded = Load(a.path);
  if (!loaded) return 2;
  const samsa::sim::Scenario& sc = loaded->scenario;
  const uint64_t seed = a.seed.value_or(sc.seed.value_or(1));
  std::unique_ptr<samsa::sim::Session> session = OpenSession(*loaded, a.path, seed, {});
  if (!session) return 2;
  std::string script;
  if (a.script != "-") {
    auto text = samsa::os::ReadFileToString(a.script);
    if (!text.ok()) {
      fmt::print(stderr, "samsa-sim: cannot read {}: {}\n", a.script, text.status().ToString());
      return 2;
    }
    script = std::move(*text);
  }
  fmt::print("session: {} seed={} (end at {}); `help` lists the commands\n", sc.name, seed,
             samsa::sim::FormatDuration(session->end_ns()));
  std::fflush(stdout);
  const std::string source = a.script == "-" ? std::string("stdin") : a.script;
  size_t pos = 0;
  int line_no = 0;
  int status = 0;
  auto next_line = [&](std::string* line) -> bool {
    if (a.script == "-") return bool(std::getline(std::cin, *line));
    if (pos >= script.size()) return false;
    size_t end = script.find('\n', pos);
    if (end == std::string::npos) end = script.size();
    *line = script.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  std::string duration_error;  // why the last duration() call failed
  auto duration = [&duration_error](std::string_view text, int64_t* out) {
    auto d = samsa::sim::ParseDurationNs(text);
    if (!d.ok()) {
      duration_error = " (" + d.status().message() + ")";
      return false;
    }
    *out = *d;
    return true;
  };
  std::string line;
  while (next_line(&line)) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string::npos && line.compare(0, 6, "inject") != 0)
      line.resize(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    line = line.substr(start);
    const std::string cmd = line.substr(0, line.find(' '));
    std::string rest = line.size() > cmd.size() ? line.substr(cmd.size() + 1) : "";
    std::vector<std::string> args;
    for (size_t i = 0; i < rest.size();) {
      size_t j = rest.find(' ', i);
      if (j == std::string::npos) j = rest.size();
      if (j > i) args.push_back(rest.substr(i, j - i));
      i = j + 1;
    }
    auto error = [&](const std::string& why) {
      fmt::print("{}:{}: {}: {}\n", source, line_no, cmd, why);
      status = 2;
    };
    const std::string now = fmt::format("[{}]", samsa::sim::FormatDuration(session->now_ns()));
    if (cmd == "help") {
      fmt::print("{}\n", kSessionHelp);
    } else if (cmd == "run") {
      int64_t t = 0;
      bool relative = !args.empty() && args[0].starts_with('+');
      duration_error.clear();
      if (args.size() != 1 || !duration(relative ? args[0].substr(1) : args[0], &t)) {
        error("expected a time: run 30s, or run +5s" + duration_error);
      } else {
        session->RunUntil(relative ? session->now_ns() + t : t);
        fmt::print("now {} (event {}){}\n", samsa::sim::FormatDuration(session->now_ns()), session->event_index(),
                   session->at_end() ? ": the run is at its end" : "");
      }
    } else if (cmd == "step") {
      int64_t n = 1;
      if (!args.empty() && (!ParseInt(args[0], &n) || n < 1)) {
        error("expected a count of events: step 10");
      } else {
        int64_t ran = 0;
        while (ran < n && session->Step()) ++ran;
        fmt::print("ran {} event(s); now {} (event {})\n", ran, samsa::sim::FormatDuration(session->now_ns()),
                   session->event_index());
      }
    } else if (cmd == "inject") {
      // Padded to where it stands in the script, so that errors name its line and column.
      const std::string placed = std::string(size_t(line_no - 1), '\n') + std::string(start + cmd.size() + 1, ' ') + rest;
      auto entry = samsa::sim::ParseScheduleEntry(placed, sc, source);
      if (!entry.ok()) {
        fmt::print("{}\n", entry.status().message());
        status = 2;
      } else if (samsa::Status st = session->Inject(*entry); !st.ok()) {
        error(st.message());
      } else {
        fmt::print("{} injected: {}\n", now, samsa::sim::FaultStepToYaml(session->injections().back()));
      }
    } else if (cmd == "view") {
      int64_t k = 10;
      if (!args.empty() && !ParseInt(args[0], &k)) k = 10;
      fmt::print("{}", samsa::sim::FormatViewTables(session->View(), session->events(), size_t(std::max<int64_t>(k, 0))));
    } else if (cmd == "view-json") {
      fmt::print("{}", JsonLine(samsa::sim::ViewJson(session->View())));
    } else if (cmd == "events") {
      int64_t k = 20;
      if (!args.empty() && !ParseInt(args[0], &k)) k = 20;
      const auto& events = session->events();
      size_t from = events.size() > size_t(std::max<int64_t>(k, 0)) ? events.size() - size_t(k) : 0;
      for (size_t i = from; i < events.size(); ++i) fmt::print("{}\n", samsa::sim::FormatEventLine(events[i]));
    } else if (cmd == "log") {
      int64_t node = 0, from = 0, max = 20;
      samsa::Result<samsa::sim::FaultTarget> target =
          args.size() >= 2 ? samsa::sim::ParseTarget("leader-of " + args[1]) : samsa::Status::InvalidArgument("");
      if (args.size() < 2 || !ParseInt(args[0], &node) || !target.ok() ||
          (args.size() >= 3 && !ParseInt(args[2], &from)) ||
          (args.size() >= 4 && !ParseInt(args[3], &max))) {
        error("expected: log NODE TOPIC-N [FROM] [MAX]");
      } else {
        auto records = session->ReadLog(int32_t(node), target->partition, from, size_t(std::max<int64_t>(max, 0)));
        if (!records.ok()) {
          error(records.status().message());
        } else {
          for (const auto& r : *records)
            fmt::print("  offset {:>7}  epoch {:>3}  ts {}  key {}  value {}\n", r.offset, r.batch_leader_epoch,
                       r.timestamp_ms, r.has_key ? r.key : "null", r.has_value ? r.value : "null");
          fmt::print("{} record(s)\n", records->size());
        }
      }
    } else if (cmd == "frames") {
      auto frames = session->FramesInFlight();
      for (const auto& f : frames)
        fmt::print("  {} -> {}  {} {}  corr {}  {} bytes  arrives {}\n", f.from, f.to, f.request ? "request " : "response",
                   f.api.empty() ? "-" : f.api, f.correlation_id, f.bytes, samsa::sim::FormatDuration(f.deliver_at_ns));
      fmt::print("{} frame(s) in flight\n", frames.size());
    } else if (cmd == "rewind") {
      int64_t t = 0;
      duration_error.clear();
      if (args.size() != 1 || !duration(args[0], &t)) {
        error("expected a time: rewind 10s" + duration_error);
      } else if (samsa::Status st = session->Rewind(t); !st.ok()) {
        error(st.message());
      } else {
        fmt::print("now {} (event {}), trace_hash={}\n", samsa::sim::FormatDuration(session->now_ns()),
                   session->event_index(), samsa::sim::HashHex(session->trace_hash()));
      }
    } else if (cmd == "save") {
      if (args.size() != 1) {
        error("expected a file: save session.yaml");
      } else if (auto text = session->SaveYaml(loaded->text); !text.ok()) {
        error(text.status().message());
      } else if (samsa::Status st = samsa::os::WriteFileAtomically(args[0], *text); !st.ok()) {
        error(st.ToString());
      } else {
        fmt::print("saved to {} ({} injection(s)); replay: samsa-sim run {}\n", args[0], session->injections().size(),
                   args[0]);
      }
    } else if (cmd == "hash") {
      fmt::print("{} trace_hash={} view_hash={}\n", now, samsa::sim::HashHex(session->trace_hash()),
                 samsa::sim::HashHex(samsa::sim::ViewHash(session->View())));
    } else if (cmd == "finish") {
      const samsa::sim::RunResult& r = session->Finish();
      fmt::print("seed={} trace_hash={}\n", r.seed, samsa::sim::HashHex(r.trace_hash));
      for (const auto& e : r.expectations)
        fmt::print("{} {}{}{}\n", e.passed ? "PASS" : "FAIL", e.name, e.detail.empty() ? "" : ": ", e.detail);
      if (!r.passed && status == 0) status = 1;
    } else {
      error("unknown command (help lists them)");
    }
    std::fflush(stdout);
  }
  return status;
}

struct SweepArgs {
  std::string path;
  std::string seeds;
  std::string shard;  // "K/N", "auto/N" or "" (not sharded)
  int jobs = 1;
  std::string json_path;
};

// The environment variables `--shard auto/N` reads the 0-based shard index from, in this order.
constexpr const char* kShardIndexVars[] = {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"};

// Parses --shard K/N or auto/N; on error prints why (naming the value) and returns false.
bool ParseShard(const std::string& text, uint64_t* index, uint64_t* count, std::string* source) {
  auto number = [](std::string_view s, uint64_t* out) {
    if (s.empty() || s.size() > 7) return false;  // sweeps take at most a million seeds
    uint64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + uint64_t(c - '0');
    }
    *out = v;
    return true;
  };
  size_t slash = text.find('/');
  std::string_view k = std::string_view(text).substr(0, slash);
  if (slash == std::string::npos || !number(std::string_view(text).substr(slash + 1), count) || *count == 0) {
    fmt::print(stderr,
               "samsa-sim: --shard: expected K/N (shard K of N, K from 0 to N-1) or auto/N (K from "
               "JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID), N from 1 to 1000000; got '{}'\n",
               text);
    return false;
  }
  if (k != "auto") {
    if (!number(k, index)) {
      fmt::print(stderr, "samsa-sim: --shard {}: the shard index '{}' is not a number (or `auto`)\n", text, k);
      return false;
    }
    return true;
  }
  std::string found_var, found_value;
  for (const char* var : kShardIndexVars) {
    std::optional<std::string> v = samsa::os::GetEnv(var);
    if (!v || v->empty()) continue;
    if (!found_var.empty() && *v != found_value) {
      fmt::print(stderr, "samsa-sim: --shard {}: {}={} and {}={} disagree; unset one\n", text, found_var, found_value,
                 var, *v);
      return false;
    }
    if (found_var.empty()) {
      found_var = var;
      found_value = *v;
    }
  }
  if (found_var.empty()) {
    fmt::print(stderr,
               "samsa-sim: --shard {}: neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor "
               "SLURM_ARRAY_TASK_ID (a Slurm array) is set; give the index: --shard K/{}\n",
               text, *count);
    return false;
  }
  if (!number(found_value, index)) {
    fmt::print(stderr, "samsa-sim: --shard {}: {}='{}' is not a shard index (a number from 0)\n", text, found_var,
               found_value);
    return false;
  }
  *source = found_var + "=" + found_value;
  return true;
}

int SweepCommand(const SweepArgs& a) {
  auto range = samsa::sim::ParseSeedRange(a.seeds);
  if (!range || range->second - range->first >= 1'000'000) {
    fmt::print(
        stderr,
        "samsa-sim: --seeds: expected A..B (seeds from 0 to {}, A <= B, at most a million of them) or N, got '{}'\n",
        samsa::sim::kMaxSeed, a.seeds);
    return 2;
  }
  samsa::sim::SweepSpec spec;
  spec.first_seed = range->first;
  spec.last_seed = range->second;
  std::string shard_source;
  if (!a.shard.empty()) {
    uint64_t index = 0, count = 0;
    if (!ParseShard(a.shard, &index, &count, &shard_source)) return 2;
    auto slice = samsa::sim::ShardRange(range->first, range->second, index, count);
    if (!slice.ok()) {
      fmt::print(stderr, "samsa-sim: --shard {}{}: {}\n", a.shard,
                 shard_source.empty() ? "" : " (" + shard_source + ")", slice.status().message());
      return 2;
    }
    spec.shard_index = index;
    spec.shard_count = count;
    spec.of_first = range->first;
    spec.of_last = range->second;
    spec.first_seed = slice->first;
    spec.last_seed = slice->second;
  }
  const uint64_t first = spec.first_seed, last = spec.last_seed;
  auto loaded = Load(a.path);
  if (!loaded) return 2;
  const samsa::sim::Scenario& sc = loaded->scenario;
  spec.scenario_name = sc.name;
  spec.scenario_path = a.path;
  spec.scenario_hash = samsa::sim::ScenarioHash(loaded->text);
  const int64_t count = int64_t(last - first + 1);
  if (spec.shard_count > 0)
    fmt::print("shard {}/{}{} of seeds {}..{}: seeds {}..{}\n", spec.shard_index, spec.shard_count,
               shard_source.empty() ? "" : " (" + shard_source + ")", spec.of_first, spec.of_last, first, last);
  fmt::print("sweep: {} seeds {}..{} ({} runs, {} job(s))\n", sc.name, first, last, count, a.jobs);
  std::fflush(stdout);
  const bool tty = samsa::os::IsTerminal(2);
  const int64_t start_ms = samsa::os::WallClockMs();
  int64_t last_line_ms = start_ms;
  std::vector<samsa::sim::SeedSummary> results;
  int64_t failed = 0;
  auto work = [&](int64_t i) {
    samsa::sim::RunOptions options;
    options.wall_clock_ms = samsa::os::WallClockMs;
    std::unique_ptr<samsa::sim::ClusterFactory> factory = samsa::sim::MakeClusterFactory(sc);
    samsa::sim::RunResult r = samsa::sim::RunScenario(sc, first + uint64_t(i), *factory, options);
    return Dump(samsa::sim::RunSummaryJson(r)) + "\n";
  };
  auto on_done = [&](const samsa::os::WorkerResult& w) {
    samsa::sim::SeedSummary s;
    s.seed = first + uint64_t(w.index);
    nlohmann::json j = nlohmann::json::parse(w.output, nullptr, /*allow_exceptions=*/false);
    if (!w.ok || j.is_discarded() || !j.is_object()) {
      s.crashed = true;
      s.summary = {{"seed", s.seed}, {"passed", false}, {"error", w.ok ? "unreadable result" : "worker " + w.failure}};
    } else {
      s.passed = j.value("passed", false);
      s.summary = std::move(j);
    }
    if (!s.passed) ++failed;
    results.push_back(std::move(s));
    int64_t done = int64_t(results.size());
    int64_t now_ms = samsa::os::WallClockMs();
    if (tty) {
      constexpr int kWidth = 40;
      int filled = int(done * kWidth / count);
      fmt::print(stderr, "\r[{}{}] {}/{} failed={} ", std::string(size_t(filled), '#'),
                 std::string(size_t(kWidth - filled), '.'), done, count, failed);
      if (done == count) fmt::print(stderr, "\n");
    } else if (done == count || now_ms - last_line_ms >= 5000 || done % std::max<int64_t>(1, count / 10) == 0) {
      fmt::print(stderr, "sweep: {}/{} done, {} failed\n", done, count, failed);
      last_line_ms = now_ms;
    }
    std::fflush(stderr);
  };
  samsa::Status st = samsa::os::RunInForkedWorkers(count, a.jobs, work, on_done);
  if (!st.ok()) {
    fmt::print(stderr, "samsa-sim: sweep: {}\n", st.ToString());
    return 2;
  }
  const int64_t wall_ms = samsa::os::WallClockMs() - start_ms;
  nlohmann::json report = samsa::sim::SweepReportJson(spec, results, wall_ms);
  fmt::print("{}", samsa::sim::SweepSummaryText(report));
  if (!a.json_path.empty()) {
    samsa::Status s = samsa::os::WriteFileAtomically(a.json_path, Dump(report, 2) + "\n");
    if (!s.ok()) {
      fmt::print(stderr, "samsa-sim: cannot write report: {}\n", s.ToString());
      return 2;
    }
  }
  return failed == 0 ? 0 : 1;
}

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string json_path;
};

// Merges shard sweep reports into the report of one sweep of their whole range; prints what
// `sweep` prints at the end. Exit 0 when every seed passed, 1 when one failed, 2 on bad input.
int MergeCommand(const MergeArgs& a) {
  std::vector<samsa::sim::SweepInput> inputs;
  for (const std::string& path : a.inputs) {
    auto text = samsa::os::ReadFileToString(path);
    if (!text.ok()) {
      fmt::print(stderr, "samsa-sim: merge: cannot read {}: {}\n", path, text.status().ToString());
      return 2;
    }
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      fmt::print(stderr, "samsa-sim: merge: {}: not JSON (expected a report of `samsa-sim sweep --json`)\n", path);
      return 2;
    }
    inputs.push_back({path, std::move(j)});
  }
  auto merged = samsa::sim::MergeSweepReports(inputs);
  if (!merged.ok()) {
    fmt::print(stderr, "samsa-sim: merge: {}\n", merged.status().message());
    return 2;
  }
  fmt::print("{}", samsa::sim::SweepSummaryText(*merged));
  if (!a.json_path.empty()) {
    samsa::Status s = samsa::os::WriteFileAtomically(a.json_path, Dump(*merged, 2) + "\n");
    if (!s.ok()) {
      fmt::print(stderr, "samsa-sim: cannot write report: {}\n", s.ToString());
      return 2;
    }
  }
  return merged->value("failed", uint64_t(0)) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // A seed option takes what a scenario's `seed:` takes (CLI11 alone would turn -1 into 2^64-1).
  const CLI::Validator kSeedCheck([](const std::string& s) { return samsa::sim::SeedError(s); }, "SEED");
  CLI::App app{"samsa-sim: deterministic simulator for a Kafka-compatible cluster"};
  bool version = false;
  app.add_flag("--version", version, "Print the version and the seams this build has");

  samsa::sim::DemoOptions demo;
  std::string trace_path;
  CLI::App* demo_cmd = app.add_subcommand("demo", "Run toy ping/pong nodes under a random nemesis");
  demo_cmd->add_option("--seed", demo.seed, "Run seed")->check(kSeedCheck);
  demo_cmd->add_option("--nodes", demo.nodes, "Number of nodes")->check(CLI::Range(2, 64));
  demo_cmd->add_option("--duration-ms", demo.duration_ms, "Simulated duration (ms)")->check(CLI::Range(100, 3'600'000));
  demo_cmd->add_option("--trace", trace_path, "Write the trace (one event a line) to FILE");
  demo_cmd->add_flag("--broken", demo.broken, "Use nodes that acknowledge before their sync completes");

  std::string diff_a, diff_b;
  CLI::App* diff_cmd = app.add_subcommand("trace-diff", "Name the first divergent event of two trace files");
  diff_cmd->add_option("a", diff_a)->required();
  diff_cmd->add_option("b", diff_b)->required();

  RunArgs run;
  uint64_t run_seed = 0;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario file");
  run_cmd->add_option("scenario", run.path, "Scenario YAML file")->required();
  CLI::Option* seed_opt =
      run_cmd->add_option("--seed", run_seed, "Run seed (default: the scenario's seed, else 1)")->check(kSeedCheck);
  run_cmd->add_option("--json", run.json_path, "Write the JSON report to REPORT");
  run_cmd->add_option("--trace", run.trace_path, "Write the trace (one event a line) to FILE");
  run_cmd->add_flag("--quiet", run.quiet, "Print only the result, not the captions and faults");

  run_cmd->add_option("--views", run.views_path, "Write views and events as a JSON-lines timeline to FILE");
  run_cmd->add_option("--view-every", run.view_every, "Simulated time between two views in --views (default 100ms)");

  InspectArgs inspect;
  uint64_t inspect_seed = 0;
  CLI::App* inspect_cmd = app.add_subcommand("inspect", "Print the cluster of a scenario at one simulated instant");
  inspect_cmd->add_option("scenario", inspect.path, "Scenario YAML file")->required();
  CLI::Option* inspect_seed_opt =
      inspect_cmd->add_option("--seed", inspect_seed, "Run seed (default: the scenario's seed, else 1)")
          ->check(kSeedCheck);
  inspect_cmd->add_option("--at", inspect.at, "The instant (30s, 1500ms; default 0s)");
  inspect_cmd->add_option("--events", inspect.last_events, "How many of the last events to list (default 20)");
  inspect_cmd->add_flag("--json", inspect.json, "Print the view and every event so far as JSON lines instead");

  SessionArgs session_args;
  uint64_t session_seed = 0;
  CLI::App* session_cmd =
      app.add_subcommand("session", "Drive a session of a scenario by commands (run, step, inject, view, rewind, save...)");
  session_cmd->add_option("scenario", session_args.path, "Scenario YAML file")->required();
  CLI::Option* session_seed_opt =
      session_cmd->add_option("--seed", session_seed, "Run seed (default: the scenario's seed, else 1)")
          ->check(kSeedCheck);
  session_cmd->add_option("--script", session_args.script, "Read the commands from FILE (default: stdin, `-`)");
  session_cmd->footer(kSessionHelp);

  SweepArgs sweep;
  CLI::App* sweep_cmd = app.add_subcommand("sweep", "Run a scenario over a range of seeds");
  sweep_cmd->add_option("scenario", sweep.path, "Scenario YAML file")->required();
  sweep_cmd->add_option("--seeds", sweep.seeds, "Seeds A..B (inclusive)")->required();
  sweep_cmd->add_option("--jobs", sweep.jobs, "Worker processes")->check(CLI::Range(1, 256));
  sweep_cmd->add_option("--json", sweep.json_path, "Write the JSON sweep report to REPORT");
  sweep_cmd->add_option("--shard", sweep.shard,
                        "Run only shard K/N of the seeds (K from 0 to N-1; contiguous slices); auto/N takes K from "
                        "JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID");

  MergeArgs merge;
  CLI::App* merge_cmd =
      app.add_subcommand("merge", "Merge shard sweep reports into the report of one sweep of the whole range");
  merge_cmd->add_option("reports", merge.inputs, "Sweep reports (sweep --json) of the shards")->required();
  merge_cmd->add_option("--json", merge.json_path, "Write the merged JSON sweep report to REPORT");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // prints help or the usage error
    return rc == 0 ? 0 : 2;
  }
  if (*run_cmd) {
    if (seed_opt->count() > 0) run.seed = run_seed;
    return RunCommand(run);
  }
  if (*sweep_cmd) return SweepCommand(sweep);
  if (*merge_cmd) return MergeCommand(merge);
  if (*session_cmd) {
    if (session_seed_opt->count() > 0) session_args.seed = session_seed;
    return SessionCommand(session_args);
  }
  if (*inspect_cmd) {
    if (inspect_seed_opt->count() > 0) inspect.seed = inspect_seed;
    return InspectCommand(inspect);
  }
  if (*demo_cmd) return RunDemoCommand(demo, trace_path);
  if (*diff_cmd) {
    auto a = samsa::os::ReadFileToString(diff_a);
    auto b = samsa::os::ReadFileToString(diff_b);
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
