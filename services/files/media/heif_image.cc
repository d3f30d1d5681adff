#include "services/files/media/heif_image.h"

#include <libheif/heif.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>

#include "absl/status/status.h"

namespace branchline::files {
namespace {

// libheif asks for one heif_init before use (it registers its decoder plugins); it is never
// undone, as the server decodes until it exits.
void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { heif_init(nullptr); });
}

// At most two decodes at once: a 12-megapixel photo takes about a second of CPU (HEVC has no
// reduced-size decode, unlike JPEG) and 36 MB of pixels, so more at once would only share
// the same cores while holding more memory. The others wait their turn.
std::counting_semaphore<2>& DecodeSlots() {
  static std::counting_semaphore<2> slots(2);
  return slots;
}

// Gives the slot back however the decode ends.
struct SlotRelease {
  void operator()(std::counting_semaphore<2>* slots) const { slots->release(); }
};

struct ContextFree {
  void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleRelease {
  void operator()(const heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageRelease {
  void operator()(const heif_image* i) const { heif_image_release(i); }
};
struct OptionsFree {
  void operator()(heif_decoding_options* o) const { heif_decoding_options_free(o); }
};
using Context = std::unique_ptr<heif_context, ContextFree>;
using Handle = std::unique_ptr<const heif_image_handle, HandleRelease>;

absl::Status Undecodable(const heif_error& error) {
  return absl::InvalidArgumentError(std::string("undecodable HEIC image: ") +
                                    (error.message ? error.message : "unknown error"));
}

// The primary image's handle; `context` must outlive the use of `heic`'s bytes, which libheif
// reads in place.
absl::StatusOr<Handle> PrimaryImage(std::string_view heic, Context& context) {
  InitOnce();
  context.reset(heif_context_alloc());
  if (!context) return absl::ResourceExhaustedError("no memory for a HEIC context");
  heif_context_set_max_decoding_threads(context.get(), 0);
  heif_error error =
      heif_context_read_from_memory_without_copy(context.get(), heic.data(), heic.size(), nullptr);
  if (error.code != heif_error_Ok) return Undecodable(error);
  heif_image_handle* handle = nullptr;
  error = heif_context_get_primary_image_handle(context.get(), &handle);
  if (error.code != heif_error_Ok) return Undecodable(error);
  return Handle(handle);
}

std::optional<ImageSize> SizeOf(const heif_image_handle* handle) {
  const int width = heif_image_handle_get_width(handle);
  const int height = heif_image_handle_get_height(handle);
  if (width <= 0 || height <= 0) return std::nullopt;
  return ImageSize{static_cast<uint32_t>(width), static_cast<uint32_t>(height)};
}

}  // namespace

std::optional<ImageSize> HeifDimensions(std::string_view heic) {
  Context context;
  auto handle = PrimaryImage(heic, context);
  if (!handle.ok()) return std::nullopt;
  return SizeOf(handle->get());
}

absl::StatusOr<RgbImage> DecodeHeif(std::string_view heic, uint64_t max_pixels) {
  Context context;
  auto handle = PrimaryImage(heic, context);
  if (!handle.ok()) return handle.status();
  const std::optional<ImageSize> size = SizeOf(handle->get());
  if (!size) return absl::InvalidArgumentError("undecodable HEIC image: no size");
  if (uint64_t{size->width} * size->height > max_pixels) {
    return absl::InvalidArgumentError("the image has more than " + std::to_string(max_pixels) +
                                      " pixels");
  }
  DecodeSlots().acquire();
  std::unique_ptr<std::counting_semaphore<2>, SlotRelease> slot(&DecodeSlots());
  std::unique_ptr<heif_decoding_options, OptionsFree> options(heif_decoding_options_alloc());
  options->ignore_transformations = 0;  // shown as taken: turned and mirrored
  heif_image* decoded = nullptr;
  heif_error error = heif_decode_image(handle->get(), &decoded, heif_colorspace_RGB,
                                       heif_chroma_interleaved_RGB, options.get());
  if (error.code != heif_error_Ok) return Undecodable(error);
  std::unique_ptr<const heif_image, ImageRelease> image(decoded);
  const int width = heif_image_get_width(decoded, heif_channel_interleaved);
  const int height = heif_image_get_height(decoded, heif_channel_interleaved);
  int stride = 0;
  const uint8_t* plane = heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride);
  if (plane == nullptr || width <= 0 || height <= 0 || stride < width * 3) {
    return absl::InvalidArgumentError("undecodable HEIC image: no RGB plane");
  }
  RgbImage out = BlankImage({static_cast<uint32_t>(width), static_cast<uint32_t>(height)});
  const size_t row = size_t{out.size.width} * 3;
  for (int y = 0; y < height; ++y) {
    std::memcpy(&out.pixels[y * row], plane + size_t(y) * size_t(stride), row);
  }
  return out;
}

}  // namespace branchline::files
