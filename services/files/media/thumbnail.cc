#include "services/files/media/thumbnail.h"

#include <png.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/common/status_macros.h"
#include "services/files/media/heif_image.h"
#include "services/files/media/image_metadata.h"
#include "services/files/media/jpeg_codec.h"
#include "services/files/media/rgb_image.h"

namespace branchline::files {
namespace {

uint8_t ByteAt(std::string_view data, size_t at) { return static_cast<uint8_t>(data[at]); }

uint32_t ReadBe16(std::string_view data, size_t at) {
  return ByteAt(data, at) << 8 | ByteAt(data, at + 1);
}

uint32_t ReadBe32(std::string_view data, size_t at) {
  return ReadBe16(data, at) << 16 | ReadBe16(data, at + 2);
}

std::optional<ImageSize> Positive(ImageSize size) {
  if (size.width == 0 || size.height == 0) return std::nullopt;
  return size;
}

// --- Sizes from headers ---

constexpr uint8_t kSos = 0xda;
constexpr uint8_t kEoi = 0xd9;

// SOF0..SOF15 share their range with DHT (C4), JPG (C8) and DAC (CC).
bool IsFrameMarker(uint8_t marker) {
  return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
}

// The first frame header's size: the one libjpeg decodes (a second frame is an error there).
std::optional<ImageSize> JpegDimensions(std::string_view jpeg) {
  if (jpeg.substr(0, 2) != "\xff\xd8") return std::nullopt;
  size_t at = 2;
  while (at < jpeg.size() && ByteAt(jpeg, at) == 0xff) {
    while (at < jpeg.size() && ByteAt(jpeg, at) == 0xff) ++at;  // fill bytes
    if (jpeg.size() - at < 3) return std::nullopt;
    const uint8_t marker = ByteAt(jpeg, at);
    const size_t length = ReadBe16(jpeg, at + 1);
    if (marker == kSos || marker == kEoi || length < 2 || jpeg.size() - at - 1 < length) {
      return std::nullopt;
    }
    if (IsFrameMarker(marker)) {
      // Length, precision, height, width, component count.
      if (length < 8) return std::nullopt;
      return Positive({ReadBe16(jpeg, at + 6), ReadBe16(jpeg, at + 4)});
    }
    at += 1 + length;
  }
  return std::nullopt;
}

// PNG sides are at most 2^31 - 1 (PNG spec 11.2.2).
constexpr uint32_t kMaxPngSide = 0x7fffffff;

std::optional<ImageSize> PngDimensions(std::string_view png) {
  // IHDR's width and height follow the signature and IHDR's length and type.
  if (SniffFileKind(png) != FileKind::kPng || png.size() < 24) return std::nullopt;
  const ImageSize size{ReadBe32(png, 16), ReadBe32(png, 20)};
  if (size.width > kMaxPngSide || size.height > kMaxPngSide) return std::nullopt;
  return Positive(size);
}

// The thumbnail's size: the long side max_side (or the image's own when smaller: never
// upscaled), the short side in proportion, rounded, at least 1.
ImageSize FitWithin(ImageSize image, uint32_t max_side) {
  const uint32_t long_side = std::max(image.width, image.height);
  if (long_side <= max_side) return image;
  auto scale = [&](uint32_t side) {
    return static_cast<uint32_t>(
        std::max<uint64_t>(1, (uint64_t{side} * max_side + long_side / 2) / long_side));
  };
  return {scale(image.width), scale(image.height)};
}

absl::Status Undecodable(std::string_view format, std::string_view why) {
  return absl::InvalidArgumentError("cannot decode the " + std::string(format) +
                                    " image: " + std::string(why));
}

// Decoded by libjpeg (jpeg_codec.h) at 1/2, 1/4 or 1/8 where that still covers `target`,
// once libjpeg reads the frame size `image` the limits were checked on.
absl::StatusOr<RgbImage> DecodeJpeg(std::string_view jpeg, ImageSize image, ImageSize target) {
  ASSIGN_OR_RETURN(DecodedJpeg decoded,
                   DecodeJpegRgb(jpeg, {.frame_size = image, .scale_to_cover = target}));
  return std::move(decoded.image);
}

// --- libpng (its simplified API keeps its own longjmps inside libpng) ---

absl::StatusOr<RgbImage> DecodePng(std::string_view png, ImageSize image) {
  png_image reader{};
  reader.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&reader, png.data(), png.size())) {
    return Undecodable("PNG", reader.message);
  }
  reader.format = PNG_FORMAT_RGB;
  if (reader.width != image.width || reader.height != image.height) {
    png_image_free(&reader);
    return Undecodable("PNG", "a size libpng reads otherwise");
  }
  RgbImage decoded = BlankImage(image);
  const png_color white{255, 255, 255};
  // finish_read frees the reader whether it succeeds or not.
  if (!png_image_finish_read(&reader, &white, decoded.pixels.data(), 0, nullptr)) {
    return Undecodable("PNG", reader.message);
  }
  return decoded;
}

// --- Resampling ---

// Where source pixel i of a line of `from` lands on a line of `to` <= `from` pixels: it
// covers [i * to / from, (i + 1) * to / from), so parts of at most two output pixels.
struct Coverage {
  uint32_t first = 0;
  float first_weight = 0;
  float second_weight = 0;
};

std::vector<Coverage> AreaCoverage(uint32_t from, uint32_t to) {
  std::vector<Coverage> coverage(from);
  for (uint32_t i = 0; i < from; ++i) {
    // In units of 1/from of an output pixel, so that the arithmetic is exact.
    const uint64_t start = uint64_t{i} * to;
    const uint64_t end = start + to;
    const uint64_t first = start / from;
    const uint64_t first_part = std::min(end, (first + 1) * from) - start;
    coverage[i] = {static_cast<uint32_t>(first), static_cast<float>(first_part) / from,
                   static_cast<float>(to - first_part) / from};
  }
  return coverage;
}

