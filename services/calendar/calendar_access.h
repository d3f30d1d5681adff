#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "branchline/v1/organizations.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"

namespace branchline::calendar {

// Who may read an organisation's calendar (its series and holidays): its managers, the
// people of its subtree (a driver of group 4 reads the branch's series) and service accounts
// with SCOPE_ATTENDANCE_READ over it. PERMISSION_DENIED naming `what` otherwise. Managing
// it is Access::RequireManage: whoever may schedule its meetings.
absl::Status RequireCalendarRead(const Access& access, const Caller& caller,
                                 const v1::Organization& org, std::string_view what);

}  // namespace branchline::calendar
