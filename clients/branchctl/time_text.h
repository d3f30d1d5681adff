#pragma once

#include <cstdint>
#include <string>

#include "google/protobuf/timestamp.pb.h"

namespace branchline::ctl {

// A calendar date.
struct Date {
  int year = 1970, month = 1, day = 1;
};

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(Date date);
Date CivilFromDays(int64_t days);
// 0 = Monday ... 6 = Sunday.
int Weekday(int64_t days);

// The local date of an instant at a UTC offset.
Date LocalDate(int64_t unix_seconds, int32_t utc_offset_minutes);
// Seconds since the epoch of a local date and time at a UTC offset.
int64_t LocalToUnix(Date date, int hour, int minute, int32_t utc_offset_minutes);

std::string FormatDate(Date date);  // "2026-11-23"
// "2026-11-23 08:00" in local time at the offset; "-" for an unset timestamp.
std::string FormatLocal(const google::protobuf::Timestamp& time, int32_t utc_offset_minutes,
                        bool with_seconds = false);

// Reads "2026-11-23", "2026-11-23 08:00", "2026-11-23T08:00:30" with an optional "Z" or
// "+08:00"; without an offset the time is local at `default_offset_minutes`. Throws
// std::invalid_argument with the expected forms.
google::protobuf::Timestamp ParseTime(const std::string& text, int32_t default_offset_minutes);

google::protobuf::Timestamp TimestampOf(int64_t unix_seconds);

}  // namespace branchline::ctl
