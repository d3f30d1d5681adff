#pragma once

#include <cstdint>

namespace branchline::files {

// An image's size in pixels.
struct ImageSize {
  uint32_t width = 0;
  uint32_t height = 0;
};

}  // namespace branchline::files
