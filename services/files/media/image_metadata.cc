#include "services/files/media/image_metadata.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "services/common/status_macros.h"

namespace branchline::files {
namespace {

using namespace std::string_view_literals;  // NOLINT: byte strings hold NULs

bool StartsWith(std::string_view data, std::string_view prefix) {
  return data.substr(0, prefix.size()) == prefix;
}

uint8_t ByteAt(std::string_view data, size_t at) { return static_cast<uint8_t>(data[at]); }

uint32_t ReadBe16(std::string_view data, size_t at) {
  return ByteAt(data, at) << 8 | ByteAt(data, at + 1);
}

uint32_t ReadBe32(std::string_view data, size_t at) {
  return ReadBe16(data, at) << 16 | ReadBe16(data, at + 2);
}

void AppendBe16(std::string* out, uint32_t value) {
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value));
}

// --- JPEG (ITU T.81 annex B) ---

constexpr uint8_t kSoi = 0xd8;
constexpr uint8_t kEoi = 0xd9;
constexpr uint8_t kSos = 0xda;
constexpr uint8_t kApp0 = 0xe0;
constexpr uint8_t kApp1 = 0xe1;
constexpr uint8_t kApp14 = 0xee;
constexpr uint8_t kCom = 0xfe;
constexpr uint8_t kTem = 0x01;

bool IsAppMarker(uint8_t marker) { return marker >= 0xe0 && marker <= 0xef; }
bool IsRestartMarker(uint8_t marker) { return marker >= 0xd0 && marker <= 0xd7; }
// SOF0..SOF15 share their range with DHT (C4), JPG (C8) and DAC (CC).
bool IsFrameMarker(uint8_t marker) {
  return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
}

// A marker segment (its payload, after the length field), or with kEntropyData the
// entropy-coded data of a scan, restart markers included.
constexpr uint8_t kEntropyData = 0;
struct JpegPiece {
  uint8_t marker = 0;
  std::string_view data;
};

absl::Status MalformedJpeg(std::string_view why) {
  return absl::InvalidArgumentError("not a well-formed JPEG: " + std::string(why));
}

// Where the entropy-coded data starting at `at` ends: at the FF (fill bytes included) of the
// first marker that is not RSTn. FF 00 is a stuffed FF data byte.
size_t EntropyDataEnd(std::string_view jpeg, size_t at) {
  while ((at = jpeg.find('\xff', at)) != std::string_view::npos) {
    size_t code = at + 1;
    while (code < jpeg.size() && ByteAt(jpeg, code) == 0xff) ++code;
    if (code == jpeg.size() || (ByteAt(jpeg, code) != 0 && !IsRestartMarker(ByteAt(jpeg, code)))) {
      return at;
    }
    at = code + 1;
  }
  return jpeg.size();
}

// Calls `visit` with each piece of a JPEG between SOI and EOI (what follows EOI is ignored),
// without collecting them: a hostile file can be millions of 4-byte segments. Fails unless it
// is SOI, length-prefixed segments and scans, a frame header before the first scan, and EOI;
// `visit` may have seen pieces by then.
template <typename Visit>
absl::Status ForEachJpegPiece(std::string_view jpeg, Visit visit) {
  if (!StartsWith(jpeg, "\xff\xd8")) return MalformedJpeg("no SOI marker");
  bool frame = false, scan = false;
  size_t at = 2;
  while (true) {
    if (at >= jpeg.size()) return MalformedJpeg("it ends before EOI");
    if (ByteAt(jpeg, at) != 0xff) return MalformedJpeg("data where a marker belongs");
    while (at < jpeg.size() && ByteAt(jpeg, at) == 0xff) ++at;  // fill bytes
    if (at == jpeg.size()) return MalformedJpeg("it ends before EOI");
    const uint8_t marker = ByteAt(jpeg, at++);
    if (marker == kEoi) return scan ? absl::OkStatus() : MalformedJpeg("no scan");
    if (marker == kSoi || marker == kTem || marker == 0 || IsRestartMarker(marker)) {
      return MalformedJpeg("a marker out of place");
    }
    if (jpeg.size() - at < 2) return MalformedJpeg("a truncated segment");
    const size_t length = ReadBe16(jpeg, at);
    if (length < 2 || jpeg.size() - at < length) return MalformedJpeg("a truncated segment");
    visit(JpegPiece{marker, jpeg.substr(at + 2, length - 2)});
    at += length;
    frame |= IsFrameMarker(marker);
    if (marker == kSos) {
      if (!frame) return MalformedJpeg("a scan before the frame header");
      scan = true;
      const size_t end = EntropyDataEnd(jpeg, at);
      visit(JpegPiece{kEntropyData, jpeg.substr(at, end - at)});
      at = end;
    }
  }
}

