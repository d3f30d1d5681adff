#include "services/calendar/calendar_access.h"

#include <string>

#include "services/common/errors.h"
#include "services/common/status_macros.h"

namespace branchline::calendar {

absl::Status RequireCalendarRead(const Access& access, const Caller& caller,
                                 const v1::Organization& org, std::string_view what) {
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_ATTENDANCE_READ)) {
    return absl::OkStatus();
  }
  if (!caller.service_account && caller.organization_id != 0) {
    ASSIGN_OR_RETURN(auto own, access.LoadOrg(caller, caller.organization_id, "caller"));
    if (Access::InSubtree(own, org.id())) return absl::OkStatus();
  }
  return Denied(std::string(what) + " of organization " + std::to_string(org.id()) +
                " needs a person of it, a manager or a read-scoped service");
}

}  // namespace branchline::calendar
