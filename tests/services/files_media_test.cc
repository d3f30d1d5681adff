// The media library of the files service (services/files/media): content sniffing, image
// metadata removal and thumbnails. The images are made here with libjpeg and libpng, the
// metadata is written in by hand, and every result is decoded again with the same libraries.

// jpeglib.h uses FILE without including stdio.h.
// clang-format off
#include <stdio.h>
#include <jpeglib.h>
// clang-format on
#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/files/media/content_sniff.h"
#include "services/files/media/image_metadata.h"
#include "services/files/media/thumbnail.h"

namespace branchline::files {
namespace {

using namespace std::string_literals;  // NOLINT: byte strings hold NULs

std::string Be16(uint32_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
std::string Be32(uint32_t v) { return Be16(v >> 16) + Be16(v); }
std::string Le16(uint32_t v) { return {static_cast<char>(v), static_cast<char>(v >> 8)}; }
std::string Le32(uint32_t v) { return Le16(v) + Le16(v >> 16); }
uint32_t ReadBe16(std::string_view s, size_t at) {
  return static_cast<uint8_t>(s[at]) << 8 | static_cast<uint8_t>(s[at + 1]);
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// --- Pixels ---

// A gradient: red grows to the right, green downwards, blue fixed; distinct corners.
std::vector<uint8_t> Gradient(int width, int height) {
  std::vector<uint8_t> pixels;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      pixels.push_back(x * 255 / std::max(1, width - 1));
      pixels.push_back(y * 255 / std::max(1, height - 1));
      pixels.push_back(128);
    }
  }
  return pixels;
}

// The gradient in another layout: grey (the mean), RGBA (left half transparent), or CMYK as
// Adobe writes it (inverted: the RGB values and no black).
std::vector<uint8_t> Grey(const std::vector<uint8_t>& rgb) {
  std::vector<uint8_t> grey;
  for (size_t i = 0; i < rgb.size(); i += 3) grey.push_back((rgb[i] + rgb[i + 1] + rgb[i + 2]) / 3);
  return grey;
}
std::vector<uint8_t> WithAlpha(const std::vector<uint8_t>& rgb, int width) {
  std::vector<uint8_t> rgba;
  for (size_t i = 0; i < rgb.size(); i += 3) {
    rgba.insert(rgba.end(), {rgb[i], rgb[i + 1], rgb[i + 2]});
    rgba.push_back(static_cast<int>(i / 3 % width) < width / 2 ? 0 : 255);
  }
  return rgba;
}
std::vector<uint8_t> AdobeCmyk(const std::vector<uint8_t>& rgb) {
  std::vector<uint8_t> cmyk;
  for (size_t i = 0; i < rgb.size(); i += 3)
    cmyk.insert(cmyk.end(), {rgb[i], rgb[i + 1], rgb[i + 2], 255});
  return cmyk;
}

// --- libjpeg, in the same setjmp style as the library ---

struct TestJpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};
[[noreturn]] void JumpBack(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<TestJpegErrors*>(cinfo->err)->jump, 1);
}
void Quiet(j_common_ptr) {}
jpeg_error_mgr* InitErrors(TestJpegErrors* errors) {
  jpeg_std_error(&errors->manager);
  errors->manager.error_exit = JumpBack;
  errors->manager.output_message = Quiet;
  return &errors->manager;
}

struct JpegLayout {
  J_COLOR_SPACE space = JCS_RGB;
  int components = 3;
  bool progressive = false;
  bool scan_per_coefficient = false;  // 1 DC scan + 63 AC scans a component: 190 scans
};

