#pragma once

#include <string>

#include "absl/status/status.h"

namespace branchline {

// Replaces `path` with `data` atomically and durably: a temporary file beside it (mode 0600),
// synced, renamed over `path`, then the directory synced. A crash leaves the old content or
// the new, never a mix. UNAVAILABLE naming the path when it cannot be written.
absl::Status WriteFileAtomically(const std::string& path, const std::string& data);

}  // namespace branchline
