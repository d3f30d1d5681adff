// HEIC photos (services/files/media/heif_image.h): their size and thumbnail. The photos are
// encoded here with libheif's own HEVC encoder (x265), and the thumbnails decoded with libjpeg.

// jpeglib.h uses FILE without including stdio.h.
// clang-format off
#include <stdio.h>
#include <jpeglib.h>
// clang-format on
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "services/files/media/content_sniff.h"
#include "services/files/media/heif_image.h"
#include "services/files/media/thumbnail.h"
#include "tests/services/sample_images.h"

namespace branchline::files {
namespace {

struct Pixels {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  const uint8_t* At(int x, int y) const { return &rgb[(size_t(y) * width + x) * 3]; }
};

// The thumbnail decoded (it is a valid baseline JPEG: libjpeg's default errors suffice).
Pixels DecodeJpeg(const std::string& jpeg) {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr errors;
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size());
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  Pixels out{int(cinfo.output_width), int(cinfo.output_height), {}};
  out.rgb.resize(size_t(out.width) * out.height * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    unsigned char* row = &out.rgb[size_t(cinfo.output_scanline) * out.width * 3];
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return out;
}

void ExpectNear(const uint8_t* pixel, int r, int g, int b) {
  EXPECT_NEAR(pixel[0], r, 40);
  EXPECT_NEAR(pixel[1], g, 40);
  EXPECT_NEAR(pixel[2], b, 40);
}

TEST(FilesHeif, AnIphonePhotoHasItsSizeAndAThumbnail) {
  const std::string heic = testing::RedBlueHeic(640, 480);
  ASSERT_FALSE(heic.empty());
  ASSERT_EQ(SniffFileKind(heic), FileKind::kHeic);
  auto size = ImageDimensions(heic, FileKind::kHeic);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 640u);
  EXPECT_EQ(size->height, 480u);

  auto thumbnail = MakeThumbnail(heic, FileKind::kHeic);
  ASSERT_TRUE(thumbnail.ok()) << thumbnail.status();
  EXPECT_EQ(thumbnail->width, 320u);
  EXPECT_EQ(thumbnail->height, 240u);
  Pixels pixels = DecodeJpeg(thumbnail->jpeg);
  ASSERT_EQ(pixels.width, 320);
  ASSERT_EQ(pixels.height, 240);
  ExpectNear(pixels.At(40, 120), 220, 20, 20);   // the red half
  ExpectNear(pixels.At(280, 120), 20, 20, 220);  // the blue half
}

TEST(FilesHeif, DamagedAndHugeHeicImagesAreRefusedNotCrashed) {
  const std::string heic = testing::RedBlueHeic(64, 48);
  ASSERT_FALSE(heic.empty());
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(MakeThumbnail(heic.substr(0, heic.size() / 2), FileKind::kHeic).status().code(),
            kInvalid);
  EXPECT_FALSE(ImageDimensions(heic.substr(0, 40), FileKind::kHeic).has_value());
  std::string scrambled = heic;
  for (size_t i = heic.size() / 2; i < heic.size(); ++i) scrambled[i] = char(i * 31);
  auto decoded = MakeThumbnail(scrambled, FileKind::kHeic);
  if (!decoded.ok()) EXPECT_EQ(decoded.status().code(), kInvalid);
  // More pixels than allowed: refused before any decoding.
  EXPECT_EQ(DecodeHeif(heic, 64 * 48 - 1).status().code(), kInvalid);
  EXPECT_TRUE(DecodeHeif(heic, 64 * 48).ok());
}

}  // namespace
}  // namespace branchline::files
