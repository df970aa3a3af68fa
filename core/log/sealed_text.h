#pragma once
// Sealed text: a small text file (a checkpoint) followed by a checksum of itself, so that a bit
// flipped on disk is detected instead of trusted.
//
// Layout: the body exactly as given (ASCII, each line ending in '\n'), then one last line
//
//   crc32c:xxxxxxxx      the CRC-32C of every byte of the body, 8 lowercase hex digits
//
// A file that lacks the line, or whose body does not match it, is Corruption: its reader falls
// back to what it does when the file is missing (rebuild, or trust nothing).

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace samsa {

// body + the checksum line. body must be empty or end in '\n'.
std::string SealText(std::string body);
// The body, once its checksum line matches; Corruption (naming `what`) otherwise.
Result<std::string_view> UnsealText(std::string_view text, std::string_view what);

}  // namespace samsa
