#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "branchline/v1/handbook.pb.h"

namespace branchline::handbook {

// The two handbooks as files. Pure functions of the handbook (and, for the branch PDF, of the
// photos' thumbnails): every figure and text comes from the message; labels are in Chinese,
// as a branch files them for inspection. Both formats draw the same Document
// (handbook_text.h), so they hold the same sections, rows and wording; a section with nothing
// in it says 本期无记录. Thread-safe: the PDF is laid out with a Pango font map of the call's
// own.

// The thumbnails of the meetings' photos (HandbookMeeting.photos) by file id: JPEG bytes as
// FileService.GetFileContent answers them with `thumbnail` set. The caller reads them with
// the reader's rights; a photo missing here is not shown.
using Thumbnails = std::map<uint64_t, std::string>;

// The PDF shows at most this many thumbnails under a meeting, and this many in the whole
// handbook (a year of weekly meetings would otherwise print a photo album); the rest are
// named and counted ("另有 N 张照片未显示"). Whoever gathers Thumbnails need fetch no more:
// per meeting, in order, the first kThumbnailsPerMeeting photos it can read, while the
// handbook has fewer than kThumbnailsPerHandbook (the same file on two meetings counts twice).
inline constexpr int kThumbnailsPerMeeting = 6;
inline constexpr int kThumbnailsPerHandbook = 120;

// A4 PDF: a title block (organisation, period, when made), then each section with a heading
// and its paragraphs and tables; Chinese set in Noto Sans CJK by Pango, pages numbered
// "第 n 页 / 共 m 页"; a table that runs over a page repeats its header row. The same handbook
// makes the same bytes (the file's creation date is generate_time). The branch handbook shows
// each meeting's photos under it: the thumbnails in `thumbnails` that decode as JPEG, scaled
// into a 120 × 90 pt box each, three to a row, embedded as the JPEG itself (not as pixels);
// a thumbnail that is missing or does not decode is left out, never failing the file.
// INTERNAL only when Cairo itself fails.
absl::StatusOr<std::string> BranchHandbookPdf(const v1::BranchHandbook& handbook,
                                              const Thumbnails& thumbnails = {});
absl::StatusOr<std::string> MemberHandbookPdf(const v1::MemberHandbook& handbook);

// CSV (UTF-8 with BOM, CRLF): the title, then each section: its heading line, its paragraphs
// as one-column rows, each table as a title line, a header row, its rows and a blank line.
std::string BranchHandbookCsv(const v1::BranchHandbook& handbook);
std::string MemberHandbookCsv(const v1::MemberHandbook& handbook);

}  // namespace branchline::handbook