void AppendSegment(std::string* out, uint8_t marker, std::string_view payload) {
  out->push_back('\xff');
  out->push_back(static_cast<char>(marker));
  AppendBe16(out, payload.size() + 2);
  out->append(payload);
}

// EXIF is a TIFF structure after this header (CIPA DC-008 4.7.2).
constexpr std::string_view kExifHeader = "Exif\0\0"sv;
constexpr uint32_t kOrientationTag = 0x0112;
constexpr uint32_t kTiffShort = 3;
constexpr size_t kIfdEntrySize = 12;

// Reads a TIFF structure in its own byte order; the caller checks the bounds.
struct TiffReader {
  std::string_view data;
  bool big_endian = true;

  uint32_t U16(size_t at) const {
    return big_endian ? ReadBe16(data, at) : ByteAt(data, at) | ByteAt(data, at + 1) << 8;
  }
  uint32_t U32(size_t at) const {
    return big_endian ? U16(at) << 16 | U16(at + 2) : U16(at) | U16(at + 2) << 16;
  }
};

// The Orientation of IFD0 (the main image's directory), 1 when absent or malformed.
int TiffOrientation(std::string_view tiff) {
  TiffReader reader{tiff};
  if (StartsWith(tiff, "II*\0"sv)) {
    reader.big_endian = false;
  } else if (!StartsWith(tiff, "MM\0*"sv)) {
    return 1;
  }
  if (tiff.size() < 8) return 1;
  const size_t ifd = reader.U32(4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
  const size_t count = reader.U16(ifd);
  for (size_t entry = ifd + 2; entry < ifd + 2 + count * kIfdEntrySize; entry += kIfdEntrySize) {
    if (tiff.size() - entry < kIfdEntrySize) return 1;
    if (reader.U16(entry) != kOrientationTag) continue;
    if (reader.U16(entry + 2) != kTiffShort || reader.U32(entry + 4) != 1) return 1;
    const uint32_t orientation = reader.U16(entry + 8);
    return orientation >= 1 && orientation <= 8 ? orientation : 1;
  }
  return 1;
}

// The orientation an EXIF APP1 segment gives; nullopt for other pieces.
std::optional<int> ExifOrientation(const JpegPiece& piece) {
  if (piece.marker != kApp1 || !StartsWith(piece.data, kExifHeader)) return std::nullopt;
  return TiffOrientation(piece.data.substr(kExifHeader.size()));
}

// An EXIF payload holding only IFD0 with the Orientation tag: a big-endian TIFF header, a
// one-entry directory (SHORT, count 1, the value left-justified) and no next directory.
std::string OrientationOnlyExif(int orientation) {
  std::string exif(kExifHeader);
  exif.append("MM\0*\0\0\0\x08"sv);
  exif.append("\0\x01"sv);
  exif.append("\x01\x12\0\x03\0\0\0\x01"sv);
  AppendBe16(&exif, orientation);
  exif.append("\0\0"sv);
  exif.append("\0\0\0\0"sv);
  return exif;
}

// JFIF APP0: "JFIF\0", version, units, densities (12 bytes), then an optional RGB thumbnail
// whose size is in the next two bytes. The thumbnail is of the uncropped photo, so it goes.
constexpr size_t kJfifFixedSize = 12;
constexpr size_t kJfifSize = kJfifFixedSize + 2;
bool IsJfif(const JpegPiece& piece) {
  return piece.marker == kApp0 && piece.data.size() >= kJfifSize &&
         StartsWith(piece.data, "JFIF\0"sv);
}

std::string JfifWithoutThumbnail(std::string_view jfif) {
  std::string out(jfif.substr(0, kJfifFixedSize));
  out.append("\0\0"sv);
  return out;
}

// Adobe APP14: "Adobe", version, flags0, flags1, transform. The transform tells decoders
// whether 3 and 4 components are YCbCr/YCCK or RGB/CMYK; nothing after it is needed.
constexpr size_t kAdobeSize = 12;
bool IsAdobe(const JpegPiece& piece) {
  return piece.marker == kApp14 && piece.data.size() >= kAdobeSize &&
         StartsWith(piece.data, "Adobe");
}

// --- PNG (ISO/IEC 15948, W3C PNG 2nd edition) ---

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n"sv;
constexpr size_t kChunkOverhead = 12;  // length, type, CRC
constexpr uint32_t kMaxChunkLength = 0x7fffffff;

absl::Status MalformedPng(std::string_view why) {
  return absl::InvalidArgumentError("not a well-formed PNG: " + std::string(why));
}

bool IsKeptChunk(std::string_view type) {
  for (std::string_view kept :
       {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "pHYs"}) {
    if (type == kept) return true;
  }
  return false;
}

bool IsChunkType(std::string_view type) {
  for (char c : type) {
    if (!(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z')) return false;
  }
  return true;
}

// An upper-case first letter marks a chunk a decoder must understand (PNG spec 5.4).
bool IsCritical(std::string_view type) { return type[0] >= 'A' && type[0] <= 'Z'; }

bool CrcMatches(std::string_view chunk) {
  const std::string_view covered = chunk.substr(4, chunk.size() - 8);  // type and data
  const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(covered.data()), covered.size());
  return crc == ReadBe32(chunk, chunk.size() - 4);
}

}  // namespace

absl::StatusOr<std::string> StripJpegMetadata(std::string_view jpeg) {
  // First pass: check the whole stream and find the first JFIF and EXIF segments, which the
  // output puts first.
  std::optional<std::string_view> jfif;
  std::optional<int> orientation;
  RETURN_IF_ERROR(ForEachJpegPiece(jpeg, [&](const JpegPiece& piece) {
    if (!jfif && IsJfif(piece)) jfif = piece.data;
    if (!orientation) orientation = ExifOrientation(piece);
  }));

  std::string out = "\xff\xd8";
  out.reserve(jpeg.size());
  if (jfif) AppendSegment(&out, kApp0, JfifWithoutThumbnail(*jfif));
  if (orientation.value_or(1) != 1) AppendSegment(&out, kApp1, OrientationOnlyExif(*orientation));
  RETURN_IF_ERROR(ForEachJpegPiece(jpeg, [&](const JpegPiece& piece) {
    if (piece.marker == kEntropyData) {
      out.append(piece.data);
    } else if (IsAdobe(piece)) {
      AppendSegment(&out, kApp14, piece.data.substr(0, kAdobeSize));
    } else if (!IsAppMarker(piece.marker) && piece.marker != kCom) {
      AppendSegment(&out, piece.marker, piece.data);
    }
  }));
  out.append("\xff\xd9");
  return out;
}

int JpegOrientation(std::string_view jpeg) {
  std::optional<int> orientation;
  const absl::Status status = ForEachJpegPiece(jpeg, [&](const JpegPiece& piece) {
    if (!orientation) orientation = ExifOrientation(piece);
  });
  return status.ok() ? orientation.value_or(1) : 1;
}

absl::StatusOr<std::string> StripPngMetadata(std::string_view png) {
  if (!StartsWith(png, kPngSignature)) return MalformedPng("no PNG signature");
  std::string out(kPngSignature);
  out.reserve(png.size());
  bool image_data = false;
  size_t at = kPngSignature.size();
  while (true) {
    if (png.size() - at < kChunkOverhead) return MalformedPng("it ends before IEND");
    const uint32_t length = ReadBe32(png, at);
    if (length > kMaxChunkLength || png.size() - at - kChunkOverhead < length) {
      return MalformedPng("a truncated chunk");
    }
    const std::string_view chunk = png.substr(at, kChunkOverhead + length);
    const std::string_view type = chunk.substr(4, 4);
    if (!IsChunkType(type)) return MalformedPng("a chunk type that is not 4 letters");
    if ((at == kPngSignature.size()) != (type == "IHDR")) {
      return MalformedPng("IHDR is not the first and only IHDR chunk");
    }
    at += chunk.size();
    if (!IsKeptChunk(type)) {
      if (IsCritical(type)) return MalformedPng("an unknown critical chunk");
      continue;
    }
    if (!CrcMatches(chunk)) return MalformedPng("a chunk with a wrong CRC");
    image_data |= type == "IDAT";
    out.append(chunk);
    if (type == "IEND") break;
  }
  if (!image_data) return MalformedPng("no image data");
  return out;
}

}  // namespace branchline::files
