#include "core/log/sealed_text.h"

#include <cstdint>
#include <cstdio>

#include "core/base/bytes.h"
#include "core/base/crc32c.h"

namespace samsa {

namespace {

constexpr std::string_view kPrefix = "crc32c:";
constexpr size_t kLineBytes = 7 + 8 + 1;  // prefix, hex digits, newline

uint32_t CrcOf(std::string_view body) { return Crc32c(AsBytes(body)); }

}  // namespace

std::string SealText(std::string body) {
  char line[kLineBytes + 1];
  std::snprintf(line, sizeof line, "crc32c:%08x\n", unsigned(CrcOf(body)));
  body.append(line, kLineBytes);
  return body;
}

Result<std::string_view> UnsealText(std::string_view text, std::string_view what) {
  auto bad = [&](const char* why) { return Status::Corruption(std::string(what) + ": " + why); };
  if (text.size() < kLineBytes || text.back() != '\n') return bad("no checksum line");
  std::string_view line = text.substr(text.size() - kLineBytes, kLineBytes - 1);
  std::string_view body = text.substr(0, text.size() - kLineBytes);
  if (!line.starts_with(kPrefix) || (!body.empty() && body.back() != '\n')) return bad("no checksum line");
  uint32_t want = 0;
  for (char c : line.substr(kPrefix.size())) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return bad("bad checksum line");
    want = want << 4 | uint32_t(digit);
  }
  if (CrcOf(body) != want) return bad("checksum mismatch");
  return body;
}

}  // namespace samsa
