// The organisation index carries "on rosters" (active, not a service account) so rosters and
// reports count a subtree without reading every person. These tests keep the flag in step
// with the records through create, deactivate and move, and check that entries written
// before the flag existed (empty values) are still answered right by reading the person.
#include <algorithm>
#include <vector>

#include "storage/keys.h"
#include "tests/services/study_domain_fixture.h"

namespace branchline::testing {
namespace {

class RosterIndexTest : public StudyDomainFixture {
 protected:
  RosterIndexTest() : StudyDomainFixture(40) {}

  storage::PersonByOrgEntry EntryOf(uint64_t org, uint64_t person) {
    auto value = store_->Get(storage::Cf::kIndex, storage::PersonByOrgKey(org, person));
    EXPECT_TRUE(value.ok()) << value.status();
    if (!value.ok() || !value->has_value()) {
      ADD_FAILURE() << "no index entry for person " << person << " in org " << org;
      return {};
    }
    EXPECT_FALSE((*value)->empty()) << "new entries carry the flag";
    return storage::ReadPersonByOrgValue(**value);
  }
  storage::RosterFlag FlagOf(uint64_t org, uint64_t person) { return EntryOf(org, person).roster; }
  void SetRole(uint64_t person, v1::Role role) {
    v1::UpdatePersonRequest r;
    r.set_request_id("role-" + std::to_string(person) + "-" + std::to_string(role));
    r.mutable_person()->set_id(person);
    r.mutable_person()->set_role(role);
    r.mutable_update_mask()->add_paths("role");
    auto out = people_->Update(admin_, r);
    ASSERT_TRUE(out.ok()) << out.status();
  }
  void Deactivate(uint64_t person) {
    v1::DeactivatePersonRequest r;
    r.set_request_id("deactivate-" + std::to_string(person));
    r.set_id(person);
    auto out = people_->Deactivate(admin_, r);
    ASSERT_TRUE(out.ok()) << out.status();
  }
  void Move(uint64_t person, uint64_t org) {
    v1::UpdatePersonRequest r;
    r.set_request_id("move-" + std::to_string(person));
    r.mutable_person()->set_id(person);
    r.mutable_person()->set_organization_id(org);
    r.mutable_update_mask()->add_paths("organization_id");
    auto out = people_->Update(admin_, r);
    ASSERT_TRUE(out.ok()) << out.status();
  }
  // The oracle: every person of the subtree read in full, filtered by OnRosters (and by
  // membership for a members-only audience).
  std::vector<uint64_t> OnRostersFromRecords(uint64_t org, bool members_only = false) {
    std::vector<uint64_t> ids;
    EXPECT_TRUE(people_
                    ->ForEachInSubtree(org,
                                       [&](const v1::Person& p) {
                                         if (OnRosters(p) &&
                                             (!members_only || Access::IsPartyMember(p.role()))) {
                                           ids.push_back(p.id());
                                         }
                                         return true;
                                       })
                    .ok());
    return ids;
  }
  std::vector<uint64_t> OnRostersFromIndex(uint64_t org, bool members_only = false) {
    std::vector<uint64_t> ids;
    EXPECT_TRUE(people_
                    ->ForEachOnRostersInSubtree(
                        org,
                        [&](uint64_t id) {
                          ids.push_back(id);
                          return true;
                        },
                        members_only)
                    .ok());
    return ids;
  }
};

TEST_F(RosterIndexTest, TheFlagFollowsCreateDeactivateAndMove) {
  uint64_t p0 = callers_[0].person_id, p1 = callers_[1].person_id, p2 = callers_[2].person_id;
  EXPECT_EQ(FlagOf(teams_[0], p0), storage::RosterFlag::kOnRosters);
  Deactivate(p0);
  EXPECT_EQ(FlagOf(teams_[0], p0), storage::RosterFlag::kOffRosters);
  // A move rewrites the entry under the new organisation with the person's flag.
  Move(p0, teams_[1]);
  EXPECT_EQ(FlagOf(teams_[1], p0), storage::RosterFlag::kOffRosters);
  Move(p1, teams_[0]);
  EXPECT_EQ(FlagOf(teams_[0], p1), storage::RosterFlag::kOnRosters);
  EXPECT_EQ(FlagOf(teams_[0], p2), storage::RosterFlag::kOnRosters);  // untouched

  auto ids = OnRostersFromIndex(branch_);
  EXPECT_EQ(ids.size(), 39u);
  EXPECT_EQ(ids, OnRostersFromRecords(branch_));
  EXPECT_EQ(OnRostersFromIndex(teams_[1]), OnRostersFromRecords(teams_[1]));
}

TEST_F(RosterIndexTest, EntriesWithoutTheFlagAreAnsweredFromTheRecord) {
  Deactivate(callers_[3].person_id);
  Deactivate(callers_[4].person_id);
  // Entries as written before the flag existed: empty values, for active and inactive people.
  storage::WriteSet legacy;
  for (int i = 0; i < 10; ++i) {
    legacy.Put(storage::Cf::kIndex,
               storage::PersonByOrgKey(callers_[i].organization_id, callers_[i].person_id), "");
  }
  ASSERT_TRUE(store_->Commit(std::move(legacy)).ok());
  auto ids = OnRostersFromIndex(branch_);
  EXPECT_EQ(ids.size(), 38u);
  EXPECT_EQ(ids, OnRostersFromRecords(branch_));
  for (int i : {3, 4}) {
    EXPECT_EQ(std::count(ids.begin(), ids.end(), callers_[i].person_id), 0);
  }

  // Stopping early stops the walk.
  int visited = 0;
  ASSERT_TRUE(people_
                  ->ForEachOnRostersInSubtree(branch_,
                                              [&](uint64_t) {
                                                ++visited;
                                                return visited < 5;
                                              })
                  .ok());
  EXPECT_EQ(visited, 5);
}

TEST_F(RosterIndexTest, MembershipFollowsTheRoleAndOlderEntriesAreReadFromTheRecord) {
  const uint64_t p0 = callers_[0].person_id, p1 = callers_[1].person_id;
  SetRole(p0, v1::ROLE_EMPLOYEE);
  EXPECT_EQ(EntryOf(callers_[0].organization_id, p0).party_member, false);
  SetRole(p1, v1::ROLE_ACTIVIST);
  SetRole(p1, v1::ROLE_PROBATIONARY_MEMBER);  // admitted
  EXPECT_EQ(EntryOf(callers_[1].organization_id, p1).party_member, true);
  auto members = OnRostersFromIndex(branch_, true);
  EXPECT_EQ(members, OnRostersFromRecords(branch_, true));
  EXPECT_EQ(std::count(members.begin(), members.end(), p0), 0);
  EXPECT_EQ(std::count(members.begin(), members.end(), p1), 1);
  EXPECT_EQ(OnRostersFromIndex(branch_), OnRostersFromRecords(branch_));  // everyone still

  // Entries written before membership was recorded ('r'): the record answers.
  storage::WriteSet legacy;
  for (int i = 0; i < 6; ++i) {
    legacy.Put(storage::Cf::kIndex,
               storage::PersonByOrgKey(callers_[i].organization_id, callers_[i].person_id), "r");
  }
  ASSERT_TRUE(store_->Commit(std::move(legacy)).ok());
  EXPECT_EQ(OnRostersFromIndex(branch_, true), OnRostersFromRecords(branch_, true));
  EXPECT_EQ(OnRostersFromIndex(branch_), OnRostersFromRecords(branch_));
}

TEST_F(RosterIndexTest, AnUnknownValueIsReadAsUnknown) {
  EXPECT_EQ(storage::ReadPersonByOrgValue("").roster, storage::RosterFlag::kUnknown);
  EXPECT_EQ(storage::ReadPersonByOrgValue("x").roster, storage::RosterFlag::kUnknown);
  const auto legacy = storage::ReadPersonByOrgValue("r");
  EXPECT_EQ(legacy.roster, storage::RosterFlag::kOnRosters);
  EXPECT_FALSE(legacy.party_member.has_value());
  EXPECT_FALSE(legacy.since_day.has_value()) << "an entry without a day: since ever";
  for (bool member : {false, true}) {
    for (int64_t since : {int64_t{-3}, int64_t{0}, int64_t{20'790}}) {
      const auto on = storage::ReadPersonByOrgValue(storage::PersonByOrgValue(true, member, since));
      EXPECT_EQ(on.roster, storage::RosterFlag::kOnRosters);
      EXPECT_EQ(on.party_member, member);
      EXPECT_EQ(on.since_day, since);
      const auto off =
          storage::ReadPersonByOrgValue(storage::PersonByOrgValue(false, member, since));
      EXPECT_EQ(off.roster, storage::RosterFlag::kOffRosters);
      EXPECT_EQ(off.since_day, since);
    }
  }
}

}  // namespace
}  // namespace branchline::testing
