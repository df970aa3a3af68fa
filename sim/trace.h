#pragma once
// Trace: what a run did, as a list of records and a running 64-bit hash.
//
// Every event the simulator delivers (an input to a node, a fault, a crash or restart) becomes one
// record {time_ns, node, kind, summary}. The hash folds each record in as it is added (FNV-1a over
// the little-endian time, the node, the kind and the summary, each field terminated), so two runs
// with equal hashes delivered the same events at the same instants. Records can be kept (for
// files and diffs) or dropped (hash only, for speed).
//
// Text form, one record a line:   <time_ns> <node> <kind> <summary>\n
// The text is produced here; writing it to a file is the caller's business (samsa-sim uses
// net/os/file_util.h), since sim/ performs no file I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::sim {

struct TraceRecord {
  int64_t time_ns = 0;
  int32_t node = -1;  // node id, or -1 for simulation-wide records
  std::string kind;
  std::string summary;

  std::string ToLine() const;  // without the newline
  friend bool operator==(const TraceRecord&, const TraceRecord&) = default;
};

class Trace {
 public:
  static constexpr uint64_t kHashSeed = 0xcbf29ce484222325ULL;

  explicit Trace(bool keep_records = true) : keep_records_(keep_records) {}

  void Record(int64_t time_ns, int32_t node, std::string_view kind, std::string_view summary);

  uint64_t hash() const { return hash_; }
  uint64_t size() const { return count_; }
  bool keep_records() const { return keep_records_; }
  void set_keep_records(bool keep) { keep_records_ = keep; }
  const std::vector<TraceRecord>& records() const { return records_; }

  // The kept records as text, one line each.
  std::string ToText() const;

  // Index of the first record where a and b differ (including one being a prefix of the other),
  // or nullopt when they are equal. Works on kept records.
  static std::optional<size_t> FirstDivergence(const Trace& a, const Trace& b);
  // The same over the text form (for trace files): index of the first differing line.
  static std::optional<size_t> FirstDivergentLine(std::string_view a, std::string_view b);
  // Human-readable report of the first divergence of two texts ("identical" if none).
  static std::string DescribeDivergence(std::string_view a, std::string_view b);

 private:
  bool keep_records_;
  uint64_t hash_ = kHashSeed;
  uint64_t count_ = 0;
  std::vector<TraceRecord> records_;
};

// "0x" + 16 lowercase hex digits.
std::string HashHex(uint64_t hash);

}  // namespace samsa::sim
