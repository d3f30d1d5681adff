#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "branchline/v1/common.pb.h"
#include "branchline/v1/people.pb.h"

namespace branchline {

// Who is calling, as established by the access token (never by a request field). Built
// fresh from the person record on every call, so role and scope changes and deactivation
// apply at once.
struct Caller {
  uint64_t person_id = 0;
  uint32_t tenant = 0;
  uint64_t session_id = 0;
  uint64_t organization_id = 0;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::vector<uint64_t> admin_organization_ids;
  bool system_admin = false;
  bool service_account = false;
  std::vector<v1::Scope> scopes;

  bool HasScope(v1::Scope scope) const {
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
  }
};

}  // namespace branchline
