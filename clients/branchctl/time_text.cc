#include "clients/branchctl/time_text.h"

#include <cstdio>
#include <regex>
#include <stdexcept>

namespace branchline::ctl {

int64_t DaysFromCivil(Date date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

int Weekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7); }

static int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

Date LocalDate(int64_t unix_seconds, int32_t offset) {
  return CivilFromDays(FloorDiv(unix_seconds + offset * 60, 86400));
}

int64_t LocalToUnix(Date date, int hour, int minute, int32_t offset) {
  return DaysFromCivil(date) * 86400 + hour * 3600 + minute * 60 - offset * 60;
}

std::string FormatDate(Date d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buffer;
}

std::string FormatLocal(const google::protobuf::Timestamp& time, int32_t offset,
                        bool with_seconds) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  int64_t local = time.seconds() + offset * 60;
  int64_t days = FloorDiv(local, 86400);
  int64_t second_of_day = local - days * 86400;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%s %02d:%02d", FormatDate(CivilFromDays(days)).c_str(),
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60));
  std::string text = buffer;
  if (with_seconds) {
    std::snprintf(buffer, sizeof buffer, ":%02d", static_cast<int>(second_of_day % 60));
    text += buffer;
  }
  return text;
}

google::protobuf::Timestamp ParseTime(const std::string& text, int32_t default_offset) {
  static const std::regex kForm(
      R"((\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:\d{2})?)");
  std::smatch m;
  if (!std::regex_match(text, m, kForm)) {
    throw std::invalid_argument("'" + text +
                                "' is not a time: use YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or "
                                "YYYY-MM-DDTHH:MM:SS+08:00");
  }
  Date date{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
  int hour = m[4].matched ? std::stoi(m[4]) : 0, minute = m[5].matched ? std::stoi(m[5]) : 0;
  int second = m[6].matched ? std::stoi(m[6]) : 0;
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31 || hour > 23 ||
      minute > 59 || second > 59) {
    throw std::invalid_argument("'" + text + "' is not a valid date and time");
  }
  int32_t offset = default_offset;
  if (m[7].matched) {
    std::string zone = m[7];
    offset = zone == "Z" ? 0
                         : (zone[0] == '-' ? -1 : 1) *
                               (std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(4, 2)));
  }
  return TimestampOf(LocalToUnix(date, hour, minute, offset) + second);
}

google::protobuf::Timestamp TimestampOf(int64_t unix_seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(unix_seconds);
  return t;
}

}  // namespace branchline::ctl
