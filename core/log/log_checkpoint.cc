#include "core/log/log_checkpoint.h"

#include <charconv>

namespace samsa {

std::string EncodeLogCheckpoint(const LogCheckpoint& checkpoint) {
  std::string text = std::string(checkpoint.lost_data ? "1\n" : "0\n") + std::to_string(checkpoint.recovery_point) +
                     "\n" + std::to_string(checkpoint.log_start_offset) + "\n";
  if (checkpoint.lost_data) text += "1\n";
  return text;
}

Result<LogCheckpoint> ParseLogCheckpoint(std::string_view text) {
  int64_t values[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < (values[0] == 1 ? 4u : 3u); ++i) {
    int64_t& v = values[i];
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos || nl == 0) return Status::Corruption("recovery-point: truncated");
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + nl, v);
    if (ec != std::errc() || ptr != text.data() + nl || v < 0) return Status::Corruption("recovery-point: bad line");
    text.remove_prefix(nl + 1);
  }
  if (values[0] != 0 && values[0] != 1) return Status::Corruption("recovery-point: unknown version");
  if (values[3] > 1) return Status::Corruption("recovery-point: bad lost-data mark");
  if (!text.empty()) return Status::Corruption("recovery-point: trailing bytes");
  return LogCheckpoint{values[1], values[2], values[3] == 1};
}

}  // namespace samsa
