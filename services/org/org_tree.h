#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "branchline/v1/organizations.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "storage/store.h"

namespace branchline {

// The organisation tree: the domain rules behind OrganizationService.
//
// Each organisation stores its ancestor ids (root first), so subtree checks need no extra
// reads; two indexes (children, and descendants of every ancestor) serve the lists.
// Structural changes (create, move, archive) of one tenant serialise on a tenant-wide lock,
// so a concurrent move can never leave a stale ancestor path. Thread-safe.
class OrgTree {
 public:
  OrgTree(storage::Store& store, const Access& access, const Clock& clock)
      : store_(store), access_(access), clock_(clock) {}

  absl::StatusOr<v1::Organization> Create(const Caller& caller,
                                          const v1::CreateOrganizationRequest& request);
  absl::StatusOr<v1::Organization> Get(const Caller& caller,
                                       const v1::GetOrganizationRequest& request) const;
  absl::StatusOr<v1::ListOrganizationsResponse> List(
      const Caller& caller, const v1::ListOrganizationsRequest& request) const;
  absl::StatusOr<v1::Organization> Update(const Caller& caller,
                                          const v1::UpdateOrganizationRequest& request);
  absl::StatusOr<v1::Organization> Move(const Caller& caller,
                                        const v1::MoveOrganizationRequest& request);
  absl::StatusOr<v1::Organization> Archive(const Caller& caller,
                                           const v1::ArchiveOrganizationRequest& request);

  // Creates a new tenant whose root is `org` (name, kind, offset), staging it in `m`.
  // Used by CreateOrganization without a parent and by the first start.
  absl::StatusOr<v1::Organization> StageTenantRoot(Mutation& m, v1::Organization org);

 private:
  absl::StatusOr<v1::Organization> StageCreate(Mutation& m, const Caller& caller,
                                               v1::Organization org);
  std::string TreeLockKey(uint32_t tenant) const;

  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
};

// Checks the client-settable fields of an organisation (name, kind, offset).
absl::Status ValidateOrganization(const v1::Organization& org, std::string_view prefix);

}  // namespace branchline
