#include "services/people/memberships.h"

#include <algorithm>

#include "services/auth/access.h"
#include "services/common/local_date.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

bool OnRosters(const v1::Person& person) {
  return person.active() && person.kind() != v1::PERSON_KIND_SERVICE;
}

int64_t MembershipSince(const v1::Person& person) {
  if (!person.has_membership_since()) return kSinceEver;
  auto day = DayOfDate(person.membership_since(), "membership_since");
  return day.ok() ? *day : kSinceEver;
}

std::string OrgIndexValue(const v1::Person& person) {
  const int64_t since = MembershipSince(person);
  return storage::PersonByOrgValue(
      OnRosters(person), Access::IsPartyMember(person.role()),
      since == kSinceEver ? std::nullopt : std::optional<int64_t>(since));
}

void StageMembershipChange(storage::WriteSet& w, const v1::Person& before, v1::Person& after,
                           int64_t from_day, std::string_view reason) {
  const int64_t since = MembershipSince(before);
  if (from_day > since) {
    // The ended membership keeps what the person was during it: on rosters, a party member.
    w.Put(storage::Cf::kIndex,
          storage::MembershipEndedKey(before.organization_id(), from_day - 1, before.id()),
          storage::KeyBuilder().Raw(OrgIndexValue(before).substr(0, 1)).I64(since).key());
    v1::Membership ended;
    ended.set_organization_id(before.organization_id());
    ended.set_role(before.role());
    if (since != kSinceEver) *ended.mutable_from_date() = DateOfDay(since);
    *ended.mutable_to_date() = DateOfDay(from_day - 1);
    ended.set_end_reason(std::string(reason));
    w.PutMessage(storage::Cf::kIndex, storage::MembershipByPersonKey(before.id(), since), ended);
  }
  if (after.organization_id() != before.organization_id()) {
    w.Delete(storage::Cf::kIndex, storage::PersonByOrgKey(before.organization_id(), before.id()));
  }
  *after.mutable_membership_since() = DateOfDay(from_day);
  w.Put(storage::Cf::kIndex, storage::PersonByOrgKey(after.organization_id(), after.id()),
        OrgIndexValue(after));
}

absl::StatusOr<std::vector<v1::Membership>> EndedMemberships(const storage::Store& store,
                                                             uint64_t person_id) {
  std::vector<v1::Membership> ended;
  bool parsed = true;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kIndex, storage::MembershipByPersonPrefix(person_id), "",
                             [&](std::string_view, std::string_view value) {
                               parsed =
                                   ended.emplace_back().ParseFromArray(value.data(), value.size());
                               return parsed;
                             }));
  if (!parsed) return absl::DataLossError("a membership of the person does not parse");
  std::reverse(ended.begin(), ended.end());
  return ended;
}

}  // namespace branchline
