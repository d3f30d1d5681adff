// RightsAreSubset: who may manage whom, as a pure function over a small tree
//   root ─┬─ committee ─┬─ branch ── group
//         │             └─ sibling
//         └─ other
// (issue #19: no one manages upward or sideways).
#include "services/auth/rights.h"

#include <gtest/gtest.h>

#include "storage/key_codec.h"

namespace branchline {
namespace {

constexpr uint32_t kTenant = 1;

v1::Organization Org(uint64_t n, std::vector<uint64_t> ancestors) {
  v1::Organization org;
  org.set_id(storage::MakeId(kTenant, n));
  for (uint64_t a : ancestors) org.add_ancestor_ids(storage::MakeId(kTenant, a));
  return org;
}

const v1::Organization kRoot = Org(1, {});
const v1::Organization kCommittee = Org(2, {1});
const v1::Organization kBranch = Org(3, {1, 2});
const v1::Organization kGroup = Org(4, {1, 2, 3});
const v1::Organization kSibling = Org(5, {1, 2});
const v1::Organization kOther = Org(6, {1});

Caller Leader(const v1::Organization& org, v1::Role role) {
  Caller c;
  c.person_id = storage::MakeId(kTenant, 100);
  c.tenant = kTenant;
  c.organization_id = org.id();
  c.role = role;
  return c;
}
Caller Admin(const v1::Organization& over) {
  Caller c = Leader(over, v1::ROLE_EMPLOYEE);
  c.admin_organization_ids = {over.id()};
  return c;
}
Caller Service(const v1::Organization& org, std::vector<v1::Scope> scopes) {
  Caller c = Leader(org, v1::ROLE_UNSPECIFIED);
  c.service_account = true;
  c.scopes = std::move(scopes);
  return c;
}

Rights Member(const v1::Organization& org, v1::Role role = v1::ROLE_FULL_MEMBER) {
  Rights r;
  r.role = role;
  r.organization = org;
  return r;
}
Rights AdminIn(const v1::Organization& org, const v1::Organization& over) {
  Rights r = Member(org, v1::ROLE_EMPLOYEE);
  r.administered = {over};
  return r;
}
Rights ServiceAccount(const v1::Organization& org, std::vector<v1::Scope> scopes) {
  Rights r = Member(org, v1::ROLE_UNSPECIFIED);
  r.service_account = true;
  r.scopes = std::move(scopes);
  return r;
}

TEST(RightsTest, LeadershipRanks) {
  EXPECT_EQ(LeadershipRank(v1::ROLE_SECRETARY), 2);
  EXPECT_EQ(LeadershipRank(v1::ROLE_COMMITTEE_MEMBER), 1);
  for (auto role : {v1::ROLE_FULL_MEMBER, v1::ROLE_PROBATIONARY_MEMBER, v1::ROLE_ACTIVIST,
                    v1::ROLE_EMPLOYEE, v1::ROLE_UNSPECIFIED}) {
    EXPECT_EQ(LeadershipRank(role), 0) << v1::Role_Name(role);
  }
}

// Finding 1: the tenant administrator whose own organisation is in the branch.
TEST(RightsTest, ASecretaryDoesNotCoverAnAdministratorOfTheirBranch) {
  const Caller secretary = Leader(kBranch, v1::ROLE_SECRETARY);
  const auto missing = RightBeyond(secretary, AdminIn(kBranch, kRoot));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->field, "admin_organization_ids");
  EXPECT_NE(missing->right.find("admin scope on organization"), std::string::npos);
  EXPECT_FALSE(RightsAreSubset(secretary, AdminIn(kGroup, kGroup)));
  EXPECT_TRUE(RightsAreSubset(secretary, Member(kBranch)));
  EXPECT_TRUE(RightsAreSubset(secretary, Member(kGroup, v1::ROLE_EMPLOYEE)));
}

TEST(RightsTest, AdminScopeIsCoveredOnlyByAdminScopeOnItOrAbove) {
  EXPECT_TRUE(RightsAreSubset(Admin(kRoot), AdminIn(kBranch, kRoot)));  // an equal: a peer
  EXPECT_TRUE(RightsAreSubset(Admin(kCommittee), AdminIn(kSibling, kBranch)));
  EXPECT_FALSE(RightsAreSubset(Admin(kBranch), AdminIn(kBranch, kCommittee)));  // upward
  EXPECT_FALSE(RightsAreSubset(Admin(kBranch), AdminIn(kSibling, kSibling)));   // sideways
  EXPECT_FALSE(RightsAreSubset(Leader(kRoot, v1::ROLE_SECRETARY), AdminIn(kGroup, kGroup)));
}

TEST(RightsTest, LeadingRolesByPlaceAndRank) {
  const Caller secretary = Leader(kBranch, v1::ROLE_SECRETARY);
  const Caller committee_member = Leader(kBranch, v1::ROLE_COMMITTEE_MEMBER);
  EXPECT_TRUE(RightsAreSubset(secretary, Member(kBranch, v1::ROLE_SECRETARY)));  // equal
  EXPECT_TRUE(RightsAreSubset(secretary, Member(kBranch, v1::ROLE_COMMITTEE_MEMBER)));
  EXPECT_TRUE(RightsAreSubset(committee_member, Member(kBranch, v1::ROLE_COMMITTEE_MEMBER)));
  const auto up = RightBeyond(committee_member, Member(kBranch, v1::ROLE_SECRETARY));
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->field, "role");
  // A leading role above covers every rank below; a leading role below or beside covers none.
  EXPECT_TRUE(RightsAreSubset(committee_member, Member(kGroup, v1::ROLE_SECRETARY)));
  EXPECT_TRUE(RightsAreSubset(Leader(kCommittee, v1::ROLE_COMMITTEE_MEMBER),
                              Member(kBranch, v1::ROLE_SECRETARY)));
  EXPECT_FALSE(RightsAreSubset(secretary, Member(kCommittee, v1::ROLE_COMMITTEE_MEMBER)));
  EXPECT_FALSE(RightsAreSubset(secretary, Member(kSibling, v1::ROLE_SECRETARY)));
  EXPECT_TRUE(RightsAreSubset(Admin(kBranch), Member(kBranch, v1::ROLE_SECRETARY)));
  EXPECT_FALSE(RightsAreSubset(Admin(kGroup), Member(kBranch, v1::ROLE_SECRETARY)));
  // Member roles carry no rights over others: a member covers another member (but the
  // services ask for managing the organisation first).
  EXPECT_TRUE(RightsAreSubset(Leader(kBranch, v1::ROLE_FULL_MEMBER), Member(kBranch)));
}

