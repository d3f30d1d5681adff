#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/people.pb.h"
#include "storage/store.h"
#include "storage/write_set.h"

namespace branchline {

// A person's memberships over time (组织关系, docs/people.md "Memberships"). The current one is
// the person record's organisation and role since `membership_since`, indexed by kPersonByOrg
// (whose value carries its first day). An ended one is kept twice: by organisation and the day
// it ended (kMembershipEndedByOrg), so the roster of a past day finds who belonged then, and by
// person (kMembershipByPerson), for their history. A change of organisation or role ends the
// current membership the day before the new one starts; a second change on the same day
// replaces the first (a membership of no days is not kept). A person's first membership has
// the first day given when they were created, or none: it began before the records did. (Not
// their creation time: people are typed in after they joined, and the meetings held before
// that, recorded later from paper, must still count them.)

// Why a membership ended (Membership.end_reason).
inline constexpr std::string_view kEndedTransferred = "transferred";
inline constexpr std::string_view kEndedRoleChanged = "role changed";
inline constexpr std::string_view kEndedDeactivated = "deactivated";

// A day before every membership: entries written before memberships had days.
inline constexpr int64_t kSinceEver = std::numeric_limits<int64_t>::min() / 2;
// The last day of a current membership.
inline constexpr int64_t kCurrent = std::numeric_limits<int64_t>::max() / 2;

// Whether a person appears on rosters: active and not a service account.
bool OnRosters(const v1::Person& person);

// The first day of `person`'s current membership (kSinceEver when not recorded).
int64_t MembershipSince(const v1::Person& person);

// The kPersonByOrg value of `person` as they are.
std::string OrgIndexValue(const v1::Person& person);

// Stages `before`'s current membership ending on `from_day - 1` (unless it began on
// `from_day`) and `after`'s starting on `from_day`, which must not be before it began; sets
// `after.membership_since`. `reason` is kept with the ended membership.
void StageMembershipChange(storage::WriteSet& w, const v1::Person& before, v1::Person& after,
                           int64_t from_day, std::string_view reason);

// The ended memberships of `person_id`, newest first.
absl::StatusOr<std::vector<v1::Membership>> EndedMemberships(const storage::Store& store,
                                                             uint64_t person_id);

}  // namespace branchline
