#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/files/media/image_size.h"
#include "services/files/media/rgb_image.h"

namespace branchline::files {

// What DecodeJpegRgb accepts beyond the rules it always keeps: a JPEG whose image data ends
// early (truncated, or a scan cut by a marker) is refused rather than padded with grey, as is
// one of more than 100 scans (a progressive JPEG can hold thousands of tiny scans, each a pass
// over the whole image).
struct JpegDecodeOptions {
  // The cap on libjpeg's buffers (a progressive JPEG's coefficients are buffered whole: 200 to
  // 600 MB at 100 MP). With no backing store, libjpeg fails beyond it instead of allocating more.
  long max_memory = 512L << 20;
  // A frame larger on either side is refused before its pixels are decoded.
  uint32_t max_side = std::numeric_limits<uint32_t>::max();
  // When set, the frame size libjpeg reads must be this one: the size the caller read from
  // the headers itself (ImageDimensions) and checked its limits on.
  std::optional<ImageSize> frame_size = std::nullopt;
  // When set, the JPEG is decoded at the smallest of 1/8, 1/4 and 1/2 (DCT scaling: nearly
  // free) that still covers this size, or else whole.
  std::optional<ImageSize> scale_to_cover = std::nullopt;
  // Whether CMYK and YCCK JPEGs are converted to RGB (naively, taken as Adobe-inverted when
  // an Adobe APP14 is present, as Photoshop writes it); when not, every colour space other
  // than grey, YCbCr and RGB is refused before decoding.
  bool cmyk = true;
};

struct DecodedJpeg {
  RgbImage image;  // as stored: the EXIF orientation is not applied
  // Header facts for embedding the JPEG itself (as in a PDF): whether its components are
  // coded as RGB (libjpeg's reading of an Adobe marker or of the component ids) rather than
  // YCbCr, grey or CMYK, and whether it is arithmetic-coded.
  bool rgb_coded = false;
  bool arithmetic_coded = false;
};

// The pixels of `jpeg` as libjpeg decodes them to RGB. INVALID_ARGUMENT ("cannot decode the
// JPEG image: ...") when it does not decode whole or breaks a rule of `options`.
absl::StatusOr<DecodedJpeg> DecodeJpegRgb(std::string_view jpeg,
                                          const JpegDecodeOptions& options = {});

// A baseline JPEG of quality 80, RGB, no metadata, of `image`. INTERNAL when libjpeg fails
// (only an allocation can: the input is ours).
absl::StatusOr<std::string> EncodeJpegRgb(const RgbImage& image);

}  // namespace branchline::files