// The box (area-average) downscale: each output pixel is the mean of the source area it
// covers, weighted by overlap. One pass over the source, a row at a time.
RgbImage Downscale(const RgbImage& image, ImageSize target) {
  const std::vector<Coverage> columns = AreaCoverage(image.size.width, target.width);
  const std::vector<Coverage> rows = AreaCoverage(image.size.height, target.height);
  const size_t target_row_size = size_t{target.width} * 3;
  std::vector<float> sums(target_row_size * target.height);
  std::vector<float> row(target_row_size);
  for (uint32_t y = 0; y < image.size.height; ++y) {
    std::fill(row.begin(), row.end(), 0.0f);
    const unsigned char* source = &image.pixels[size_t{y} * image.size.width * 3];
    for (uint32_t x = 0; x < image.size.width; ++x, source += 3) {
      const Coverage& column = columns[x];
      for (int c = 0; c < 3; ++c) {
        row[column.first * 3 + c] += column.first_weight * source[c];
        if (column.second_weight > 0)
          row[(column.first + 1) * 3 + c] += column.second_weight * source[c];
      }
    }
    const Coverage& coverage = rows[y];
    float* sum = &sums[coverage.first * target_row_size];
    for (size_t i = 0; i < target_row_size; ++i) sum[i] += coverage.first_weight * row[i];
    if (coverage.second_weight > 0) {
      sum += target_row_size;
      for (size_t i = 0; i < target_row_size; ++i) sum[i] += coverage.second_weight * row[i];
    }
  }
  RgbImage thumbnail = BlankImage(target);
  for (size_t i = 0; i < sums.size(); ++i) {
    thumbnail.pixels[i] = static_cast<unsigned char>(std::min(255.0f, sums[i] + 0.5f));
  }
  return thumbnail;
}

// The pixels turned as EXIF orientation `orientation` says (where row 0 and column 0 of the
// stored image belong), so the thumbnail shows upright without EXIF.
RgbImage Orient(const RgbImage& image, int orientation) {
  const uint32_t w = image.size.width, h = image.size.height;
  const bool transposed = orientation >= 5;
  RgbImage turned = BlankImage({transposed ? h : w, transposed ? w : h});
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint32_t to_x = x, to_y = y;
      switch (orientation) {
        case 2:  // mirrored
          to_x = w - 1 - x;
          break;
        case 3:  // upside down
          to_x = w - 1 - x;
          to_y = h - 1 - y;
          break;
        case 4:  // mirrored upside down
          to_y = h - 1 - y;
          break;
        case 5:  // transposed
          to_x = y;
          to_y = x;
          break;
        case 6:  // to be turned clockwise
          to_x = h - 1 - y;
          to_y = x;
          break;
        case 7:  // transversed
          to_x = h - 1 - y;
          to_y = w - 1 - x;
          break;
        case 8:  // to be turned anticlockwise
          to_x = y;
          to_y = w - 1 - x;
          break;
      }
      std::memcpy(&turned.pixels[(size_t{to_y} * turned.size.width + to_x) * 3],
                  &image.pixels[(size_t{y} * w + x) * 3], 3);
    }
  }
  return turned;
}

}  // namespace

std::optional<ImageSize> ImageDimensions(std::string_view content, FileKind kind) {
  switch (kind) {
    case FileKind::kJpeg:
      return JpegDimensions(content);
    case FileKind::kPng:
      return PngDimensions(content);
    case FileKind::kHeic:
      return HeifDimensions(content);
    default:
      return std::nullopt;
  }
}

absl::StatusOr<Thumbnail> MakeThumbnail(std::string_view content, FileKind kind,
                                        uint32_t max_side) {
  if (kind != FileKind::kJpeg && kind != FileKind::kPng && kind != FileKind::kHeic) {
    return absl::InvalidArgumentError("thumbnails are made of JPEG, PNG and HEIC images only");
  }
  if (max_side == 0) return absl::InvalidArgumentError("max_side must be positive");
  if (kind == FileKind::kHeic) {
    ASSIGN_OR_RETURN(RgbImage decoded, DecodeHeif(content, kMaxThumbnailSourcePixels));
    RgbImage thumbnail = Downscale(decoded, FitWithin(decoded.size, max_side));
    ASSIGN_OR_RETURN(std::string jpeg, EncodeJpegRgb(thumbnail));
    return Thumbnail{std::move(jpeg), thumbnail.size.width, thumbnail.size.height};
  }
  const std::string_view format = kind == FileKind::kJpeg ? "JPEG" : "PNG";
  const std::optional<ImageSize> size = ImageDimensions(content, kind);
  if (!size) return Undecodable(format, "malformed headers");
  if (uint64_t{size->width} * size->height > kMaxThumbnailSourcePixels) {
    return absl::InvalidArgumentError("the image has more than 100 megapixels");
  }
  const ImageSize target = FitWithin(*size, max_side);
  ASSIGN_OR_RETURN(RgbImage decoded, kind == FileKind::kJpeg ? DecodeJpeg(content, *size, target)
                                                             : DecodePng(content, *size));
  RgbImage thumbnail = Downscale(decoded, target);
  if (const int orientation = kind == FileKind::kJpeg ? JpegOrientation(content) : 1;
      orientation != 1) {
    thumbnail = Orient(thumbnail, orientation);
  }
  ASSIGN_OR_RETURN(std::string jpeg, EncodeJpegRgb(thumbnail));
  return Thumbnail{std::move(jpeg), thumbnail.size.width, thumbnail.size.height};
}

}  // namespace branchline::files
