#include "services/handbook/render/handbook_images.h"

#include <string>

#include "absl/status/statusor.h"
#include "services/files/media/jpeg_codec.h"

namespace branchline::handbook {

namespace {

// Far more than a thumbnail of kMaxThumbnailSide needs, even progressive.
constexpr long kMaxJpegMemory = 64L << 20;

// `image` in a new RGB24 surface; null when Cairo cannot make one.
cairo_surface_t* ToSurface(const files::RgbImage& image) {
  cairo_surface_t* surface = cairo_image_surface_create(
      CAIRO_FORMAT_RGB24, static_cast<int>(image.size.width), static_cast<int>(image.size.height));
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return nullptr;
  }
  cairo_surface_flush(surface);
  unsigned char* pixels = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* in = image.pixels.data();
  for (uint32_t y = 0; y < image.size.height; ++y) {
    // RGB24: one native-endian 32-bit word per pixel, 0x00RRGGBB.
    auto* out = reinterpret_cast<uint32_t*>(pixels + static_cast<size_t>(y) * stride);
    for (uint32_t x = 0; x < image.size.width; ++x, in += 3) {
      out[x] = (uint32_t{in[0]} << 16) | (uint32_t{in[1]} << 8) | in[2];
    }
  }
  cairo_surface_mark_dirty(surface);
  return surface;
}

void DeleteString(void* text) { delete static_cast<std::string*>(text); }

// Attaches a copy of `data`, freed with the surface (Cairo reads it when the PDF is written,
// which may be after the caller's bytes are gone). False when Cairo refused it.
bool SetMimeData(cairo_surface_t* surface, const char* mime_type, std::string_view data) {
  auto* copy = new std::string(data);
  if (cairo_surface_set_mime_data(surface, mime_type,
                                  reinterpret_cast<const unsigned char*>(copy->data()),
                                  copy->size(), DeleteString, copy) != CAIRO_STATUS_SUCCESS) {
    delete copy;  // Cairo calls the destroy function only once it has taken the data
    return false;
  }
  return true;
}

}  // namespace

SurfacePtr ThumbnailSurface(std::string_view jpeg, uint64_t file_id) {
  // Decoded whole by libjpeg (files/media/jpeg_codec.h), which refuses a truncated JPEG and
  // one of more than 100 scans; CMYK is refused too (never in a thumbnail: they are made RGB).
  const absl::StatusOr<files::DecodedJpeg> decoded = files::DecodeJpegRgb(
      jpeg, {.max_memory = kMaxJpegMemory, .max_side = kMaxThumbnailSide, .cmyk = false});
  if (!decoded.ok()) return SurfacePtr(nullptr, cairo_surface_destroy);
  SurfacePtr surface(ToSurface(decoded->image), cairo_surface_destroy);
  if (!surface) return surface;
  // A PDF reader takes three components for YCbCr unless an Adobe marker says otherwise;
  // libjpeg also guesses RGB from component ids. Arithmetic coding is rarely supported.
  const bool embeddable = !decoded->rgb_coded && !decoded->arithmetic_coded;
  if ((embeddable && !SetMimeData(surface.get(), CAIRO_MIME_TYPE_JPEG, jpeg)) ||
      !SetMimeData(surface.get(), CAIRO_MIME_TYPE_UNIQUE_ID,
                   "branchline-file-" + std::to_string(file_id))) {
    // Only out of memory; a surface in error would fail the whole PDF.
    return SurfacePtr(nullptr, cairo_surface_destroy);
  }
  return surface;
}

}  // namespace branchline::handbook
