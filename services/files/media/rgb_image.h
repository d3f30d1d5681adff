#pragma once

#include <cstddef>
#include <vector>

#include "services/files/media/image_size.h"

namespace branchline::files {

// Decoded pixels: rows of RGB triples, top to bottom, as the image is shown.
struct RgbImage {
  ImageSize size;
  std::vector<unsigned char> pixels;
};

inline RgbImage BlankImage(ImageSize size) {
  return {size, std::vector<unsigned char>(size_t{size.width} * size.height * 3)};
}

}  // namespace branchline::files
