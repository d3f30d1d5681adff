#include "services/auth/rights.h"

#include "services/auth/access.h"

namespace branchline {

namespace {

// A leading role over `org`: in it with at least `rank`, or in an ancestor of it with any.
bool LeadsOver(const Caller& actor, const v1::Organization& org, int rank) {
  const int own = LeadershipRank(actor.role);
  if (actor.service_account || own == 0 || !Access::SameTenant(actor, org.id())) return false;
  if (org.id() == actor.organization_id) return own >= rank;
  return Access::InSubtree(org, actor.organization_id);
}

}  // namespace

int LeadershipRank(v1::Role role) {
  switch (role) {
    case v1::ROLE_SECRETARY:
      return 2;
    case v1::ROLE_COMMITTEE_MEMBER:
      return 1;
    default:
      return 0;
  }
}

std::optional<MissingRight> RightBeyond(const Caller& actor, const Rights& target) {
  if (actor.system_admin) return std::nullopt;
  if (target.system_admin) return MissingRight{"system_admin", "system administrator"};
  for (const auto& org : target.administered) {
    if (!Access::Administers(actor, org)) {
      return MissingRight{"admin_organization_ids",
                          "admin scope on organization " + std::to_string(org.id())};
    }
  }
  const int rank = target.service_account ? 0 : LeadershipRank(target.role);
  if (rank > 0 && !Access::Administers(actor, target.organization) &&
      !LeadsOver(actor, target.organization, rank)) {
    return MissingRight{"role", v1::Role_Name(target.role) + " in organization " +
                                    std::to_string(target.organization.id())};
  }
  if (!target.service_account) return std::nullopt;
  const bool manages = Access::Administers(actor, target.organization) ||
                       LeadsOver(actor, target.organization, /*rank=*/1);
  for (v1::Scope scope : target.scopes) {
    if (!manages && !Access::ServiceMay(actor, target.organization, scope)) {
      return MissingRight{"scopes", v1::Scope_Name(scope) + " over organization " +
                                        std::to_string(target.organization.id())};
    }
  }
  return std::nullopt;
}

bool RightsAreSubset(const Caller& actor, const Rights& target) {
  return !RightBeyond(actor, target).has_value();
}

}  // namespace branchline
