#include "services/handbook/render/handbook_images.h"

// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>
#include <stdio.h>

#include <csetjmp>
#include <string>

namespace branchline::handbook {

namespace {

// libjpeg reports a fatal error by calling error_exit, which must not return: ours longjmps to
// the setjmp in Decode. Only C frames are skipped, and Decode holds no object with a
// destructor (as in services/files/media/thumbnail.cc).
struct JpegErrors {
  jpeg_error_mgr manager;  // first: libjpeg's pointer to it points to the whole
  std::jmp_buf jump;
};

[[noreturn]] void Fail(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<JpegErrors*>(cinfo->err)->jump, 1);
}

// Warnings are not printed, but image data that ends early is fatal: libjpeg would pad the
// rest with grey, and the PDF would embed the truncated JPEG.
void OnMessage(j_common_ptr cinfo, int level) {
  const int code = cinfo->err->msg_code;
  if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) Fail(cinfo);
}

// A progressive JPEG can hold thousands of tiny scans, each a pass over the whole image.
constexpr int kMaxScans = 100;

void LimitScans(j_common_ptr cinfo) {
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxScans) Fail(cinfo);
}

// Far more than a thumbnail of kMaxThumbnailSide needs, even progressive.
constexpr long kMaxJpegMemory = 64L << 20;

// Decodes `jpeg` into a new RGB24 surface; null when it does not decode. *embeddable: whether
// a PDF reader shows the JPEG as libjpeg decoded it (YCbCr or grey, Huffman-coded).
cairo_surface_t* Decode(const unsigned char* jpeg, size_t size, bool* embeddable) {
  jpeg_decompress_struct cinfo;
  jpeg_progress_mgr progress;
  JpegErrors errors;
  cairo_surface_t* volatile surface = nullptr;  // set after the setjmp, read after a longjmp
  cinfo.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = Fail;
  errors.manager.emit_message = OnMessage;
  progress.progress_monitor = LimitScans;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    if (surface) cairo_surface_destroy(surface);
    return nullptr;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = kMaxJpegMemory;
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, jpeg, size);
  jpeg_read_header(&cinfo, TRUE);
  const j_common_ptr common = reinterpret_cast<j_common_ptr>(&cinfo);
  if (cinfo.image_width > kMaxThumbnailSide || cinfo.image_height > kMaxThumbnailSide) {
    Fail(common);
  }
  // libjpeg converts grey and YCbCr to RGB, not CMYK (never in a thumbnail: they are made RGB).
  if (cinfo.jpeg_color_space != JCS_GRAYSCALE && cinfo.jpeg_color_space != JCS_YCbCr &&
      cinfo.jpeg_color_space != JCS_RGB) {
    Fail(common);
  }
  // A PDF reader takes three components for YCbCr unless an Adobe marker says otherwise;
  // libjpeg also guesses RGB from component ids. Arithmetic coding is rarely supported.
  *embeddable = cinfo.jpeg_color_space != JCS_RGB && !cinfo.arith_code;
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(cinfo.output_width),
                                       static_cast<int>(cinfo.output_height));
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) Fail(common);
  cairo_surface_flush(surface);
  unsigned char* pixels = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  JSAMPARRAY row =
      (*cinfo.mem->alloc_sarray)(common, JPOOL_IMAGE, cinfo.output_width * 3, /*numrows=*/1);
  while (cinfo.output_scanline < cinfo.output_height) {
    const JDIMENSION y = cinfo.output_scanline;
    if (jpeg_read_scanlines(&cinfo, row, 1) != 1) Fail(common);
    // RGB24: one native-endian 32-bit word per pixel, 0x00RRGGBB.
    auto* out = reinterpret_cast<uint32_t*>(pixels + static_cast<size_t>(y) * stride);
    const unsigned char* in = row[0];
    for (JDIMENSION x = 0; x < cinfo.output_width; ++x, in += 3) {
      out[x] = (uint32_t{in[0]} << 16) | (uint32_t{in[1]} << 8) | in[2];
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
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
  bool embeddable = false;
  SurfacePtr surface(
      Decode(reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(), &embeddable),
      cairo_surface_destroy);
  if (!surface) return surface;
  if ((embeddable && !SetMimeData(surface.get(), CAIRO_MIME_TYPE_JPEG, jpeg)) ||
      !SetMimeData(surface.get(), CAIRO_MIME_TYPE_UNIQUE_ID,
                   "branchline-file-" + std::to_string(file_id))) {
    // Only out of memory; a surface in error would fail the whole PDF.
    return SurfacePtr(nullptr, cairo_surface_destroy);
  }
  return surface;
}

}  // namespace branchline::handbook
