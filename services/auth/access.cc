#include "services/auth/access.h"

#include <algorithm>
#include <set>

#include "branchline/v1/people.pb.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "storage/key_codec.h"

namespace branchline {

absl::StatusOr<v1::Organization> Access::LoadOrg(const Caller& caller, uint64_t id,
                                                 std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  v1::Organization org;
  if (SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kOrganizations, storage::RecordKey(id), &org));
    if (found) return org;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "organization " + std::to_string(id) + " does not exist");
}

bool Access::SameTenant(const Caller& caller, uint64_t id) {
  return caller.system_admin || storage::TenantOfId(id) == caller.tenant;
}

bool Access::InSubtree(const v1::Organization& org, uint64_t root) {
  if (org.id() == root) return true;
  const auto& a = org.ancestor_ids();
  return std::find(a.begin(), a.end(), root) != a.end();
}

bool Access::Administers(const Caller& caller, const v1::Organization& org) {
  if (caller.system_admin) return true;
  if (caller.service_account || !SameTenant(caller, org.id())) return false;
  for (uint64_t root : caller.admin_organization_ids) {
    if (InSubtree(org, root)) return true;
  }
  return false;
}

bool Access::Manages(const Caller& caller, const v1::Organization& org) {
  if (Administers(caller, org)) return true;
  if (caller.service_account || !SameTenant(caller, org.id())) return false;
  bool leader = caller.role == v1::ROLE_SECRETARY || caller.role == v1::ROLE_COMMITTEE_MEMBER;
  return leader && InSubtree(org, caller.organization_id);
}

bool Access::ServiceMay(const Caller& caller, const v1::Organization& org, v1::Scope scope) {
  return caller.service_account && caller.HasScope(scope) && SameTenant(caller, org.id()) &&
         InSubtree(org, caller.organization_id);
}

bool Access::IsPartyMember(v1::Role role) {
  return role == v1::ROLE_SECRETARY || role == v1::ROLE_COMMITTEE_MEMBER ||
         role == v1::ROLE_FULL_MEMBER || role == v1::ROLE_PROBATIONARY_MEMBER;
}

bool Access::InAudience(const v1::Audience& audience, uint64_t person_id, v1::Role role,
                        const v1::Organization& person_org) {
  if (audience.person_ids_size() > 0) {
    const auto& ids = audience.person_ids();
    return std::find(ids.begin(), ids.end(), person_id) != ids.end();
  }
  if (audience.members_only() && !IsPartyMember(role)) return false;
  return InSubtree(person_org, audience.organization_id());
}

absl::StatusOr<v1::Audience> Access::CheckAudience(const Caller& caller,
                                                   const v1::Audience& audience,
                                                   const v1::Organization& owner,
                                                   std::string_view field) const {
  std::string f(field);
  v1::Audience normal;
  if (audience.person_ids_size() > 0) {
    if (audience.members_only()) {
      return Refusal(absl::StatusCode::kInvalidArgument, reasons::kAudienceMembersOnlyWithPeople,
                     f + ".members_only");
    }
    if (audience.person_ids_size() > 10000) {
      return InvalidField(f + ".person_ids", "at most 10000 people");
    }
    std::set<uint64_t> seen;
    for (uint64_t id : audience.person_ids()) {
      if (!seen.insert(id).second) return InvalidField(f + ".person_ids", "lists a person twice");
      v1::Person person;
      bool found = false;
      if (id != 0 && SameTenant(caller, id)) {
        ASSIGN_OR_RETURN(found,
                         store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(id), &person));
      }
      if (!found) {
        return FieldError(absl::StatusCode::kNotFound, f + ".person_ids",
                          "person " + std::to_string(id) + " does not exist");
      }
      ASSIGN_OR_RETURN(auto org, LoadOrg(caller, person.organization_id(), f + ".person_ids"));
      if (!InSubtree(org, owner.id())) {
        return InvalidField(f + ".person_ids", "person " + std::to_string(id) +
                                                   " is not in organization " +
                                                   std::to_string(owner.id()));
      }
      normal.add_person_ids(id);
    }
    return normal;
  }
  uint64_t org_id = audience.organization_id() ? audience.organization_id() : owner.id();
  ASSIGN_OR_RETURN(auto org, LoadOrg(caller, org_id, f + ".organization_id"));
  if (!InSubtree(org, owner.id())) {
    return InvalidField(f + ".organization_id", "must be the organization or one below it");
  }
  normal.set_organization_id(org_id);
  normal.set_members_only(audience.members_only());
  return normal;
}

absl::Status Access::RequireManage(const Caller& caller, const v1::Organization& org,
                                   std::string_view what) {
  if (Manages(caller, org)) return absl::OkStatus();
  return Denied(std::string(what) + " needs a secretary, committee member or administrator of " +
                "organization " + std::to_string(org.id()));
}

}  // namespace branchline
