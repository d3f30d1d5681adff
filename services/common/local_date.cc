#include "services/common/local_date.h"

#include "services/common/errors.h"
#include "services/common/local_day.h"

namespace branchline {

absl::StatusOr<int64_t> DayOfDate(const v1::LocalDate& date, std::string_view field) {
  if (date.year() < 1970 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1) {
    return InvalidField(field, "must be a date of 1970..9999");
  }
  int64_t day = CivilToDay(date.year(), date.month(), date.day());
  // A day past the month's end (Feb 30) converts to another month: refuse it.
  if (DayToCivil(day).month != date.month()) {
    return InvalidField(field, "day " + std::to_string(date.day()) + " is not in month " +
                                   std::to_string(date.month()));
  }
  return day;
}

v1::LocalDate DateOfDay(int64_t day) {
  CivilDate civil = DayToCivil(day);
  v1::LocalDate date;
  date.set_year(civil.year);
  date.set_month(civil.month);
  date.set_day(civil.day);
  return date;
}

}  // namespace branchline
