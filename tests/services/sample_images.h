// Photos for tests: a JPEG encoded with libjpeg and a HEIC encoded with libheif's own HEVC
// encoder (x265, which Debian's libheif1 carries), shared by the upload, thumbnail and
// handbook tests.
#pragma once

// jpeglib.h uses FILE without including stdio.h.
// clang-format off
#include <stdio.h>
#include <jpeglib.h>
// clang-format on
#include <gtest/gtest.h>
#include <libheif/heif.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace branchline::testing {

// A baseline JPEG of a colour gradient, width × height.
inline std::string GradientJpeg(int width, int height, int quality = 90) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr errors;
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(width * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    for (int x = 0; x < width; ++x) {
      row[3 * x] = static_cast<unsigned char>(x * 255 / width);
      row[3 * x + 1] = static_cast<unsigned char>(cinfo.next_scanline * 255 / height);
      row[3 * x + 2] = static_cast<unsigned char>((x + cinfo.next_scanline) % 256);
    }
    JSAMPROW rows[] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string jpeg(reinterpret_cast<char*>(buffer), size);
  std::free(buffer);
  return jpeg;
}

inline heif_error AppendHeicBytes(heif_context*, const void* data, size_t size, void* out) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return {heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

// A width × height HEIC photo: its left half red, its right half blue.
inline std::string RedBlueHeic(int width, int height) {
  heif_context* context = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  std::string out;
  if (heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder).code !=
      heif_error_Ok) {
    ADD_FAILURE() << "libheif has no HEVC encoder";
    heif_context_free(context);
    return out;
  }
  heif_encoder_set_lossy_quality(encoder, 90);
  heif_image* image = nullptr;
  heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image);
  heif_image_add_plane(image, heif_channel_interleaved, width, height, 8);
  int stride = 0;
  uint8_t* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* pixel = plane + y * stride + x * 3;
      const bool left = x < width / 2;
      pixel[0] = left ? 220 : 20;
      pixel[1] = 20;
      pixel[2] = left ? 20 : 220;
    }
  }
  EXPECT_EQ(heif_context_encode_image(context, image, encoder, nullptr, nullptr).code,
            heif_error_Ok);
  heif_writer writer{1, &AppendHeicBytes};
  EXPECT_EQ(heif_context_write(context, &writer, &out).code, heif_error_Ok);
  heif_image_release(image);
  heif_encoder_release(encoder);
  heif_context_free(context);
  return out;
}

}  // namespace branchline::testing
