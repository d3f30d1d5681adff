#pragma once

#include <cairo.h>

#include <cstdint>
#include <memory>
#include <string_view>

namespace branchline::handbook {

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

// A thumbnail is at most 320 pixels on its long side (FileService); an image larger than this
// is no thumbnail and is refused before its pixels are allocated.
inline constexpr unsigned kMaxThumbnailSide = 1024;

// The photo `file_id`'s thumbnail `jpeg`, decoded by libjpeg into a Cairo RGB24 image surface
// for the PDF. The surface carries the JPEG itself (a copy, freed with the surface) as its
// CAIRO_MIME_TYPE_JPEG data, so that a PDF surface embeds the JPEG (DCTDecode) instead of the
// decoded pixels, and the file id as its CAIRO_MIME_TYPE_UNIQUE_ID, so that a photo drawn
// twice (on two meetings) is embedded once. A JPEG that a PDF reader might not show as libjpeg does
// (coded in RGB rather than YCbCr, or arithmetic-coded) carries no JPEG and is embedded as pixels.
//
// Null when `jpeg` does not decode whole: not a JPEG, truncated, CMYK, larger than
// kMaxThumbnailSide, more than 100 scans. Thread-safe.
SurfacePtr ThumbnailSurface(std::string_view jpeg, uint64_t file_id);

}  // namespace branchline::handbook
