#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace branchline {

// Debian's Abseil is built with its own absl::string_view, distinct from std::string_view;
// this converts at the boundary (no copy).
inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace branchline
