#include "services/common/local_day.h"

namespace branchline {

namespace {
constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

int64_t LocalDay(int64_t micros, int32_t utc_offset_minutes) {
  return FloorDiv(micros + int64_t{utc_offset_minutes} * 60'000'000LL, kMicrosPerDay);
}

int64_t LocalDayStartMicros(int64_t day, int32_t utc_offset_minutes) {
  return day * kMicrosPerDay - int64_t{utc_offset_minutes} * 60'000'000LL;
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
int64_t CivilToDay(int year, int month, int day) {
  int64_t y = year - (month <= 2);
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate DayToCivil(int64_t z) {
  z += 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(y + (m <= 2)), m, d};
}

}  // namespace branchline
