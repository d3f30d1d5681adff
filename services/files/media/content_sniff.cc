#include "services/files/media/content_sniff.h"

#include <cstddef>
#include <cstdint>

namespace branchline::files {
namespace {

using namespace std::string_view_literals;  // NOLINT: signatures hold NUL bytes

bool StartsWith(std::string_view content, std::string_view prefix) {
  return content.substr(0, prefix.size()) == prefix;
}

// Little- and big-endian integers at `at`; the caller has checked the bounds.
uint32_t ReadLe16(std::string_view s, size_t at) {
  return static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8;
}
uint32_t ReadLe32(std::string_view s, size_t at) {
  return ReadLe16(s, at) | ReadLe16(s, at + 2) << 16;
}
uint32_t ReadBe32(std::string_view s, size_t at) {
  return uint32_t{static_cast<uint8_t>(s[at])} << 24 | static_cast<uint8_t>(s[at + 1]) << 16 |
         static_cast<uint8_t>(s[at + 2]) << 8 | static_cast<uint8_t>(s[at + 3]);
}

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n"sv;

// A 13-byte IHDR must come first (PNG spec 5.6): the signature alone is 8 easily faked bytes.
bool IsPng(std::string_view content) {
  return StartsWith(content, kPngSignature) && content.size() >= 16 && ReadBe32(content, 8) == 13 &&
         content.substr(12, 4) == "IHDR";
}

// The ISO-BMFF `ftyp` box at the start of `content` (size, "ftyp", major brand, minor
// version, compatible brands), or "" when there is no whole one.
std::string_view FtypBox(std::string_view content) {
  if (content.size() < 16 || content.substr(4, 4) != "ftyp") return {};
  const uint32_t box_size = ReadBe32(content, 0);
  if (box_size < 16 || box_size > content.size()) return {};
  return content.substr(0, box_size);
}

std::string_view MajorBrand(std::string_view ftyp) { return ftyp.substr(8, 4); }

bool IsAvif(std::string_view ftyp) {
  return MajorBrand(ftyp) == "avif" || MajorBrand(ftyp) == "avis";
}

bool IsHeifBrand(std::string_view brand) {
  for (std::string_view heif : {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}) {
    if (brand == heif) return true;
  }
  return false;
}

// mif1 is the generic HEIF brand, which AVIF images list too: their major brand tells them
// apart, and an AVIF is not what image/heic promises.
bool IsHeic(std::string_view content) {
  const std::string_view ftyp = FtypBox(content);
  if (ftyp.empty() || IsAvif(ftyp)) return false;
  if (IsHeifBrand(MajorBrand(ftyp))) return true;
  for (size_t at = 16; at + 4 <= ftyp.size(); at += 4) {
    if (IsHeifBrand(ftyp.substr(at, 4))) return true;
  }
  return false;
}

// ZIP records (PKWARE APPNOTE.TXT 4.3): local file header, central directory header, end of
// central directory record.
constexpr std::string_view kZipLocalHeader = "PK\x03\x04"sv;
constexpr std::string_view kZipCentralHeader = "PK\x01\x02"sv;
constexpr std::string_view kZipEndRecord = "PK\x05\x06"sv;
constexpr size_t kZipCentralHeaderSize = 46;
constexpr size_t kZipEndRecordSize = 22;
constexpr size_t kZipMaxComment = 0xffff;

// The end of central directory record: the last one whose comment runs exactly to the end
// of the content; npos when there is none.
size_t FindZipEndRecord(std::string_view zip) {
  if (zip.size() < kZipEndRecordSize) return std::string_view::npos;
  const size_t last = zip.size() - kZipEndRecordSize;
  const size_t first = last > kZipMaxComment ? last - kZipMaxComment : 0;
  for (size_t at = last + 1; at-- > first;) {
    if (zip.substr(at, 4) == kZipEndRecord && ReadLe16(zip, at + 20) == last - at) return at;
  }
  return std::string_view::npos;
}

enum class ZipContent { kOther, kDocx, kDocm };

// What the central directory lists. The directory, not the local headers, is what Word and
// every unzip tool read; a local-header walk also breaks on entries with data descriptors.
// ZIP64 archives (directory offset 0xffffffff) are kOther: no real DOCX needs one.
ZipContent ClassifyZip(std::string_view zip) {
  const size_t end_record = FindZipEndRecord(zip);
  if (end_record == std::string_view::npos) return ZipContent::kOther;
  const uint32_t entries = ReadLe16(zip, end_record + 10);
  const uint64_t directory_size = ReadLe32(zip, end_record + 12);
  const uint64_t directory_offset = ReadLe32(zip, end_record + 16);
  if (directory_offset + directory_size > end_record) return ZipContent::kOther;

  std::string_view directory = zip.substr(directory_offset, directory_size);
  bool content_types = false, word = false, macros = false;
  for (uint32_t i = 0; i < entries; ++i) {
    if (directory.size() < kZipCentralHeaderSize || !StartsWith(directory, kZipCentralHeader)) {
      return ZipContent::kOther;
    }
    const size_t name_size = ReadLe16(directory, 28);
    const size_t record_size =
        kZipCentralHeaderSize + name_size + ReadLe16(directory, 30) + ReadLe16(directory, 32);
    if (directory.size() < record_size) return ZipContent::kOther;
    const std::string_view name = directory.substr(kZipCentralHeaderSize, name_size);
    content_types |= name == "[Content_Types].xml";
    word |= StartsWith(name, "word/");
    macros |= name == "word/vbaProject.bin";
    directory.remove_prefix(record_size);
  }
  if (!content_types || !word) return ZipContent::kOther;
  return macros ? ZipContent::kDocm : ZipContent::kDocx;
}

// Short signatures of common files that are not accepted, for DescribeContent.
struct Signature {
  std::string_view prefix;
  const char* description;
};
constexpr Signature kSignatures[] = {
    {"GIF87a"sv, "GIF image"},
    {"GIF89a"sv, "GIF image"},
    {"II*\0"sv, "TIFF image"},
    {"MM\0*"sv, "TIFF image"},
    {kZipLocalHeader, "ZIP archive"},
    {kZipEndRecord, "ZIP archive"},  // an empty one
    {"Rar!\x1a\x07"sv, "RAR archive"},
    {"7z\xbc\xaf\x27\x1c"sv, "7-Zip archive"},
    {"\x1f\x8b"sv, "gzip archive"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv, "Office 97-2003 document"},
    {"MZ"sv, "Windows program"},
    {"\x7f"
     "ELF"sv,
     "ELF program"},
    {"\xfe\xed\xfa\xce"sv, "macOS program"},
    {"\xfe\xed\xfa\xcf"sv, "macOS program"},
    {"\xce\xfa\xed\xfe"sv, "macOS program"},
    {"\xcf\xfa\xed\xfe"sv, "macOS program"},
    {"#!"sv, "script"},
};

bool IsWebp(std::string_view content) {
  return content.size() >= 12 && StartsWith(content, "RIFF") && content.substr(8, 4) == "WEBP";
}

// "BM" alone is too short a signature: the header's reserved bytes must be zero too.
bool IsBmp(std::string_view content) {
  return content.size() >= 26 && StartsWith(content, "BM") && content.substr(6, 4) == "\0\0\0\0"sv;
}

constexpr size_t kTextSample = 4096;

bool IsAsciiSpace(uint8_t c) { return c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Whether the first 4 KiB are UTF-8 without control characters other than whitespace. A
// multi-byte character cut by the sample's end does not count against it.
bool LooksLikeText(std::string_view content) {
  std::string_view sample = content.substr(0, kTextSample);
  const bool cut = content.size() > sample.size();
  if (StartsWith(sample, "\xef\xbb\xbf")) sample.remove_prefix(3);
  for (size_t i = 0; i < sample.size();) {
    const auto c = static_cast<uint8_t>(sample[i]);
    size_t length = 1;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
    } else if (c >= 0x80 || c == 0x7f || (c < 0x20 && !IsAsciiSpace(c))) {
      return false;
    }
    if (i + length > sample.size()) return cut;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<uint8_t>(sample[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

FileKind SniffFileKind(std::string_view content) {
  if (StartsWith(content, "\xff\xd8\xff")) return FileKind::kJpeg;
  if (IsPng(content)) return FileKind::kPng;
  if (IsHeic(content)) return FileKind::kHeic;
  if (StartsWith(content, "%PDF-")) return FileKind::kPdf;
  if (StartsWith(content, kZipLocalHeader) && ClassifyZip(content) == ZipContent::kDocx) {
    return FileKind::kDocx;
  }
  return FileKind::kUnknown;
}

std::string_view MimeType(FileKind kind) {
  switch (kind) {
    case FileKind::kJpeg:
      return "image/jpeg";
    case FileKind::kPng:
      return "image/png";
    case FileKind::kHeic:
      return "image/heic";
    case FileKind::kPdf:
      return "application/pdf";
    case FileKind::kDocx:
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case FileKind::kUnknown:
      break;
  }
  return "";
}

std::string_view FileExtension(FileKind kind) {
  switch (kind) {
    case FileKind::kJpeg:
      return "jpg";
    case FileKind::kPng:
      return "png";
    case FileKind::kHeic:
      return "heic";
    case FileKind::kPdf:
      return "pdf";
    case FileKind::kDocx:
      return "docx";
    case FileKind::kUnknown:
      break;
  }
  return "";
}

std::string DescribeContent(std::string_view content) {
  switch (SniffFileKind(content)) {
    case FileKind::kJpeg:
      return "JPEG image";
    case FileKind::kPng:
      return "PNG image";
    case FileKind::kHeic:
      return "HEIC image";
    case FileKind::kPdf:
      return "PDF document";
    case FileKind::kDocx:
      return "Word document";
    case FileKind::kUnknown:
      break;
  }
  if (content.empty()) return "empty file";
  if (StartsWith(content, kZipLocalHeader) && ClassifyZip(content) == ZipContent::kDocm) {
    return "Word document with macros";
  }
  if (const std::string_view ftyp = FtypBox(content); !ftyp.empty()) {
    return IsAvif(ftyp) ? "AVIF image" : "MP4 video";
  }
  for (const Signature& signature : kSignatures) {
    if (StartsWith(content, signature.prefix)) return signature.description;
  }
  if (IsWebp(content)) return "WebP image";
  if (IsBmp(content)) return "BMP image";
  if (LooksLikeText(content)) return "plain text";
  return "unknown data";
}

}  // namespace branchline::files
