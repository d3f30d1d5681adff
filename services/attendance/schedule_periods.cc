#include "services/attendance/schedule_periods.h"

#include <cstdio>

#include "services/common/local_day.h"

namespace branchline::attendance {

namespace {

int Months(v1::ScheduleFrequency f) {
  switch (f) {
    case v1::SCHEDULE_FREQUENCY_MONTHLY:
      return 1;
    case v1::SCHEDULE_FREQUENCY_QUARTERLY:
      return 3;
    case v1::SCHEDULE_FREQUENCY_HALF_YEARLY:
      return 6;
    default:
      return 12;
  }
}

std::string PeriodLabel(int year, int index, v1::ScheduleFrequency f) {
  std::string y = std::to_string(year);
  char number[8];
  switch (f) {
    case v1::SCHEDULE_FREQUENCY_WEEKLY:
      std::snprintf(number, sizeof number, "%02d", index + 1);
      return y + "-W" + number;
    case v1::SCHEDULE_FREQUENCY_MONTHLY:
      std::snprintf(number, sizeof number, "%02d", index + 1);
      return y + "-" + number;
    case v1::SCHEDULE_FREQUENCY_QUARTERLY:
      return y + "-Q" + std::to_string(index + 1);
    case v1::SCHEDULE_FREQUENCY_HALF_YEARLY:
      return y + "-H" + std::to_string(index + 1);
    default:
      return y;
  }
}

// The Monday (a day number) of ISO week 1 of `year`: the week that holds January 4th.
int64_t IsoWeekOneMonday(int year) {
  int64_t jan4 = CivilToDay(year, 1, 4);
  int64_t weekday = ((jan4 + 3) % 7 + 7) % 7;  // 0 = Monday; 1970-01-01 was a Thursday
  return jan4 - weekday;
}

}  // namespace

std::vector<SchedulePeriod> SchedulePeriods(v1::ScheduleFrequency frequency, int year,
                                            int32_t utc_offset_minutes) {
  std::vector<SchedulePeriod> periods;
  if (frequency == v1::SCHEDULE_FREQUENCY_WEEKLY) {
    const int64_t first = IsoWeekOneMonday(year), next_year = IsoWeekOneMonday(year + 1);
    for (int64_t monday = first, k = 0; monday < next_year; monday += 7, ++k) {
      periods.push_back({LocalDayStartMicros(monday, utc_offset_minutes),
                         LocalDayStartMicros(monday + 7, utc_offset_minutes),
                         PeriodLabel(year, static_cast<int>(k), frequency)});
    }
    return periods;
  }
  auto month_start = [&](int month) {  // month 1..13
    return LocalDayStartMicros(month > 12 ? CivilToDay(year + 1, 1, 1) : CivilToDay(year, month, 1),
                               utc_offset_minutes);
  };
  const int months = Months(frequency);
  for (int k = 0; k < 12 / months; ++k) {
    periods.push_back({month_start(1 + k * months), month_start(1 + (k + 1) * months),
                       PeriodLabel(year, k, frequency)});
  }
  return periods;
}

}  // namespace branchline::attendance
