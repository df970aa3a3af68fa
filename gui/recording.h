#pragma once
// Recording: a session and the curves sampled from it, every kSampleIntervalNs of simulated time
// (per partition: the high watermark, the leader's durable offset and the ISR size; per consumer:
// its position in each partition and its total lag). The lag chart draws them, and two branches'
// recordings are overlaid. Advancing goes through AdvanceTo, which samples on the way and can stop
// at a lesson caption (`pause: true`). Plain C++ (no Qt): the worker thread and the headless
// screenshot path both use it.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/view/cluster_view.h"
#include "sim/session.h"

namespace samsa::gui {

inline constexpr int64_t kSampleIntervalNs = 100'000'000;

struct PartitionSample {
  int64_t high_watermark = -1;  // the leader's; -1 while offline
  int64_t durable = -1;         // the leader's durable (flushed) offset; -1 while offline
  int32_t isr_size = 0;
  std::vector<std::pair<int32_t, int64_t>> log_ends;  // (broker, log end offset) of each online replica
};

struct ConsumerSample {
  int32_t id = -1;
  int64_t lag = -1;                                  // summed over its partitions; -1 unknown
  std::vector<std::pair<int32_t, int64_t>> positions;  // (partition index, next offset)
};

struct Sample {
  int64_t at_ns = 0;
  int64_t total_lag = -1;       // every consumer's lag summed; -1 while none is known
  int32_t isr_total = 0;        // ISR sizes summed over every partition
  int32_t under_replicated = 0;
  std::vector<PartitionSample> partitions;  // in PartitionNames order
  std::vector<ConsumerSample> consumers;    // by id
};

// "topic-N" of every partition of `view`, in the order a Sample stores them.
std::vector<std::string> PartitionNames(const view::ClusterView& view);
Sample SampleOf(const view::ClusterView& view);

class Recording {
 public:
  // `samples`: those already taken of this run (a branch inherits its parent's up to the branch
  // point); the rest are taken from now on.
  explicit Recording(std::unique_ptr<sim::Session> session, std::vector<Sample> samples = {});
  sim::Session& session() { return *session_; }
  const sim::Session& session() const { return *session_; }
  const std::vector<Sample>& samples() const { return samples_; }
  const std::vector<std::string>& partition_names() const { return partition_names_; }

  // Runs to t (capped at the end), sampling on the way. With stop_at_captions, stops early at the
  // first caption marked `pause: true` due after now; returns whether it stopped at one.
  // Reaching the end finishes the session (sim::Session::Finish): the history check runs and the
  // verdicts and the violations it finds join the events, as at the end of `samsa-sim run`.
  bool AdvanceTo(int64_t t_ns, bool stop_at_captions = false);
  // Runs one event (sampling if it crossed a sample instant); false when nothing is due before
  // the end, which finishes the session as AdvanceTo does.
  bool Step();
  // Back to t: rewinds the session and drops the samples after t. Forward: AdvanceTo.
  Status SeekTo(int64_t t_ns);
  // A new recording at t holding this one's injections and samples up to t.
  Result<std::unique_ptr<Recording>> Branch(int64_t t_ns) const;

 private:
  void SampleDue();

  std::unique_ptr<sim::Session> session_;
  std::vector<Sample> samples_;
  std::vector<std::string> partition_names_;
};

}  // namespace samsa::gui
