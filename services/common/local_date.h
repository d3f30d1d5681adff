#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/calendar.pb.h"

namespace branchline {

// Conversions between the API's LocalDate and local day numbers (local_day.h).

// The local day number (local_day.h) of an API date; INVALID_ARGUMENT naming `field` unless
// it is a real date of 1970..9999.
absl::StatusOr<int64_t> DayOfDate(const v1::LocalDate& date, std::string_view field);
// The API date of a local day number.
v1::LocalDate DateOfDay(int64_t day);

}  // namespace branchline