// Finding 2: an integration with SCOPE_PEOPLE_WRITE covers members only.
TEST(RightsTest, AServiceAccountCoversMembersOnly) {
  const Caller hr = Service(kCommittee, {v1::SCOPE_PEOPLE_WRITE, v1::SCOPE_PEOPLE_READ});
  EXPECT_TRUE(RightsAreSubset(hr, Member(kBranch, v1::ROLE_EMPLOYEE)));
  EXPECT_TRUE(RightsAreSubset(hr, Member(kBranch, v1::ROLE_FULL_MEMBER)));
  EXPECT_FALSE(RightsAreSubset(hr, Member(kBranch, v1::ROLE_SECRETARY)));
  EXPECT_FALSE(RightsAreSubset(hr, Member(kBranch, v1::ROLE_COMMITTEE_MEMBER)));
  EXPECT_FALSE(RightsAreSubset(hr, AdminIn(kBranch, kBranch)));
  // Another service account: only with the same scopes, over its subtree.
  EXPECT_TRUE(RightsAreSubset(hr, ServiceAccount(kBranch, {v1::SCOPE_PEOPLE_READ})));
  const auto more = RightBeyond(hr, ServiceAccount(kBranch, {v1::SCOPE_FEED_READ}));
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(more->field, "scopes");
  EXPECT_FALSE(RightsAreSubset(hr, ServiceAccount(kOther, {v1::SCOPE_PEOPLE_READ})));
}

TEST(RightsTest, ManagersCoverTheServiceAccountsOfTheirSubtree) {
  const Rights feed = ServiceAccount(kBranch, {v1::SCOPE_FEED_READ, v1::SCOPE_PEOPLE_WRITE});
  EXPECT_TRUE(RightsAreSubset(Admin(kCommittee), feed));
  EXPECT_TRUE(RightsAreSubset(Leader(kBranch, v1::ROLE_COMMITTEE_MEMBER), feed));
  EXPECT_FALSE(RightsAreSubset(Leader(kSibling, v1::ROLE_SECRETARY), feed));
  EXPECT_FALSE(RightsAreSubset(Leader(kBranch, v1::ROLE_FULL_MEMBER), feed));
}

TEST(RightsTest, SystemAdministrators) {
  Caller system = Leader(kRoot, v1::ROLE_EMPLOYEE);
  system.system_admin = true;
  Rights target = AdminIn(kBranch, kRoot);
  target.system_admin = true;
  EXPECT_TRUE(RightsAreSubset(system, target));
  const auto missing = RightBeyond(Admin(kRoot), target);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->field, "system_admin");
}

TEST(RightsTest, AnotherTenantIsNeverCovered) {
  Caller foreign = Admin(kRoot);
  foreign.tenant = 2;
  foreign.admin_organization_ids = {storage::MakeId(2, 1)};
  foreign.organization_id = storage::MakeId(2, 1);
  EXPECT_FALSE(RightsAreSubset(foreign, AdminIn(kBranch, kBranch)));
  EXPECT_FALSE(RightsAreSubset(foreign, Member(kBranch, v1::ROLE_SECRETARY)));
}

}  // namespace
}  // namespace branchline
