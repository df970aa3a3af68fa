// Session rewinds (sim/session.h): bench-reference, seed 1, run to 60s once, then each iteration
// rewinds to 10s, 30s or 59s (re-running the same seed and recorded injections to that instant).
// Target: each rewind under 1 s of wall time (median of 5: scripts/bench-rewind.sh).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "net/os/file_util.h"
#include "sim/scenario.h"
#include "sim/session.h"

namespace samsa::sim {
namespace {

std::unique_ptr<Session> BenchReferenceAt60s() {
  const std::string path = std::string(SAMSA_SOURCE_DIR) + "/scenarios/bench-reference.yaml";
  Result<std::string> text = os::ReadFileToString(path);
  if (!text.ok()) return nullptr;
  Result<Scenario> scenario = ParseScenario(*text, path);
  if (!scenario.ok()) return nullptr;
  Result<std::unique_ptr<Session>> session = Session::Open(*scenario, 1);
  if (!session.ok()) return nullptr;
  (*session)->RunUntil(60'000'000'000);
  return std::move(*session);
}

void BM_SessionRewind(benchmark::State& state) {
  std::unique_ptr<Session> session = BenchReferenceAt60s();
  if (session == nullptr) {
    state.SkipWithError("cannot open scenarios/bench-reference.yaml");
    return;
  }
  const int64_t to_ns = state.range(0) * 1'000'000'000;
  for (auto _ : state) {
    state.PauseTiming();
    session->RunUntil(60'000'000'000);  // back where a user would be
    state.ResumeTiming();
    if (!session->Rewind(to_ns).ok()) state.SkipWithError("rewind failed");
  }
  state.counters["events"] = double(session->event_index());
}
BENCHMARK(BM_SessionRewind)->Arg(10)->Arg(30)->Arg(59)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace samsa::sim
