#include "services/files/media/jpeg_codec.h"

// jpeglib.h uses FILE without including stdio.h.
// clang-format off
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"

namespace branchline::files {
namespace {

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

// libjpeg-turbo's advice for untrusted input is to cap the scans.
constexpr int kMaxJpegScans = 100;

void LimitScans(j_common_ptr cinfo) {
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxJpegScans) {
    FailJpegWith(cinfo, "more than 100 scans");
  }
}

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

uint32_t CeilDiv(uint32_t value, unsigned divisor) { return (value + divisor - 1) / divisor; }

// The smallest of libjpeg's 1/8, 1/4 and 1/2 scales that still covers the target size (the
// caller's area average does the exact rest).
unsigned ScaleDenominator(ImageSize image, ImageSize target) {
  for (unsigned denominator : {8u, 4u, 2u}) {
    if (CeilDiv(image.width, denominator) >= target.width &&
        CeilDiv(image.height, denominator) >= target.height) {
      return denominator;
    }
  }
  return 1;
}

// Decodes `jpeg` as `options` say into *decoded (the caller's: its pixels are allocated here,
// but it is no local the longjmp would skip). False with errors->message on failure.
bool DecodeJpegInto(const unsigned char* jpeg, size_t jpeg_size, const JpegDecodeOptions& options,
                    DecodedJpeg* decoded, JpegErrors* errors) {
  jpeg_decompress_struct cinfo;
  jpeg_progress_mgr progress;
  cinfo.err = InitJpegErrors(errors);
  progress.progress_monitor = LimitScans;
  if (setjmp(errors->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = options.max_memory;
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, jpeg, jpeg_size);
  jpeg_read_header(&cinfo, TRUE);
  const j_common_ptr common = reinterpret_cast<j_common_ptr>(&cinfo);
  const ImageSize image{cinfo.image_width, cinfo.image_height};
  if (options.frame_size &&
      (image.width != options.frame_size->width || image.height != options.frame_size->height)) {
    FailJpegWith(common, "a frame size libjpeg reads otherwise");
  }
  if (image.width > options.max_side || image.height > options.max_side) {
    FailJpegWith(common, "a frame larger than allowed");
  }
  const J_COLOR_SPACE coded = cinfo.jpeg_color_space;
  if (!options.cmyk && coded != JCS_GRAYSCALE && coded != JCS_YCbCr && coded != JCS_RGB) {
    FailJpegWith(common, "a colour space other than grey, YCbCr and RGB");
  }
  decoded->rgb_coded = coded == JCS_RGB;
  decoded->arithmetic_coded = cinfo.arith_code;
  // libjpeg converts grey, YCbCr and YCCK (to CMYK) but not CMYK to RGB: that is done here.
  const bool cmyk = coded == JCS_CMYK || coded == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  const unsigned denominator =
      options.scale_to_cover ? ScaleDenominator(image, *options.scale_to_cover) : 1;
  cinfo.scale_num = 1;
  cinfo.scale_denom = denominator;
  jpeg_start_decompress(&cinfo);
  const ImageSize scaled{CeilDiv(image.width, denominator), CeilDiv(image.height, denominator)};
  if (cinfo.output_width != scaled.width || cinfo.output_height != scaled.height) {
    FailJpegWith(common, "an unexpected scaled size");
  }
  try {
    decoded->image = BlankImage(scaled);
  } catch (...) {  // out of memory: thrown on to the caller, as by any allocation
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  unsigned char* pixels = decoded->image.pixels.data();
  JSAMPARRAY cmyk_row =
      cmyk ? (*cinfo.mem->alloc_sarray)(common, JPOOL_IMAGE, scaled.width * 4, 1) : nullptr;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels + size_t{cinfo.output_scanline} * scaled.width * 3;
    if (jpeg_read_scanlines(&cinfo, cmyk ? cmyk_row : &row, 1) != 1) {
      FailJpegWith(common, "no progress reading rows");
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

}  // namespace

absl::StatusOr<DecodedJpeg> DecodeJpegRgb(std::string_view jpeg, const JpegDecodeOptions& options) {
  DecodedJpeg decoded;
  JpegErrors errors;
  if (!DecodeJpegInto(reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(), options,
                      &decoded, &errors)) {
    return absl::InvalidArgumentError("cannot decode the JPEG image: " +
                                      std::string(errors.message));
  }
  return decoded;
}

absl::StatusOr<std::string> EncodeJpegRgb(const RgbImage& image) {
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

}  // namespace branchline::files
