#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "branchline/v1/calendar.pb.h"
#include "services/attendance/meetings.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"

namespace branchline {

// ExportMyCalendar: the caller's upcoming meetings as an iCalendar file (icalendar.h).
// Thread-safe; reads only.
class CalendarExport {
 public:
  // `clock` must be the one `meetings` reads, so "upcoming" means the same as in
  // ListMyMeetings. Both must outlive this object.
  CalendarExport(const Meetings& meetings, const Clock& clock)
      : meetings_(meetings), clock_(clock) {}

  // The meetings ListMyMeetings lists for `caller` (all its pages; cancelled meetings are
  // left out, so a subscribed phone drops them) that start before now + `days` days.
  // INVALID_ARGUMENT naming `days` outside 0..366 (0: 56); PERMISSION_DENIED for a service
  // account; the errors of ListMyMeetings.
  absl::StatusOr<std::string> Export(const Caller& caller,
                                     const v1::ExportMyCalendarRequest& request) const;

 private:
  const Meetings& meetings_;
  const Clock& clock_;
};

}  // namespace branchline
