#include "sim/trace.h"

#include <fmt/core.h>

namespace samsa::sim {

namespace {
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

inline uint64_t FoldByte(uint64_t h, uint8_t b) { return (h ^ b) * kFnvPrime; }
inline uint64_t FoldU64(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; ++i) h = FoldByte(h, uint8_t(v >> (8 * i)));
  return h;
}
inline uint64_t FoldString(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = FoldByte(h, c);
  return FoldByte(h, 0);  // terminator: ("ab","c") and ("a","bc") hash differently
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}
}  // namespace

std::string TraceRecord::ToLine() const {
  return fmt::format("{} {} {} {}", time_ns, node, kind, summary);
}

void Trace::Record(int64_t time_ns, int32_t node, std::string_view kind, std::string_view summary) {
  uint64_t h = FoldU64(hash_, uint64_t(time_ns));
  h = FoldU64(h, uint64_t(uint32_t(node)));
  h = FoldString(h, kind);
  hash_ = FoldString(h, summary);
  ++count_;
  if (keep_records_) records_.push_back({time_ns, node, std::string(kind), std::string(summary)});
}

std::string Trace::ToText() const {
  std::string out;
  for (const auto& r : records_) {
    out += r.ToLine();
    out += '\n';
  }
  return out;
}

std::optional<size_t> Trace::FirstDivergence(const Trace& a, const Trace& b) {
  size_t n = std::min(a.records_.size(), b.records_.size());
  for (size_t i = 0; i < n; ++i)
    if (!(a.records_[i] == b.records_[i])) return i;
  if (a.records_.size() != b.records_.size()) return n;
  return std::nullopt;
}

std::optional<size_t> Trace::FirstDivergentLine(std::string_view a, std::string_view b) {
  auto la = SplitLines(a);
  auto lb = SplitLines(b);
  size_t n = std::min(la.size(), lb.size());
  for (size_t i = 0; i < n; ++i)
    if (la[i] != lb[i]) return i;
  if (la.size() != lb.size()) return n;
  return std::nullopt;
}

std::string Trace::DescribeDivergence(std::string_view a, std::string_view b) {
  auto at = FirstDivergentLine(a, b);
  if (!at) return "identical";
  auto la = SplitLines(a);
  auto lb = SplitLines(b);
  auto line = [](const std::vector<std::string_view>& v, size_t i) {
    return i < v.size() ? std::string(v[i]) : std::string("<end of trace>");
  };
  std::string out = fmt::format("first divergent event #{} (line {}):\n", *at, *at + 1);
  if (*at > 0) out += fmt::format("  common: {}\n", line(la, *at - 1));
  out += fmt::format("  a:      {}\n  b:      {}\n", line(la, *at), line(lb, *at));
  return out;
}

std::string HashHex(uint64_t hash) { return fmt::format("0x{:016x}", hash); }

}  // namespace samsa::sim
