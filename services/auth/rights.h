#pragma once

#include <optional>
#include <string>
#include <vector>

#include "branchline/v1/common.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "services/auth/caller.h"

namespace branchline {

// What a person (or service account) may do, as far as managing other people goes. A
// person's rights are the union of:
//   - system administrator: everything, in every tenant;
//   - admin scope on each organisation of `administered`: everything in its subtree;
//   - a leading role (secretary above committee member) in `organization`: managing that
//     subtree (members' roles carry no rights over others, so they all rank alike);
//   - a service account's `scopes`, over the subtree of `organization`.
// The organisations carry their ancestor ids, which is all the subtree tests need.
struct Rights {
  bool system_admin = false;
  std::vector<v1::Organization> administered;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  v1::Organization organization;
  bool service_account = false;
  std::vector<v1::Scope> scopes;
};

// The rank of a role among the leading roles: 2 secretary, 1 committee member, 0 any other.
int LeadershipRank(v1::Role role);

// A right the actor lacks: the Person field that carries it ("admin_organization_ids",
// "role", "system_admin", "scopes") and the right itself ("admin scope on organization 7").
struct MissingRight {
  std::string field;
  std::string right;
};

// The first right of `target` that `actor` does not hold, or nullopt when the target's rights
// are a subset of the actor's. Equal rights are a subset: two administrators
// of one subtree, or two secretaries of one branch, may manage each other (credentials aside,
// which need admin scope: people_directory.h). Both must be of the same tenant (the caller
// has loaded `target` through the tenant check). Pure and thread-safe.
//
// An actor covers
//   - system administrator: any target; a target system administrator: only that;
//   - admin scope on T: with admin scope on T or an ancestor of T (service accounts never);
//   - a leading role in O: with admin scope over O, a leading role in an ancestor of O, or
//     a leading role of at least the same rank in O itself;
//   - a service scope over O: with admin scope over O, a leading role over O (leaders do all
//     that any scope allows in their subtree), or, for a service account, the same scope
//     over a subtree containing O.
std::optional<MissingRight> RightBeyond(const Caller& actor, const Rights& target);

// Whether every right of `target` is one of `actor`'s: !RightBeyond(actor, target).
bool RightsAreSubset(const Caller& actor, const Rights& target);

}  // namespace branchline
