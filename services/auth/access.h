#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/common.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "services/auth/caller.h"
#include "storage/store.h"

namespace branchline {

// The authorization rules shared by every service. A caller may act on an organisation
// when they *manage* it:
//   - a system administrator manages everything;
//   - a person with admin scope on the organisation or one of its ancestors;
//   - a secretary or committee member of the organisation or one of its ancestors.
// A service account reads (never writes, unless it has a write scope) within its own
// organisation's subtree, and only what its scopes name. Anything in another tenant is
// NOT_FOUND, exactly like an id that does not exist. Who may manage whom among people (no
// one upward or sideways) is rights.h. Thread-safe.
class Access {
 public:
  explicit Access(const storage::Store& store) : store_(store) {}

  // Loads an organisation; NOT_FOUND naming `field` when absent or in another tenant.
  absl::StatusOr<v1::Organization> LoadOrg(const Caller& caller, uint64_t id,
                                           std::string_view field) const;

  // True when the id's tenant is the caller's (system administrators see every tenant).
  static bool SameTenant(const Caller& caller, uint64_t id);
  // `org` is `root` or lies below it.
  static bool InSubtree(const v1::Organization& org, uint64_t root);
  // The rules above.
  static bool Manages(const Caller& caller, const v1::Organization& org);
  // Admin scope (or system admin) over `org`: needed to grant admin scope.
  static bool Administers(const Caller& caller, const v1::Organization& org);
  // A service account with `scope` whose subtree contains `org`.
  static bool ServiceMay(const Caller& caller, const v1::Organization& org, v1::Scope scope);

  // Whether a person, whose role is `role` and organisation `person_org`, is in `audience`.
  static bool InAudience(const v1::Audience& audience, uint64_t person_id, v1::Role role,
                         const v1::Organization& person_org);
  // A party member (党员): secretary, committee member, full or probationary member. The
  // people an Audience with members_only holds.
  static bool IsPartyMember(v1::Role role);
  // Checks and normalises the audience of something owned by `owner`: the organisation must
  // be `owner` or below it (0 means `owner`); listed people (at most 10000, no repeats) must
  // exist in `owner`'s subtree. INVALID_ARGUMENT / NOT_FOUND naming `field`.
  absl::StatusOr<v1::Audience> CheckAudience(const Caller& caller, const v1::Audience& audience,
                                             const v1::Organization& owner,
                                             std::string_view field) const;

  // PERMISSION_DENIED unless Manages(), naming what was attempted.
  static absl::Status RequireManage(const Caller& caller, const v1::Organization& org,
                                    std::string_view what);

 private:
  const storage::Store& store_;
};

}  // namespace branchline
