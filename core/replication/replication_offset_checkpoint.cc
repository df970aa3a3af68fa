#include "core/replication/replication_offset_checkpoint.h"

#include <charconv>

#include "core/log/sealed_text.h"

namespace samsa {

namespace {

constexpr std::string_view kWhat = kReplicationOffsetCheckpointFile;

// Splits off the next '\n'-terminated line (without it); false when there is none.
bool NextLine(std::string_view& text, std::string_view* line) {
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return false;
  *line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return true;
}

template <typename T>
bool ParseInt(std::string_view s, T* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string EncodeReplicationOffsetCheckpoint(const HighWatermarks& hws) {
  std::string out = "0\n" + std::to_string(hws.size()) + "\n";
  for (const auto& [key, hw] : hws) {
    out += key.first;
    out += ' ';
    out += std::to_string(key.second);
    out += ' ';
    out += std::to_string(hw);
    out += '\n';
  }
  return SealText(std::move(out));
}

Result<HighWatermarks> ParseReplicationOffsetCheckpoint(std::string_view text) {
  SAMSA_ASSIGN_OR_RETURN(std::string_view body, UnsealText(text, kWhat));
  auto bad = [](const std::string& why) { return Status::Corruption(std::string(kWhat) + ": " + why); };
  std::string_view line;
  int64_t version = -1, count = -1;
  if (!NextLine(body, &line) || !ParseInt(line, &version) || version != 0) return bad("bad version line");
  if (!NextLine(body, &line) || !ParseInt(line, &count) || count < 0) return bad("bad count line");
  HighWatermarks hws;
  for (int64_t i = 0; i < count; ++i) {
    if (!NextLine(body, &line)) return bad("fewer entries than counted");
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    int32_t partition = -1;
    int64_t hw = -1;
    if (b == std::string_view::npos || a == 0 || !ParseInt(line.substr(a + 1, b - a - 1), &partition) ||
        !ParseInt(line.substr(b + 1), &hw) || partition < 0 || hw < 0) {
      return bad("bad entry line " + std::to_string(i + 1));
    }
    if (!hws.emplace(std::make_pair(std::string(line.substr(0, a)), partition), hw).second)
      return bad("partition listed twice");
  }
  if (!body.empty()) return bad("more entries than counted");
  return hws;
}

}  // namespace samsa
