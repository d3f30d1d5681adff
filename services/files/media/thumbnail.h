#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/files/media/content_sniff.h"
#include "services/files/media/image_size.h"

namespace branchline::files {

// The stored pixel size of a JPEG (its first SOFn) or PNG (IHDR), or the shown size of a HEIC
// image (heif_image.h), read from the headers without decoding; nullopt for other kinds,
// malformed headers or a zero side. A JPEG whose
// EXIF orientation (JpegOrientation) is 5..8 shows turned: height × width.
std::optional<ImageSize> ImageDimensions(std::string_view content, FileKind kind);

// Larger images are refused before decoding: a small file can declare a huge size (a
// decompression bomb), and the decoded pixels of 100 MP alone take 300 MB.
inline constexpr uint64_t kMaxThumbnailSourcePixels = 100'000'000;

struct Thumbnail {
  std::string jpeg;
  uint32_t width = 0;
  uint32_t height = 0;
};

// A baseline JPEG (quality 80, RGB, no metadata) of at most max_side pixels on its long side,
// aspect kept, never upscaled, of a JPEG, PNG or HEIC image:
//  - a JPEG is decoded by libjpeg at 1/2, 1/4 or 1/8 when that still covers the thumbnail,
//    then area-averaged to the exact size. Grayscale and CMYK/YCCK JPEGs are converted to
//    RGB (CMYK taken as Adobe-inverted when an Adobe APP14 is present, as Photoshop writes
//    it). The EXIF orientation is applied to the pixels, so the thumbnail shows upright (its
//    width and height are those shown: swapped for orientations 5..8). A JPEG whose image
//    data ends early (truncated, or a scan cut by a marker) is refused rather than padded
//    with grey, as are ones of more than 100 scans or needing more than 512 MB of buffers.
//  - a PNG is decoded by libpng's simplified API to 8-bit sRGB, alpha composited on white.
//  - a HEIC image is decoded whole by libheif (HEVC has no reduced decode), turned as shown.
// INVALID_ARGUMENT for other kinds, max_side 0, undecodable input and images of more than
// kMaxThumbnailSourcePixels.
absl::StatusOr<Thumbnail> MakeThumbnail(std::string_view content, FileKind kind,
                                        uint32_t max_side = 320);

}  // namespace branchline::files
