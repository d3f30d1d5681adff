#pragma once

#include <cstdint>

namespace branchline {

// Local calendar days of an organisation with a fixed UTC offset (minutes east of UTC).
// Day numbers count from 1970-01-01 local time; they may be negative before it.

// The local day containing the instant `micros` (since the epoch, UTC).
int64_t LocalDay(int64_t micros, int32_t utc_offset_minutes);
// The first instant (UTC micros) of local day `day`.
int64_t LocalDayStartMicros(int64_t day, int32_t utc_offset_minutes);

struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};
// Proleptic Gregorian conversions between day numbers and dates (no time zones involved).
CivilDate DayToCivil(int64_t day);
int64_t CivilToDay(int year, int month, int day);

}  // namespace branchline
