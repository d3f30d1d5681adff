#pragma once

#include <string>
#include <string_view>

namespace branchline::files {

// The kinds of file the service accepts. Anything else is kUnknown.
enum class FileKind { kUnknown, kJpeg, kPng, kHeic, kPdf, kDocx };

// The kind of `content`, judged by its bytes only (a file's name or declared type proves
// nothing). Every read is bounds-checked: the content is whatever a client sent.
//   JPEG: FF D8 FF.
//   PNG:  the 8-byte signature followed by a 13-byte IHDR chunk header.
//   HEIC: an ISO-BMFF `ftyp` box at offset 4, wholly inside the content, whose major or
//         compatible brands include heic, heix, heim, heis, hevc, hevx, mif1 or msf1 — unless
//         its major brand is avif/avis (an AVIF image also lists mif1).
//   PDF:  "%PDF-" at offset 0 (readers tolerate leading junk; we do not).
//   DOCX: a ZIP (PK\3\4 at offset 0) whose central directory lists "[Content_Types].xml"
//         and an entry under "word/", and no "word/vbaProject.bin" (a macro-enabled .docm).
FileKind SniffFileKind(std::string_view content);

// "image/jpeg", "image/png", "image/heic", "application/pdf", the DOCX media type; "" for
// kUnknown.
std::string_view MimeType(FileKind kind);

// "jpg", "png", "heic", "pdf", "docx"; "" for kUnknown.
std::string_view FileExtension(FileKind kind);

// What `content` looks like, as a short English noun phrase for a refusal message: "GIF
// image", "ZIP archive", "Windows program", "ELF program", "plain text", "empty file",
// "unknown data", … (accepted kinds too: "JPEG image", "Word document").
std::string DescribeContent(std::string_view content);

}  // namespace branchline::files
