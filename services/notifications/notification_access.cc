#include "services/notifications/notification_access.h"

#include <string>

#include "services/common/errors.h"
#include "services/common/status_macros.h"

namespace branchline::notifications {

absl::Status RequireGateway(const Caller& caller, const v1::Organization& org,
                            std::string_view what) {
  if (Access::ServiceMay(caller, org, v1::SCOPE_NOTIFICATIONS_DELIVER)) return absl::OkStatus();
  return Denied(std::string(what) + " of organization " + std::to_string(org.id()) +
                " needs a service account with SCOPE_NOTIFICATIONS_DELIVER over it");
}

absl::Status RequireSettingsRead(const Access& access, const Caller& caller,
                                 const v1::Organization& org, std::string_view what) {
  if (Access::Manages(caller, org) ||
      Access::ServiceMay(caller, org, v1::SCOPE_NOTIFICATIONS_DELIVER)) {
    return absl::OkStatus();
  }
  if (!caller.service_account && caller.organization_id != 0) {
    ASSIGN_OR_RETURN(auto own, access.LoadOrg(caller, caller.organization_id, "caller"));
    if (Access::InSubtree(own, org.id())) return absl::OkStatus();
  }
  return Denied(std::string(what) + " of organization " + std::to_string(org.id()) +
                " needs a person of it, a manager or its push gateway");
}

absl::Status RequirePerson(const Caller& caller, std::string_view what) {
  if (!caller.service_account) return absl::OkStatus();
  return Denied(std::string(what) + " is for people, not service accounts");
}

}  // namespace branchline::notifications
