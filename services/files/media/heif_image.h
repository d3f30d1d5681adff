#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/files/media/rgb_image.h"

namespace branchline::files {

// HEIC photos (what iPhones take by default), read with libheif (and its HEVC decoder,
// libde265) so that they get a size and a thumbnail like JPEG and PNG photos.

// The shown size of the primary image (after its rotation and mirroring), read from the
// container without decoding; nullopt when libheif cannot read it.
std::optional<ImageSize> HeifDimensions(std::string_view heic);

// The primary image decoded to 8-bit RGB, turned and mirrored as it is shown, alpha dropped.
// Refused (INVALID_ARGUMENT) before decoding when it has more than `max_pixels`: a small file
// can declare a huge image. Decodes on the calling thread (no decoder threads of libheif's),
// at most two at once in the process (a 12-megapixel photo: about 1.1 s and 36 MB); a third
// caller waits. The photo's own pixels are decoded, never the thumbnail a HEIC file may carry,
// which could show something else.
absl::StatusOr<RgbImage> DecodeHeif(std::string_view heic, uint64_t max_pixels);

}  // namespace branchline::files
