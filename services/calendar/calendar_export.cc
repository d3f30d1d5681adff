#include "services/calendar/calendar_export.h"

#include <vector>

#include "services/calendar/icalendar.h"
#include "services/common/errors.h"

namespace branchline {

namespace {
constexpr int kDefaultDays = 56;
constexpr int kMaxDays = 366;
constexpr int64_t kDayMicros = 24LL * 3600 * 1'000'000;
constexpr int kPageSize = 1000;
}  // namespace

absl::StatusOr<std::string> CalendarExport::Export(
    const Caller& caller, const v1::ExportMyCalendarRequest& request) const {
  if (request.days() < 0 || request.days() > kMaxDays) {
    return InvalidField("days", "must be 0 (default 56) to 366");
  }
  const int days = request.days() == 0 ? kDefaultDays : request.days();
  const int64_t now = clock_.NowMicros();
  const int64_t until = now + days * kDayMicros;
  std::vector<v1::Meeting> meetings;
  v1::ListMyMeetingsRequest page;
  page.set_page_size(kPageSize);
  // Pages come by start time: stop at the first meeting starting after the range.
  for (bool more = true; more;) {
    auto listed = meetings_.ListMine(caller, page);
    if (!listed.ok()) return listed.status();
    for (auto& m : *listed->mutable_meetings()) {
      if (ToMicros(m.start_time()) >= until) {
        more = false;
        break;
      }
      if (!m.cancelled()) meetings.push_back(std::move(m));
    }
    if (listed->next_page_token().empty()) more = false;
    page.set_page_token(listed->next_page_token());
  }
  return icalendar::Calendar(meetings, icalendar::CalendarInfo{.stamp_micros = now});
}

}  // namespace branchline
