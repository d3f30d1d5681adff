#include "services/attendance/attendance_csv.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "services/common/local_day.h"

namespace branchline::attendance {

namespace {

// A cell a spreadsheet would run as a formula when opened: a person's name or a letter's text
// that begins "=HYPERLINK(…" or "@SUM(…" (CSV injection). Signed numbers ("-3.5") and a lone
// dash stay what they are.
bool LooksLikeFormula(const std::string& f) {
  if (f.size() < 2 || std::string_view("=+-@\t\r").find(f[0]) == std::string_view::npos) {
    return false;
  }
  char* end = nullptr;
  std::strtod(f.c_str(), &end);
  return *end != '\0';
}

}  // namespace

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    // The apostrophe spreadsheets read as "text follows", so the cell shows as typed.
    const std::string f = LooksLikeFormula(fields[i]) ? "'" + fields[i] : fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      line += f;
      continue;
    }
    line += '"';
    for (char c : f) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  line += "\r\n";
  return line;
}

std::string StatusLabel(v1::AttendanceStatus status) {
  switch (status) {
    case v1::ATTENDANCE_STATUS_PRESENT:
      return "出席";
    case v1::ATTENDANCE_STATUS_LATE:
      return "迟到";
    case v1::ATTENDANCE_STATUS_REMOTE:
      return "远程参会";
    case v1::ATTENDANCE_STATUS_EXCUSED:
      return "请假";
    case v1::ATTENDANCE_STATUS_MADE_UP:
      return "已补课";
    default:
      return "缺席";
  }
}

std::string MethodLabel(v1::CheckInMethod method) {
  switch (method) {
    case v1::CHECK_IN_METHOD_QR_CODE:
      return "扫码";
    case v1::CHECK_IN_METHOD_TYPED_CODE:
      return "输入签到码";
    case v1::CHECK_IN_METHOD_LOCATION:
      return "定位";
    case v1::CHECK_IN_METHOD_REMOTE:
      return "远程";
    case v1::CHECK_IN_METHOD_MARKED:
      return "主持人标记";
    default:
      return "";
  }
}

std::string TypeLabel(v1::MeetingType type) {
  switch (type) {
    case v1::MEETING_TYPE_GENERAL_MEETING:
      return "支部党员大会";
    case v1::MEETING_TYPE_COMMITTEE_MEETING:
      return "支委会";
    case v1::MEETING_TYPE_GROUP_MEETING:
      return "党小组会";
    case v1::MEETING_TYPE_PARTY_LECTURE:
      return "党课";
    case v1::MEETING_TYPE_THEME_PARTY_DAY:
      return "主题党日";
    case v1::MEETING_TYPE_ORGANIZATIONAL_LIFE:
      return "组织生活会";
    case v1::MEETING_TYPE_SAFETY_MEETING:
      return "安全例会";
    case v1::MEETING_TYPE_PRE_SHIFT_MEETING:
      return "班前会";
    default:
      return "其他";
  }
}

std::string LocalTimeText(int64_t micros, int32_t utc_offset_minutes) {
  if (micros == 0) return "";
  int64_t day = LocalDay(micros, utc_offset_minutes);
  int64_t minute_of_day = (micros - LocalDayStartMicros(day, utc_offset_minutes)) / 60'000'000;
  auto date = DayToCivil(day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d", date.year, date.month, date.day,
                static_cast<int>(minute_of_day / 60), static_cast<int>(minute_of_day % 60));
  return text;
}

std::string PercentText(double rate) {
  // Half up (四舍五入), not printf's half-to-even: 9 of 16 = 56.25 % prints 56.3 %. Rates are
  // ratios of counts, so a ratio on a tenth's half is exact or at least 1/(2 * count) away from
  // it; the nudge only undoes a double's representation error (clients/common/percent.h does
  // the same for branchctl and the desktop, which may not include server code).
  const auto tenths = static_cast<long long>(std::floor(rate * 1000.0 + 0.5 + 1e-7));
  char text[24];
  std::snprintf(text, sizeof text, "%lld.%lld%%", tenths / 10, tenths % 10);
  return text;
}

}  // namespace branchline::attendance