bool WriteJpeg(const uint8_t* pixels, int width, int height, JpegLayout layout, unsigned char** out,
               unsigned long* out_size) {
  jpeg_compress_struct cinfo;
  TestJpegErrors errors;
  jpeg_scan_info scans[1 + 3 * 63];
  cinfo.err = InitErrors(&errors);
  if (setjmp(errors.jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, out_size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = layout.components;
  cinfo.in_color_space = layout.space;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 90, TRUE);
  if (layout.progressive) jpeg_simple_progression(&cinfo);
  if (layout.scan_per_coefficient) {
    scans[0] = {3, {0, 1, 2}, 0, 0, 0, 0};
    for (int c = 0; c < 3; ++c) {
      for (int k = 1; k < 64; ++k) scans[c * 63 + k] = {1, {c}, k, k, 0, 0};
    }
    cinfo.scan_info = scans;
    cinfo.num_scans = 1 + 3 * 63;
  }
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row =
        const_cast<uint8_t*>(pixels) + size_t{cinfo.next_scanline} * width * layout.components;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

std::string EncodeJpeg(const std::vector<uint8_t>& pixels, int width, int height,
                       JpegLayout layout = {}) {
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  EXPECT_TRUE(WriteJpeg(pixels.data(), width, height, layout, &buffer, &size));
  std::string jpeg(reinterpret_cast<char*>(buffer), size);
  std::free(buffer);
  return jpeg;
}

std::string GradientJpeg(int width, int height) {
  return EncodeJpeg(Gradient(width, height), width, height);
}

bool ReadJpeg(const unsigned char* data, size_t size, unsigned char** pixels, int* width,
              int* height, int* components) {
  jpeg_decompress_struct cinfo;
  TestJpegErrors errors;
  unsigned char* volatile buffer = nullptr;
  cinfo.err = InitErrors(&errors);
  if (setjmp(errors.jump)) {
    std::free(buffer);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, size);
  jpeg_read_header(&cinfo, TRUE);
  jpeg_start_decompress(&cinfo);
  const size_t stride = size_t{cinfo.output_width} * cinfo.output_components;
  buffer = static_cast<unsigned char*>(std::malloc(stride * cinfo.output_height));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = buffer + cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  *width = cinfo.output_width;
  *height = cinfo.output_height;
  *components = cinfo.output_components;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  *pixels = buffer;
  return true;
}

struct Decoded {
  int width = 0;
  int height = 0;
  int components = 0;
  std::vector<uint8_t> pixels;

  const uint8_t* At(int x, int y) const {
    return &pixels[(static_cast<size_t>(y) * width + x) * components];
  }
};

std::optional<Decoded> DecodeJpeg(std::string_view jpeg) {
  unsigned char* pixels = nullptr;
  Decoded decoded;
  if (!ReadJpeg(reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(), &pixels,
                &decoded.width, &decoded.height, &decoded.components)) {
    return std::nullopt;
  }
  decoded.pixels.assign(
      pixels, pixels + static_cast<size_t>(decoded.width) * decoded.height * decoded.components);
  std::free(pixels);
  return decoded;
}

// The marker segments before the first scan, as (marker, payload).
std::vector<std::pair<uint8_t, std::string>> HeaderSegments(std::string_view jpeg) {
  std::vector<std::pair<uint8_t, std::string>> segments;
  for (size_t at = 2; at + 4 <= jpeg.size() && static_cast<uint8_t>(jpeg[at]) == 0xff;) {
    const uint8_t marker = jpeg[at + 1];
    const size_t length = ReadBe16(jpeg, at + 2);
    segments.emplace_back(marker, std::string(jpeg.substr(at + 4, length - 2)));
    if (marker == 0xda) break;
    at += 2 + length;
  }
  return segments;
}

std::string Segment(uint8_t marker, std::string_view payload) {
  return "\xff"s + static_cast<char>(marker) + Be16(payload.size() + 2) + std::string(payload);
}

// --- Metadata written by hand ---

constexpr std::string_view kMake = "SecretCam";
constexpr std::string_view kModel = "ModelX-1000";

// A TIFF structure in either byte order.
struct TiffWriter {
  bool little_endian = false;
  std::string U16(uint32_t v) const { return little_endian ? Le16(v) : Be16(v); }
  std::string U32(uint32_t v) const { return little_endian ? Le32(v) : Be32(v); }
  std::string Entry(uint32_t tag, uint32_t type, uint32_t count, std::string value) const {
    return U16(tag) + U16(type) + U32(count) + value;
  }
};

// The GPS IFD (latitude 52° 31' 12.34" N) for an EXIF whose GPS IFD starts at `at`.
std::string GpsIfd(const TiffWriter& tiff, uint32_t at) {
  return tiff.U16(2) + tiff.Entry(0x0001, 2, 2, "N\0\0\0"s) +
         tiff.Entry(0x0002, 5, 3, tiff.U32(at + 2 + 2 * 12 + 4)) + tiff.U32(0) + tiff.U32(52) +
         tiff.U32(1) + tiff.U32(31) + tiff.U32(1) + tiff.U32(1234) + tiff.U32(100);
}

// An EXIF APP1 payload: IFD0 with Make, Model, Orientation (when given) and a GPS IFD.
std::string ExifPayload(std::optional<int> orientation, bool little_endian = false) {
  const TiffWriter tiff{little_endian};
  const uint32_t entries = orientation ? 4 : 3;
  const uint32_t make_at = 8 + 2 + entries * 12 + 4;
  const uint32_t model_at = make_at + kMake.size() + 1;
  const uint32_t gps_at = model_at + kModel.size() + 1;
  std::string out = (little_endian ? "II*\0"s : "MM\0*"s) + tiff.U32(8) + tiff.U16(entries);
  out += tiff.Entry(0x010f, 2, kMake.size() + 1, tiff.U32(make_at));
  out += tiff.Entry(0x0110, 2, kModel.size() + 1, tiff.U32(model_at));
  if (orientation) out += tiff.Entry(0x0112, 3, 1, tiff.U16(*orientation) + tiff.U16(0));
  out += tiff.Entry(0x8825, 4, 1, tiff.U32(gps_at));
  out += tiff.U32(0) + std::string(kMake) + '\0' + std::string(kModel) + '\0';
  out += GpsIfd(tiff, gps_at);
  return "Exif\0\0"s + out;
}

const std::string kXmp =
    "http://ns.adobe.com/xap/1.0/\0"s
    "<x:xmpmeta><rdf:Description xmp:CreatorTool=\"PhoneEditor\"/></x:xmpmeta>";
const std::string kComment = "shot by driver 4711 near the depot";
const std::string kPhotoshop =
    "Photoshop 3.0\0"
    "8BIM\x04\x04\0\0\0\0\0\x0c\x1c\x02\x50\0\x08Jane Doe"s;
const std::string kIcc = "ICC_PROFILE\0\x01\x01"s + "device: Pixel 7 serial 99A1";
const std::string kTrailer = "MotionPhoto_Data: a video with its own GPS track";
// A JFIF APP0 with a 2×2 thumbnail (12 RGB bytes) of the uncropped photo.
const std::string kJfifWithThumbnail = "JFIF\0\x01\x01\0\0\x01\0\x01\x02\x02"s + "THUMBNAILPIX";

// `jpeg` (as libjpeg writes it: SOI, then JFIF APP0 or Adobe APP14, …) with a thumbnail in
// its JFIF APP0, EXIF (`exif`, unless empty), XMP, COM, APP13 and ICC segments after that
// first segment, and a trailer after EOI.
std::string WithJpegMetadata(std::string_view jpeg, const std::string& exif) {
  const size_t first_end = 4 + ReadBe16(jpeg, 4);
  std::string out = "\xff\xd8"s + (jpeg[3] == '\xe0' ? Segment(0xe0, kJfifWithThumbnail)
                                                     : std::string(jpeg.substr(2, first_end - 2)));
  if (!exif.empty()) out += Segment(0xe1, exif);
  out += Segment(0xe1, kXmp) + Segment(0xfe, kComment) + Segment(0xed, kPhotoshop) +
         Segment(0xe2, kIcc);
  out += std::string(jpeg.substr(first_end)) + kTrailer;
  return out;
}

// --- libpng ---

std::string EncodePng(const std::vector<uint8_t>& pixels, int width, int height, bool alpha) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr));
  std::string png(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), 0, nullptr));
  png.resize(size);
  return png;
}

