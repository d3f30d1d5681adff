#include "services/files/media/thumbnail.h"

// jpeglib.h uses FILE without including stdio.h.
// clang-format off
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
// clang-format on
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/common/status_macros.h"
#include "services/files/media/heif_image.h"
#include "services/files/media/image_metadata.h"
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

// --- libjpeg ---
//
// libjpeg reports a fatal error by calling error_exit, which must not return: ours longjmps
// to the setjmp in DecodeJpegInto or EncodeJpegFrom. The jump skips only libjpeg's C
// frames, and those two functions hold no object with a destructor, so no C++ object is
// skipped; the C++ callers turn their boolean result into a status.

struct JpegErrors {
  jpeg_error_mgr manager;  // first: libjpeg's pointer to it points to the whole
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void FailJpegWith(j_common_ptr cinfo, const char* message) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  std::snprintf(errors->message, sizeof errors->message, "%s", message);
  std::longjmp(errors->jump, 1);
}

[[noreturn]] void FailJpeg(j_common_ptr cinfo) {
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  FailJpegWith(cinfo, message);
}

// Warnings are not printed (the default writes to stderr), but image data that ends early
// (the file, or a scan cut by a marker) is fatal: libjpeg would pad the rest with grey.
void OnJpegMessage(j_common_ptr cinfo, int level) {
  const int code = cinfo->err->msg_code;
  if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) FailJpeg(cinfo);
}

// A progressive JPEG can hold thousands of tiny scans, each a pass over the whole image:
// libjpeg-turbo's advice for untrusted input is to cap them.
constexpr int kMaxJpegScans = 100;

void LimitScans(j_common_ptr cinfo) {
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxJpegScans) {
    FailJpegWith(cinfo, "more than 100 scans");
  }
}

// A progressive JPEG's coefficients are buffered whole: 200 to 600 MB at 100 MP. With no
// backing store, libjpeg fails beyond this instead of allocating more.
constexpr long kMaxJpegMemory = 512L << 20;

jpeg_error_mgr* InitJpegErrors(JpegErrors* errors) {
  jpeg_std_error(&errors->manager);
  errors->manager.error_exit = FailJpeg;
  errors->manager.emit_message = OnJpegMessage;
  errors->message[0] = '\0';
  return &errors->manager;
}

// Naive CMYK to RGB (no colour management). Adobe's CMYK JPEGs store every channel
// inverted: 255 is no ink.
void CmykToRgb(const unsigned char* cmyk, uint32_t width, bool adobe, unsigned char* rgb) {
  for (uint32_t x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    const unsigned black_light = adobe ? cmyk[3] : 255 - cmyk[3];
    for (int c = 0; c < 3; ++c) {
      const unsigned light = adobe ? cmyk[c] : 255 - cmyk[c];
      rgb[c] = static_cast<unsigned char>((light * black_light + 127) / 255);
    }
  }
}

// Decodes a JPEG whose frame is `image`, scaled by 1/`denominator` to `scaled`, into
// `pixels` (RGB, sized for `scaled`). False with errors->message on failure.
bool DecodeJpegInto(const unsigned char* jpeg, size_t jpeg_size, ImageSize image,
                    unsigned denominator, ImageSize scaled, unsigned char* pixels,
                    JpegErrors* errors) {
  jpeg_decompress_struct cinfo;
  jpeg_progress_mgr progress;
  cinfo.err = InitJpegErrors(errors);
  progress.progress_monitor = LimitScans;
  if (setjmp(errors->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = kMaxJpegMemory;
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, jpeg, jpeg_size);
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width != image.width || cinfo.image_height != image.height) {
    FailJpegWith(reinterpret_cast<j_common_ptr>(&cinfo), "a frame size libjpeg reads otherwise");
  }
  // libjpeg converts YCCK to CMYK but not CMYK to RGB: that is done here.
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = denominator;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_width != scaled.width || cinfo.output_height != scaled.height) {
    FailJpegWith(reinterpret_cast<j_common_ptr>(&cinfo), "an unexpected scaled size");
  }
  JSAMPARRAY cmyk_row = cmyk ? (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo),
                                                          JPOOL_IMAGE, scaled.width * 4, 1)
                             : nullptr;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels + size_t{cinfo.output_scanline} * scaled.width * 3;
    if (jpeg_read_scanlines(&cinfo, cmyk ? cmyk_row : &row, 1) != 1) {
      FailJpegWith(reinterpret_cast<j_common_ptr>(&cinfo), "no progress reading rows");
    }
    if (cmyk) CmykToRgb(cmyk_row[0], scaled.width, cinfo.saw_Adobe_marker, row);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// Encodes RGB `pixels` as a baseline JPEG of quality 80 into a buffer libjpeg mallocs (*out,
// which the caller frees). If libjpeg fails here (only an allocation can: the input is
// ours), a buffer it grew is lost: jpeg_mem_dest tells which one is current only at the end.
bool EncodeJpegFrom(const unsigned char* pixels, ImageSize size, unsigned char** out,
                    unsigned long* out_size, JpegErrors* errors) {
  jpeg_compress_struct cinfo;
  cinfo.err = InitJpegErrors(errors);
  if (setjmp(errors->jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, out_size);
  cinfo.image_width = size.width;
  cinfo.image_height = size.height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 80, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row =
        const_cast<unsigned char*>(pixels) + size_t{cinfo.next_scanline} * size.width * 3;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

absl::Status Undecodable(std::string_view format, std::string_view why) {
  return absl::InvalidArgumentError("cannot decode the " + std::string(format) +
                                    " image: " + std::string(why));
}

uint32_t CeilDiv(uint32_t value, unsigned divisor) { return (value + divisor - 1) / divisor; }

// The smallest of libjpeg's 1/8, 1/4 and 1/2 scales (DCT scaling: nearly free) that still
// covers the target size; the area average does the exact rest.
unsigned ScaleDenominator(ImageSize image, ImageSize target) {
  for (unsigned denominator : {8u, 4u, 2u}) {
    if (CeilDiv(image.width, denominator) >= target.width &&
        CeilDiv(image.height, denominator) >= target.height) {
      return denominator;
    }
  }
  return 1;
}

absl::StatusOr<RgbImage> DecodeJpeg(std::string_view jpeg, ImageSize image, ImageSize target) {
  const unsigned denominator = ScaleDenominator(image, target);
  RgbImage decoded =
      BlankImage({CeilDiv(image.width, denominator), CeilDiv(image.height, denominator)});
  JpegErrors errors;
  if (!DecodeJpegInto(reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(), image,
                      denominator, decoded.size, decoded.pixels.data(), &errors)) {
    return Undecodable("JPEG", errors.message);
  }
  return decoded;
}

absl::StatusOr<std::string> EncodeJpeg(const RgbImage& image) {
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  JpegErrors errors;
  if (!EncodeJpegFrom(image.pixels.data(), image.size, &buffer, &size, &errors)) {
    return absl::InternalError("cannot encode the thumbnail: " + std::string(errors.message));
  }
  std::string jpeg(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return jpeg;
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
    ASSIGN_OR_RETURN(std::string jpeg, EncodeJpeg(thumbnail));
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
  ASSIGN_OR_RETURN(std::string jpeg, EncodeJpeg(thumbnail));
  return Thumbnail{std::move(jpeg), thumbnail.size.width, thumbnail.size.height};
}

}  // namespace branchline::files
