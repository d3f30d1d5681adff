#include "services/handbook/handbook_sections.h"

#include <algorithm>
#include <cstdio>

#include "google/protobuf/util/time_util.h"
#include "services/auth/access.h"
#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/status_macros.h"

namespace branchline::handbook {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Period::Start() const {
  return TimeUtil::MicrosecondsToTimestamp(start_micros);
}

google::protobuf::Timestamp Period::End() const {
  return TimeUtil::MicrosecondsToTimestamp(end_micros);
}

bool Period::Holds(const google::protobuf::Timestamp& t) const {
  const int64_t micros = TimeUtil::TimestampToMicroseconds(t);
  return micros >= start_micros && micros < end_micros;
}

std::string Period::Text(const v1::LocalDate& d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  return text;
}

absl::StatusOr<Period> CheckPeriod(bool has_from, const v1::LocalDate& from, bool has_to,
                                   const v1::LocalDate& to, int32_t utc_offset_minutes) {
  if (!has_from) return InvalidField("from_date", "is required");
  if (!has_to) return InvalidField("to_date", "is required");
  ASSIGN_OR_RETURN(int64_t from_day, DayOfDate(from, "from_date"));
  ASSIGN_OR_RETURN(int64_t to_day, DayOfDate(to, "to_date"));
  if (to_day < from_day) return InvalidField("to_date", "is before from_date");
  if (to_day - from_day + 1 > kMaxPeriodDays) {
    return InvalidField("to_date",
                        "the period may span at most " + std::to_string(kMaxPeriodDays) + " days");
  }
  Period p;
  p.from_date = from;
  p.to_date = to;
  p.start_micros = LocalDayStartMicros(from_day, utc_offset_minutes);
  p.end_micros = LocalDayStartMicros(to_day + 1, utc_offset_minutes);
  p.year = to.year();
  return p;
}

bool Names(const google::protobuf::RepeatedField<uint64_t>& ids, uint64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

v1::HandbookMember MemberOf(const v1::Person& person) {
  v1::HandbookMember m;
  m.set_person_id(person.id());
  m.set_display_name(person.display_name());
  m.set_role(person.role());
  m.set_employee_number(person.employee_number());
  m.set_organization_id(person.organization_id());
  return m;
}

bool MayReadRecordsOf(const Caller& caller, const v1::Organization& org) {
  return Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_RECORDS_READ);
}

}  // namespace branchline::handbook