std::string GradientPng(int width, int height) {
  return EncodePng(Gradient(width, height), width, height, false);
}

// libpng's decode to RGBA, or nullopt.
std::optional<Decoded> DecodePng(std::string_view png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) return std::nullopt;
  image.format = PNG_FORMAT_RGBA;
  Decoded decoded{static_cast<int>(image.width), static_cast<int>(image.height), 4,
                  std::vector<uint8_t>(PNG_IMAGE_SIZE(image))};
  if (!png_image_finish_read(&image, nullptr, decoded.pixels.data(), 0, nullptr)) {
    return std::nullopt;
  }
  return decoded;
}

std::string Chunk(std::string_view type, std::string_view data) {
  std::string chunk = Be32(data.size()) + std::string(type) + std::string(data);
  return chunk + Be32(crc32(0, reinterpret_cast<const Bytef*>(chunk.data() + 4), chunk.size() - 4));
}

constexpr size_t kAfterIhdr = 8 + 12 + 13;

// The chunk types of a PNG, in order.
std::vector<std::string> ChunkTypes(std::string_view png) {
  std::vector<std::string> types;
  for (size_t at = 8; at + 12 <= png.size();
       at += 12 + (ReadBe16(png, at) << 16 | ReadBe16(png, at + 2))) {
    types.emplace_back(png.substr(at + 4, 4));
  }
  return types;
}

const std::string kPngText = Chunk("tEXt", "Author\0Alice Example"s);
const std::string kPngItxt =
    Chunk("iTXt", "Description\0\0\0en\0Beschreibung\0taken at home, 12 Elm St"s);
const std::string kPngExif = Chunk("eXIf", ExifPayload(6).substr(6));
const std::string kPngTime = Chunk("tIME", "\x07\xea\x03\x0f\x0c\x22\x38"s);

// `png` with tEXt, iTXt, eXIf and tIME after IHDR, a tEXt before IEND and a trailer.
std::string WithPngMetadata(std::string_view png) {
  const size_t iend = png.size() - 12;
  return std::string(png.substr(0, kAfterIhdr)) + kPngText + kPngItxt + kPngExif + kPngTime +
         std::string(png.substr(kAfterIhdr, iend - kAfterIhdr)) +
         Chunk("tEXt", "Comment\0second one"s) + std::string(png.substr(iend)) + kTrailer;
}

// --- ZIP, stored entries ---

std::string Zip(const std::vector<std::string>& names, std::string_view comment = "") {
  std::string local, central;
  const std::string data = "<x/>";
  const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(data.data()), data.size());
  for (const std::string& name : names) {
    const std::string common = Le16(0) + Le16(0) + Le16(0) + Le16(0) + Le32(crc) +
                               Le32(data.size()) + Le32(data.size()) + Le16(name.size()) +
                               Le16(0);  // flags, method, time, date, sizes, name, extra
    central += "PK\x01\x02"s + Le16(20) + Le16(20) + common + Le16(0) + Le16(0) + Le16(0) +
               Le32(0) + Le32(local.size()) + name;
    local += "PK\x03\x04"s + Le16(20) + common + name + data;
  }
  return local + central + "PK\x05\x06"s + Le16(0) + Le16(0) + Le16(names.size()) +
         Le16(names.size()) + Le32(central.size()) + Le32(local.size()) + Le16(comment.size()) +
         std::string(comment);
}

const std::vector<std::string> kDocxEntries = {"[Content_Types].xml", "_rels/.rels",
                                               "word/document.xml", "word/styles.xml"};

// An ISO-BMFF file: an ftyp box with these brands, then an empty mdat box.
std::string IsoMedia(std::string_view major, std::vector<std::string> compatible) {
  std::string box = "ftyp" + std::string(major) + Be32(0);
  for (const std::string& brand : compatible) box += brand;
  return Be32(box.size() + 4) + box + Be32(8) + "mdat";
}

// --- Sniffing ---

TEST(FilesMediaSniff, AcceptedKindsByContent) {
  const struct {
    std::string content;
    FileKind kind;
    std::string_view mime, extension, description;
  } cases[] = {
      {GradientJpeg(16, 16), FileKind::kJpeg, "image/jpeg", "jpg", "JPEG image"},
      {GradientPng(16, 16), FileKind::kPng, "image/png", "png", "PNG image"},
      {IsoMedia("heic", {"mif1", "heic"}), FileKind::kHeic, "image/heic", "heic", "HEIC image"},
      {IsoMedia("mif1", {"heic"}), FileKind::kHeic, "image/heic", "heic", "HEIC image"},
      {IsoMedia("isom", {"msf1"}), FileKind::kHeic, "image/heic", "heic", "HEIC image"},
      {"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", FileKind::kPdf, "application/pdf", "pdf",
       "PDF document"},
      {Zip(kDocxEntries), FileKind::kDocx,
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
       "Word document"},
      {Zip(kDocxEntries, "a zip comment"), FileKind::kDocx,
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
       "Word document"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.description);
    EXPECT_EQ(SniffFileKind(c.content), c.kind);
    EXPECT_EQ(MimeType(c.kind), c.mime);
    EXPECT_EQ(FileExtension(c.kind), c.extension);
    EXPECT_EQ(DescribeContent(c.content), c.description);
  }
  EXPECT_EQ(MimeType(FileKind::kUnknown), "");
  EXPECT_EQ(FileExtension(FileKind::kUnknown), "");
}

