#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "branchline/v1/attendance.pb.h"

namespace branchline::attendance {

// One period of a regular-meeting rule: [from, to) in UTC micros, and its label.
struct SchedulePeriod {
  int64_t from = 0;
  int64_t to = 0;
  std::string label;  // "2026-W05", "2026-03", "2026-Q1", "2026-H1", "2026"
};

// The periods of `frequency` in `year`, in the local time of a branch at `utc_offset_minutes`,
// in order. Weekly periods are the ISO 8601 weeks of the ISO week-year `year` (Monday to
// Sunday; week 1 holds January 4th, so it may start in December and the last week may end in
// January); the others split the calendar year. Pure; thread-safe.
std::vector<SchedulePeriod> SchedulePeriods(v1::ScheduleFrequency frequency, int year,
                                            int32_t utc_offset_minutes);

}  // namespace branchline::attendance
