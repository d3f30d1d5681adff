#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "branchline/v1/organizations.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"

namespace branchline::notifications {

// A push gateway over `org`: a service account with SCOPE_NOTIFICATIONS_DELIVER whose subtree
// holds it. PERMISSION_DENIED naming `what` otherwise (people too: the outbox and the tokens
// are the gateway's, a secretary reads notifications only of their own).
absl::Status RequireGateway(const Caller& caller, const v1::Organization& org,
                            std::string_view what);

// A person of `org`'s subtree, a manager of it, or a gateway over it.
absl::Status RequireSettingsRead(const Access& access, const Caller& caller,
                                 const v1::Organization& org, std::string_view what);

// A person (not a service account) acting on their own notifications, devices, opt-outs.
absl::Status RequirePerson(const Caller& caller, std::string_view what);

}  // namespace branchline::notifications