TEST(FilesMediaSniff, DisguisedAndOtherFilesAreUnknownWithAPlainDescription) {
  const std::string elf =
      "\x7f"
      "ELF\x02\x01\x01\0"s +
      std::string(56, '\0');
  const struct {
    std::string content;
    std::string_view description;
  } cases[] = {
      {elf, "ELF program"},
      {"GIF89a\x10\0\x10\0\x80\0\0"s, "GIF image"},
      {"GIF87a\x01\0\x01\0"s, "GIF image"},
      {"MZ\x90\0\x03\0\0\0"s + std::string(60, '\0'), "Windows program"},
      {"\xcf\xfa\xed\xfe\x07\0\0\x01"s, "macOS program"},
      {"#!/bin/sh\nrm -rf /\n", "script"},
      {Zip({"a.txt", "b/c.txt"}), "ZIP archive"},
      {Zip({"[Content_Types].xml", "_rels/.rels", "docProps/app.xml"}), "ZIP archive"},
      {Zip({"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"}), "ZIP archive"},
      {Zip({"word/document.xml"}), "ZIP archive"},
      {Zip({"[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"}),
       "Word document with macros"},
      {Zip({}), "ZIP archive"},
      {"Rar!\x1a\x07\x01\0"s, "RAR archive"},
      {"\x1f\x8b\x08\0\0\0\0\0"s, "gzip archive"},
      {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"s + std::string(504, '\0'), "Office 97-2003 document"},
      {"II*\0\x08\0\0\0"s, "TIFF image"},
      {"RIFF\x24\0\0\0WEBPVP8 "s, "WebP image"},
      {"BM\x36\0\0\0\0\0\0\0\x36\0\0\0"s + std::string(40, '\0'), "BMP image"},
      {IsoMedia("avif", {"avif", "mif1", "miaf"}), "AVIF image"},
      {IsoMedia("isom", {"isom", "iso2", "mp41"}), "MP4 video"},
      {"junk before %PDF-1.4\n", "plain text"},
      {"Hello,\r\n\tthis is a note.\n", "plain text"},
      {"\xef\xbb\xbf司机排班表\n第一行\n", "plain text"},
      {"\x89PNG\r\n\x1a\n"s + Be32(0) + "IEND", "unknown data"},
      {"\x89PNG\r\n\x1a\n"s, "unknown data"},
      {"\xff\xd8", "unknown data"},
      {"\0\x01\x02\x03\xfe\xff"s, "unknown data"},
      {"", "empty file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.description);
    EXPECT_EQ(SniffFileKind(c.content), FileKind::kUnknown);
    EXPECT_EQ(DescribeContent(c.content), c.description);
  }
}

TEST(FilesMediaSniff, DamagedZipDirectoriesAreNotDocx) {
  const std::string docx = Zip(kDocxEntries);
  ASSERT_EQ(SniffFileKind(docx), FileKind::kDocx);
  // The end record's comment length must reach exactly the end.
  EXPECT_EQ(SniffFileKind(docx.substr(0, docx.size() - 1)), FileKind::kUnknown);
  EXPECT_EQ(SniffFileKind(docx + "x"), FileKind::kUnknown);
  const size_t end_record = docx.size() - 22;
  auto with_le32 = [&](size_t at, uint32_t value) {
    std::string damaged = docx;
    damaged.replace(at, 4, Le32(value));
    return damaged;
  };
  EXPECT_EQ(SniffFileKind(with_le32(end_record + 16, 0xfffffff0)), FileKind::kUnknown);
  EXPECT_EQ(SniffFileKind(with_le32(end_record + 12, 0xffffffff)), FileKind::kUnknown);
  EXPECT_EQ(SniffFileKind(with_le32(end_record + 12, 10)), FileKind::kUnknown);
  std::string more_entries = docx;
  more_entries.replace(end_record + 10, 2, Le16(60000));
  EXPECT_EQ(SniffFileKind(more_entries), FileKind::kUnknown);
  // A name length running past the directory.
  const size_t first_central = docx.find("PK\x01\x02");
  std::string long_name = docx;
  long_name.replace(first_central + 28, 2, Le16(0xffff));
  EXPECT_EQ(SniffFileKind(long_name), FileKind::kUnknown);
  // HEIC: a box larger than the file, or too small to hold its brands.
  std::string heic = IsoMedia("heic", {"mif1"});
  heic.replace(0, 4, Be32(4096));
  EXPECT_EQ(SniffFileKind(heic), FileKind::kUnknown);
  heic.replace(0, 4, Be32(8));
  EXPECT_EQ(SniffFileKind(heic), FileKind::kUnknown);
}

// Whatever the bytes, every function returns; the checks are the sanitizer-free minimum:
// no crash, no hang, and a truncated image is never accepted as whole.
void ExerciseEverything(std::string_view content) {
  const FileKind kind = SniffFileKind(content);
  EXPECT_FALSE(DescribeContent(content).empty());
  (void)StripJpegMetadata(content);
  (void)StripPngMetadata(content);
  (void)JpegOrientation(content);
  for (FileKind as : {FileKind::kJpeg, FileKind::kPng, kind}) {
    (void)ImageDimensions(content, as);
    auto thumbnail = MakeThumbnail(content, as, 16);
    if (thumbnail.ok()) {
      EXPECT_TRUE(DecodeJpeg(thumbnail->jpeg).has_value());
    }
  }
}

TEST(FilesMediaHostile, TruncatedImagesAreRefusedAndNothingCrashes) {
  const std::string jpeg = GradientJpeg(40, 24);
  const std::string tagged = WithJpegMetadata(jpeg, ExifPayload(6));
  const std::string png = WithPngMetadata(GradientPng(20, 12));
  const std::string png_end = png.substr(0, png.size() - kTrailer.size());
  for (size_t size = 0; size < jpeg.size(); ++size) {
    SCOPED_TRACE("JPEG prefix of " + std::to_string(size));
    const std::string_view prefix = std::string_view(jpeg).substr(0, size);
    EXPECT_EQ(StripJpegMetadata(prefix).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(MakeThumbnail(prefix, FileKind::kJpeg).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  for (size_t size = 0; size < tagged.size(); ++size) {
    ExerciseEverything(std::string_view(tagged).substr(0, size));
  }
  for (size_t size = 0; size < png_end.size(); ++size) {
    SCOPED_TRACE("PNG prefix of " + std::to_string(size));
    const std::string_view prefix = std::string_view(png_end).substr(0, size);
    EXPECT_EQ(StripPngMetadata(prefix).status().code(), absl::StatusCode::kInvalidArgument);
    ExerciseEverything(prefix);
  }
  const std::string docx = Zip(kDocxEntries, "comment");
  for (size_t size = 0; size < docx.size(); ++size) ExerciseEverything(docx.substr(0, size));
}

TEST(FilesMediaHostile, RandomAndMutatedInputsDoNotCrash) {
  std::mt19937 random(20261203);
  const std::string seeds[] = {
      WithJpegMetadata(GradientJpeg(24, 16), ExifPayload(6)),
      EncodeJpeg(Gradient(24, 16), 24, 16, {JCS_RGB, 3, true}),
      WithPngMetadata(EncodePng(WithAlpha(Gradient(24, 16), 24), 24, 16, true)),
      Zip(kDocxEntries),
      IsoMedia("heic", {"mif1", "heic"}),
  };
  for (const std::string& seed : seeds) {
    for (int round = 0; round < 300; ++round) {
      std::string mutated = seed;
      const int flips = 1 + random() % 8;
      for (int i = 0; i < flips; ++i) {
        const size_t at = random() % mutated.size();
        mutated[at] = random() % 3 == 0 ? '\xff' : static_cast<char>(random());
      }
      ExerciseEverything(mutated);
    }
  }
  for (int round = 0; round < 300; ++round) {
    std::string noise(random() % 256, '\0');
    for (char& c : noise) c = static_cast<char>(random());
    const std::string prefixes[] = {""s, "\xff\xd8\xff"s, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"s,
                                    "PK\x03\x04"s,
                                    "\0\0\0\x18"
                                    "ftypheic"s};
    for (const std::string& prefix : prefixes) ExerciseEverything(prefix + noise);
  }
}

// --- JPEG metadata ---

// The orientation-only EXIF, as the EXIF and TIFF specifications spell it out.
std::string OrientationOnlyExif(char orientation) {
  return "Exif\0\0"s + "MM\0*\0\0\0\x08"s + "\0\x01"s + "\x01\x12\0\x03\0\0\0\x01\0"s +
         orientation + "\0\0"s + "\0\0\0\0"s;
}

TEST(FilesMediaJpeg, StrippingRemovesEveryMetadataSegmentAndKeepsThePixels) {
  const std::string clean = GradientJpeg(64, 48);
  const std::string exif = ExifPayload(6);
  const std::string tagged = WithJpegMetadata(clean, exif);
  auto stripped = StripJpegMetadata(tagged);
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  // The GPS IFD's latitude-reference entry and its latitude (the rest holds offsets).
  const std::string gps = GpsIfd(TiffWriter{}, 0);
  const std::string secrets[] = {gps.substr(2, 12),
                                 gps.substr(2 + 2 * 12 + 4),
                                 std::string(kMake),
                                 std::string(kModel),
                                 "http://ns.adobe.com/xap",
                                 kComment,
                                 "Photoshop 3.0",
                                 "Jane Doe",
                                 "ICC_PROFILE",
                                 "THUMBNAILPIX",
                                 kTrailer};
  for (const std::string& secret : secrets) {
    EXPECT_TRUE(Contains(tagged, secret)) << secret;
    EXPECT_FALSE(Contains(*stripped, secret)) << secret;
  }
  EXPECT_EQ(Count(*stripped, "Exif\0\0"s), 1u);

  const auto segments = HeaderSegments(*stripped);
  ASSERT_GE(segments.size(), 3u);
  EXPECT_EQ(segments[0].first, 0xe0);
  EXPECT_EQ(segments[0].second, "JFIF\0\x01\x01\0\0\x01\0\x01\0\0"s);
  EXPECT_EQ(segments[1].first, 0xe1);
  EXPECT_EQ(segments[1].second, OrientationOnlyExif(6));
  for (size_t i = 2; i < segments.size(); ++i) {
    EXPECT_FALSE(segments[i].first >= 0xe0 && segments[i].first <= 0xef) << i;
    EXPECT_NE(segments[i].first, 0xfe);
  }
  EXPECT_EQ(JpegOrientation(tagged), 6);
  EXPECT_EQ(JpegOrientation(*stripped), 6);

  auto before = DecodeJpeg(tagged), after = DecodeJpeg(*stripped);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->width, 64);
  EXPECT_EQ(after->height, 48);
  EXPECT_EQ(after->pixels, before->pixels);
  // The scan data is the original's, byte for byte, and stripping is idempotent.
  EXPECT_TRUE(Contains(*stripped, clean.substr(clean.find("\xff\xda"))));
  EXPECT_EQ(StripJpegMetadata(*stripped).value(), *stripped);
}

TEST(FilesMediaJpeg, NoApp1UnlessTheOrientationIsTurned) {
  const std::string clean = GradientJpeg(32, 32);
  for (const std::string& exif : {ExifPayload(1), ExifPayload(std::nullopt), ""s}) {
    auto stripped = StripJpegMetadata(WithJpegMetadata(clean, exif));
    ASSERT_TRUE(stripped.ok()) << stripped.status();
    for (const auto& [marker, payload] : HeaderSegments(*stripped)) EXPECT_NE(marker, 0xe1);
    EXPECT_FALSE(Contains(*stripped, "Exif"));
    EXPECT_EQ(JpegOrientation(*stripped), 1);
    // libjpeg's own output has nothing to remove: it comes back unchanged.
    EXPECT_EQ(*stripped, clean);
  }
  EXPECT_EQ(StripJpegMetadata(clean).value(), clean);
}

TEST(FilesMediaJpeg, LittleEndianExifAndOrientationWithoutJfif) {
  const std::string clean = GradientJpeg(32, 16);
  const size_t app0_end = 4 + ReadBe16(clean, 4);
  // EXIF first, as cameras write it, and no JFIF APP0.
  const std::string camera =
      "\xff\xd8"s + Segment(0xe1, ExifPayload(8, true)) + clean.substr(app0_end);
  EXPECT_EQ(JpegOrientation(camera), 8);
  auto stripped = StripJpegMetadata(camera);
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  const auto segments = HeaderSegments(*stripped);
  ASSERT_FALSE(segments.empty());
  EXPECT_EQ(segments[0].first, 0xe1);
  EXPECT_EQ(segments[0].second, OrientationOnlyExif(8));
  EXPECT_FALSE(Contains(*stripped, kMake));
  // Orientation values outside 1..8 mean nothing: no APP1.
  auto odd =
      StripJpegMetadata("\xff\xd8"s + Segment(0xe1, ExifPayload(9)) + clean.substr(app0_end));
  ASSERT_TRUE(odd.ok());
  EXPECT_FALSE(Contains(*odd, "Exif"));
}

TEST(FilesMediaJpeg, ProgressiveAndCmykJpegsKeepTheirScansAndAdobeSegment) {
  const std::vector<uint8_t> rgb = Gradient(48, 32);
  const std::string progressive = EncodeJpeg(rgb, 48, 32, {JCS_RGB, 3, true});
  const std::string cmyk = EncodeJpeg(AdobeCmyk(rgb), 48, 32, {JCS_CMYK, 4});
  for (const std::string& jpeg : {progressive, cmyk}) {
    // A COM segment between two scans goes too.
    const std::string tagged = WithJpegMetadata(jpeg, ExifPayload(3));
    const size_t second_scan = tagged.find("\xff\xda", tagged.find("\xff\xda") + 2);
    const std::string with_comment =
        second_scan == std::string::npos
            ? tagged
            : tagged.substr(0, second_scan) + Segment(0xfe, kComment) + tagged.substr(second_scan);
    auto stripped = StripJpegMetadata(with_comment);
    ASSERT_TRUE(stripped.ok()) << stripped.status();
    EXPECT_FALSE(Contains(*stripped, kComment));
    auto before = DecodeJpeg(jpeg), after = DecodeJpeg(*stripped);
    ASSERT_TRUE(before && after);
    EXPECT_EQ(after->components, before->components);
    EXPECT_EQ(after->pixels, before->pixels);
  }
  auto stripped_cmyk = StripJpegMetadata(cmyk);
  ASSERT_TRUE(stripped_cmyk.ok());
  bool adobe = false;
  for (const auto& [marker, payload] : HeaderSegments(*stripped_cmyk)) {
    adobe |= marker == 0xee && payload.size() == 12 && payload.substr(0, 5) == "Adobe";
  }
  EXPECT_TRUE(adobe);
}

TEST(FilesMediaJpeg, MalformedStreamsAreInvalidArgument) {
  const std::string jpeg = GradientJpeg(16, 16);
  const size_t sos = jpeg.find("\xff\xda");
  const size_t sof = jpeg.find("\xff\xc0");
  const std::string no_frame = jpeg.substr(0, sof) + jpeg.substr(sof + 2 + ReadBe16(jpeg, sof + 2));
  std::string long_segment = jpeg;
  long_segment.replace(4, 2, Be16(0xfff0));
  std::string short_segment = jpeg;
  short_segment.replace(4, 2, Be16(1));
  for (const std::string& bad : {
           ""s,
           "\xff\xd8"s,
           "\xff\xd8\xff\xd9"s,
           GradientPng(4, 4),
           no_frame,
           long_segment,
           short_segment,
           jpeg.substr(0, sos) + "\xff\xd9"s,
           jpeg.substr(0, 20) + "garbage" + jpeg.substr(20),
           jpeg.substr(0, 2) + "\xff\xd8" + jpeg.substr(2),
           jpeg.substr(0, jpeg.size() - 2),
       }) {
    EXPECT_EQ(StripJpegMetadata(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad.size();
  }
}

// --- PNG metadata ---

TEST(FilesMediaPng, StrippingKeepsOnlyTheChunksNeededToShowIt) {
  const std::vector<uint8_t> rgba = WithAlpha(Gradient(40, 30), 40);
  const std::string clean = EncodePng(rgba, 40, 30, true);
  const std::string tagged = WithPngMetadata(clean);
  ASSERT_TRUE(DecodePng(tagged).has_value());

  auto stripped = StripPngMetadata(tagged);
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  for (std::string_view gone : {"tEXt", "iTXt", "eXIf", "tIME", "Alice", "Elm St", "SecretCam"}) {
    EXPECT_FALSE(Contains(*stripped, gone)) << gone;
  }
  EXPECT_FALSE(Contains(*stripped, kTrailer));
  EXPECT_EQ(ChunkTypes(*stripped), ChunkTypes(clean));
  EXPECT_EQ(*stripped, clean);

  auto before = DecodePng(tagged), after = DecodePng(*stripped);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->width, 40);
  EXPECT_EQ(after->pixels, before->pixels);
  EXPECT_EQ(after->pixels, rgba);
}

TEST(FilesMediaPng, KeepsDisplayChunksAndChecksTheirCrcs) {
  const std::string clean = GradientPng(8, 8);
  const std::string display = Chunk("gAMA", Be32(45455)) +
                              Chunk("pHYs", Be32(2835) + Be32(2835) + "\x01") +
                              Chunk("sBIT", "\x08\x08\x08") + Chunk("iCCP", "Alice's phone\0\0x"s) +
                              Chunk("zTXt", "Title\0\0x"s);
  const std::string png = clean.substr(0, kAfterIhdr) + display + clean.substr(kAfterIhdr);
  auto stripped = StripPngMetadata(png);
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  for (std::string_view kept : {"gAMA", "pHYs", "sBIT"}) EXPECT_TRUE(Contains(*stripped, kept));
  for (std::string_view gone : {"iCCP", "Alice", "zTXt"}) EXPECT_FALSE(Contains(*stripped, gone));

  std::string bad_kept_crc = png;
  bad_kept_crc[kAfterIhdr - 1] ^= 1;  // IHDR's CRC
  EXPECT_EQ(StripPngMetadata(bad_kept_crc).status().code(), absl::StatusCode::kInvalidArgument);
  // A dropped chunk's CRC does not matter: its bytes are not kept.
  std::string text = kPngText;
  text.back() ^= 1;
  EXPECT_TRUE(StripPngMetadata(clean.substr(0, kAfterIhdr) + text + clean.substr(kAfterIhdr)).ok());

  const std::string iend = clean.substr(clean.size() - 12);
  const std::string body = clean.substr(0, clean.size() - 12);
  for (const std::string& bad : {
           ""s,
           "\x89PNG\r\n\x1a\n"s,
           body,
           clean.substr(0, 8) + clean.substr(kAfterIhdr),
           body + Chunk("CgBI", "x") + iend,
           body + Chunk("b@d!", "") + iend,
           clean.substr(0, kAfterIhdr) + iend,
           body + Chunk("IHDR", clean.substr(16, 13)) + iend,
           clean.substr(0, 8) + Be32(0x80000000) + clean.substr(12),
       }) {
    EXPECT_EQ(StripPngMetadata(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad.size();
  }
}

// --- Dimensions and thumbnails ---

TEST(FilesMediaThumbnail, ImageDimensionsFromTheHeaders) {
  const std::string jpeg = GradientJpeg(1000, 600);
  const std::string png = GradientPng(1000, 600);
  auto size = ImageDimensions(jpeg, FileKind::kJpeg);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 1000u);
  EXPECT_EQ(size->height, 600u);
  size = ImageDimensions(WithJpegMetadata(jpeg, ExifPayload(6)), FileKind::kJpeg);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 1000u);
  size = ImageDimensions(png, FileKind::kPng);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 1000u);
  EXPECT_EQ(size->height, 600u);
  size =
      ImageDimensions(EncodeJpeg(Grey(Gradient(7, 5)), 7, 5, {JCS_GRAYSCALE, 1}), FileKind::kJpeg);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 7u);
  EXPECT_EQ(size->height, 5u);

  EXPECT_FALSE(ImageDimensions(png, FileKind::kJpeg));
  EXPECT_FALSE(ImageDimensions(jpeg, FileKind::kPng));
  EXPECT_FALSE(ImageDimensions(jpeg, FileKind::kHeic));
  EXPECT_FALSE(ImageDimensions(jpeg.substr(0, 100), FileKind::kJpeg));
  std::string zero = png;
  zero.replace(16, 4, Be32(0));
  EXPECT_FALSE(ImageDimensions(zero, FileKind::kPng));
}

void ExpectNear(const uint8_t* pixel, int r, int g, int b) {
  EXPECT_NEAR(pixel[0], r, 24);
  EXPECT_NEAR(pixel[1], g, 24);
  EXPECT_NEAR(pixel[2], b, 24);
}

// Decodes a thumbnail and checks its size and RGB colour.
std::optional<Decoded> DecodeThumbnail(const Thumbnail& thumbnail) {
  auto decoded = DecodeJpeg(thumbnail.jpeg);
  EXPECT_TRUE(decoded.has_value());
  if (!decoded) return std::nullopt;
  EXPECT_EQ(decoded->width, static_cast<int>(thumbnail.width));
  EXPECT_EQ(decoded->height, static_cast<int>(thumbnail.height));
  EXPECT_EQ(decoded->components, 3);
  const auto segments = HeaderSegments(thumbnail.jpeg);
  EXPECT_GT(segments.size(), 1u);
  for (const auto& [marker, payload] : segments) {
    EXPECT_LE(marker, 0xe0) << int{marker};  // no metadata but JFIF
    EXPECT_NE(marker, 0xc2);                 // baseline
  }
  return decoded;
}

TEST(FilesMediaThumbnail, LongSideFitsAspectKept) {
  const std::vector<uint8_t> rgb = Gradient(1000, 600);
  for (const auto& [content, kind] :
       {std::pair{EncodeJpeg(rgb, 1000, 600), FileKind::kJpeg},
        std::pair{EncodeJpeg(rgb, 1000, 600, {JCS_RGB, 3, true}), FileKind::kJpeg},
        std::pair{EncodePng(rgb, 1000, 600, false), FileKind::kPng}}) {
    auto thumbnail = MakeThumbnail(content, kind);
    ASSERT_TRUE(thumbnail.ok()) << thumbnail.status();
    EXPECT_EQ(thumbnail->width, 320u);
    EXPECT_EQ(thumbnail->height, 192u);
    auto decoded = DecodeThumbnail(*thumbnail);
    ASSERT_TRUE(decoded);
    ExpectNear(decoded->At(0, 0), 0, 0, 128);
    ExpectNear(decoded->At(319, 0), 255, 0, 128);
    ExpectNear(decoded->At(0, 191), 0, 255, 128);
    ExpectNear(decoded->At(160, 96), 128, 128, 128);
  }
  auto portrait = MakeThumbnail(GradientPng(600, 1000), FileKind::kPng, 100);
  ASSERT_TRUE(portrait.ok());
  EXPECT_EQ(portrait->width, 60u);
  EXPECT_EQ(portrait->height, 100u);
  auto sliver = MakeThumbnail(GradientJpeg(2000, 3), FileKind::kJpeg);
  ASSERT_TRUE(sliver.ok()) << sliver.status();
  EXPECT_EQ(sliver->width, 320u);
  EXPECT_EQ(sliver->height, 1u);
}

TEST(FilesMediaThumbnail, SmallImagesAreNotUpscaled) {
  for (const auto& [content, kind] : {std::pair{GradientJpeg(100, 50), FileKind::kJpeg},
                                      std::pair{GradientPng(100, 50), FileKind::kPng}}) {
    auto thumbnail = MakeThumbnail(content, kind);
    ASSERT_TRUE(thumbnail.ok()) << thumbnail.status();
    EXPECT_EQ(thumbnail->width, 100u);
    EXPECT_EQ(thumbnail->height, 50u);
    auto decoded = DecodeThumbnail(*thumbnail);
    ASSERT_TRUE(decoded);
    ExpectNear(decoded->At(99, 49), 255, 255, 128);
  }
}

TEST(FilesMediaThumbnail, GreyCmykAlphaAndOrientation) {
  const std::vector<uint8_t> rgb = Gradient(400, 200);
  auto grey = MakeThumbnail(EncodeJpeg(Grey(rgb), 400, 200, {JCS_GRAYSCALE, 1}), FileKind::kJpeg);
  ASSERT_TRUE(grey.ok()) << grey.status();
  auto decoded = DecodeThumbnail(*grey);
  ASSERT_TRUE(decoded);
  ExpectNear(decoded->At(319, 159), 212, 212, 212);

  auto cmyk = MakeThumbnail(EncodeJpeg(AdobeCmyk(rgb), 400, 200, {JCS_CMYK, 4}), FileKind::kJpeg);
  ASSERT_TRUE(cmyk.ok()) << cmyk.status();
  decoded = DecodeThumbnail(*cmyk);
  ASSERT_TRUE(decoded);
  ExpectNear(decoded->At(319, 0), 255, 0, 128);
  ExpectNear(decoded->At(0, 159), 0, 255, 128);

  // Transparent on the left: white there.
  auto alpha = MakeThumbnail(EncodePng(WithAlpha(rgb, 400), 400, 200, true), FileKind::kPng);
  ASSERT_TRUE(alpha.ok()) << alpha.status();
  decoded = DecodeThumbnail(*alpha);
  ASSERT_TRUE(decoded);
  ExpectNear(decoded->At(10, 10), 255, 255, 255);
  ExpectNear(decoded->At(319, 0), 255, 0, 128);

  // Orientation 6: turned clockwise to show, so the stored left edge becomes the top.
  auto turned =
      MakeThumbnail(WithJpegMetadata(EncodeJpeg(rgb, 400, 200), ExifPayload(6)), FileKind::kJpeg);
  ASSERT_TRUE(turned.ok()) << turned.status();
  EXPECT_EQ(turned->width, 160u);
  EXPECT_EQ(turned->height, 320u);
  decoded = DecodeThumbnail(*turned);
  ASSERT_TRUE(decoded);
  ExpectNear(decoded->At(159, 0), 0, 0, 128);      // stored top-left
  ExpectNear(decoded->At(0, 0), 0, 255, 128);      // stored bottom-left
  ExpectNear(decoded->At(159, 319), 255, 0, 128);  // stored top-right
}

TEST(FilesMediaThumbnail, RefusalsAreInvalidArgument) {
  const std::string jpeg = GradientJpeg(64, 64);
  auto code = [](const absl::StatusOr<Thumbnail>& thumbnail) { return thumbnail.status().code(); };
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code(MakeThumbnail(jpeg, FileKind::kPdf)), kInvalid);
  EXPECT_EQ(code(MakeThumbnail(jpeg, FileKind::kHeic)), kInvalid);
  EXPECT_EQ(code(MakeThumbnail(jpeg, FileKind::kJpeg, 0)), kInvalid);
  EXPECT_EQ(code(MakeThumbnail(GradientPng(8, 8), FileKind::kJpeg)), kInvalid);
  EXPECT_EQ(code(MakeThumbnail("\xff\xd8\xff\xe0 not really", FileKind::kJpeg)), kInvalid);

  // Scan data overwritten, or cut in half: refused rather than a grey picture.
  const size_t data = jpeg.find("\xff\xda") + 14;
  std::string scrambled = jpeg;
  for (size_t i = data; i + 2 < jpeg.size(); ++i) scrambled[i] = '\xff';
  EXPECT_EQ(code(MakeThumbnail(scrambled, FileKind::kJpeg)), kInvalid);
  EXPECT_EQ(code(MakeThumbnail(jpeg.substr(0, jpeg.size() / 2), FileKind::kJpeg)), kInvalid);
  std::string png = GradientPng(64, 64);
  png[png.size() - 20] ^= 0x55;  // inside IDAT: its CRC no longer matches
  EXPECT_EQ(code(MakeThumbnail(png, FileKind::kPng)), kInvalid);

  // Decompression bombs: a small file declaring 20000 × 20000, refused before decoding.
  std::string bomb = jpeg;
  const size_t sof = bomb.find("\xff\xc0");
  bomb.replace(sof + 5, 4, Be16(20000) + Be16(20000));
  auto refused = MakeThumbnail(bomb, FileKind::kJpeg);
  EXPECT_EQ(code(refused), kInvalid);
  EXPECT_TRUE(Contains(std::string(refused.status().message()), "megapixels")) << refused.status();
  std::string png_bomb = GradientPng(8, 8);
  png_bomb.replace(8, 25, Chunk("IHDR", Be32(20000) + Be32(20000) + png_bomb.substr(24, 5)));
  refused = MakeThumbnail(png_bomb, FileKind::kPng);
  EXPECT_EQ(code(refused), kInvalid);
  EXPECT_TRUE(Contains(std::string(refused.status().message()), "megapixels")) << refused.status();

  // A valid progressive JPEG of 190 scans (one per coefficient): too much work per byte.
  const std::string many_scans = EncodeJpeg(Gradient(64, 64), 64, 64, {JCS_RGB, 3, false, true});
  ASSERT_TRUE(DecodeJpeg(many_scans).has_value());
  refused = MakeThumbnail(many_scans, FileKind::kJpeg);
  EXPECT_EQ(code(refused), kInvalid);
  EXPECT_TRUE(Contains(std::string(refused.status().message()), "scans")) << refused.status();
}

}  // namespace
}  // namespace branchline::files
