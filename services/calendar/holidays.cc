#include "services/calendar/holidays.h"

#include <algorithm>
#include <vector>

#include "services/calendar/calendar_access.h"
#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/mutation.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

absl::StatusOr<v1::HolidayList> Holidays::Load(uint64_t org_id) const {
  v1::HolidayList list;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kMeetings, storage::HolidaysKey(org_id), &list));
  if (!found) list.set_organization_id(org_id);
  return list;
}

absl::StatusOr<v1::HolidayList> Holidays::Set(const Caller& caller,
                                              const v1::SetHolidaysRequest& request) {
  return RunIdempotent<v1::HolidayList>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SetHolidays"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::HolidayList> {
        const auto& in = request.holidays();
        if (in.dates_size() > kMaxDates) {
          return InvalidField("holidays.dates", "at most " + std::to_string(kMaxDates) + " dates");
        }
        std::vector<int64_t> days;
        for (int i = 0; i < in.dates_size(); ++i) {
          ASSIGN_OR_RETURN(int64_t day, DayOfDate(in.dates(i), "holidays.dates"));
          days.push_back(day);
        }
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "holidays.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "setting the holidays"));
        std::sort(days.begin(), days.end());
        days.erase(std::unique(days.begin(), days.end()), days.end());
        v1::HolidayList list;
        list.set_organization_id(org.id());
        for (int64_t day : days) *list.add_dates() = DateOfDay(day);
        *list.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        m.writes().PutMessage(storage::Cf::kMeetings, storage::HolidaysKey(org.id()), list);
        return list;
      });
}

absl::StatusOr<v1::HolidayList> Holidays::List(const Caller& caller,
                                               const v1::ListHolidaysRequest& request) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(calendar::RequireCalendarRead(access_, caller, org, "reading the holidays"));
  return Load(org.id());
}

absl::StatusOr<std::set<int64_t>> Holidays::SkippedDays(const v1::Organization& org) const {
  std::set<int64_t> days;
  std::vector<uint64_t> orgs(org.ancestor_ids().begin(), org.ancestor_ids().end());
  orgs.push_back(org.id());
  for (uint64_t id : orgs) {
    ASSIGN_OR_RETURN(auto list, Load(id));
    for (const auto& date : list.dates()) {
      ASSIGN_OR_RETURN(int64_t day, DayOfDate(date, "holidays"));
      days.insert(day);
    }
  }
  return days;
}

}  // namespace branchline
