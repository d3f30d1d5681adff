#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "services/org/org_tree.h"
#include "services/people/people_directory.h"

namespace branchline {

// On an empty data directory, creates the first tenant's root organisation and the `admin`
// account (system administrator with admin scope on the root). The password is
// `admin_password`, else $BRANCHLINE_ADMIN_PASSWORD, else generated and written once to
// `out` (never to the log). Does nothing when the database already has organisations.
absl::Status BootstrapIfEmpty(storage::Store& store, OrgTree& orgs, PeopleDirectory& people,
                              PasswordHasher& hasher, std::string admin_password,
                              std::ostream& out);

}  // namespace branchline
