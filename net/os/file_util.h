#pragma once
// Part of samsa_os (net/os/CMakeLists.txt): linked by samsa-sim and samsa-gui without samsa_net.
// Small whole-file helpers over POSIX I/O, for tools (samsa-sim writes and diffs trace files here,
// since sim/ does no file I/O of its own).

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace samsa::os {

// Writes bytes to a new temporary file next to path, fsyncs it, and renames it over path; on a
// failure the temporary is removed and path is untouched.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);
// Reads a whole file.
Result<std::string> ReadFileToString(const std::string& path);

}  // namespace samsa::os
