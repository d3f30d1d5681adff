#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace branchline::files {

// A JPEG without its metadata, for files whose uploader must not be identifiable. Dropped:
// every APPn segment but APP0 (JFIF) and APP14 (Adobe colour transform) — so EXIF (GPS,
// camera, time), XMP, ICC profiles (APP2: they can carry device data), MPF, IPTC/Photoshop
// (APP13) — every COM segment, a JFIF APP0's embedded thumbnail (it shows the uncropped
// photo), a JFXX APP0, and whatever follows EOI (phones append videos and trailers there).
// The JFIF and Adobe segments are rewritten to their fixed fields only. When the EXIF had an
// Orientation other than 1, a minimal EXIF APP1 holding only that tag follows APP0 (or SOI),
// so the photo still shows upright. The frame, tables and entropy-coded data are copied
// unchanged (no re-encoding; metadata between progressive scans is dropped too).
// INVALID_ARGUMENT unless the input is SOI, marker segments, a frame, scans and EOI.
absl::StatusOr<std::string> StripJpegMetadata(std::string_view jpeg);

// The EXIF Orientation (1..8) of a JPEG's first EXIF segment: 1 when it has none, that is
// malformed, or the JPEG is not well-formed as StripJpegMetadata judges it.
int JpegOrientation(std::string_view jpeg);

// A PNG keeping only the chunks needed to show it: IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM,
// sRGB, sBIT, bKGD and pHYs. iCCP (its profile name is free text), tEXt, zTXt, iTXt, eXIf,
// tIME and every other ancillary chunk are dropped, as is anything after IEND. INVALID_ARGUMENT
// when a kept chunk's CRC is wrong, a chunk is truncated, IHDR is not first, there is no IDAT
// or IEND, or there is an unknown critical chunk (no decoder would show the image either).
absl::StatusOr<std::string> StripPngMetadata(std::string_view png);

}  // namespace branchline::files
