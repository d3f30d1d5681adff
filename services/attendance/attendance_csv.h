#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "branchline/v1/attendance.pb.h"

namespace branchline::attendance {

// CSV for spreadsheet programs: UTF-8 with a byte order mark (so Excel shows Chinese),
// CRLF line ends, fields quoted when they hold a comma, quote or line break, and a field that
// a spreadsheet would run as a formula ("=…", "@…") shown as text with a leading apostrophe.
// Pure functions.

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// One CSV line (with CRLF) of `fields`.
std::string CsvLine(const std::vector<std::string>& fields);

// Display labels in Chinese, as the branch secretary prints them.
std::string StatusLabel(v1::AttendanceStatus status);
std::string MethodLabel(v1::CheckInMethod method);
std::string TypeLabel(v1::MeetingType type);

// "YYYY-MM-DD HH:MM" in local time at `utc_offset_minutes`; "" for 0.
std::string LocalTimeText(int64_t micros, int32_t utc_offset_minutes);

// A rate 0..1 as a percentage with one decimal, e.g. "87.5%".
std::string PercentText(double rate);

}  // namespace branchline::attendance
