#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/records.pb.h"
#include "branchline/v1/people.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/auth/password_hasher.h"
#include "services/auth/rights.h"
#include "services/common/call_cancellation.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/people/memberships.h"
#include "storage/store.h"

namespace branchline {

// People: the domain rules behind PersonService.
//
// Logins (phone and employee number) are unique within a tenant through the login index;
// a person's organisation is indexed for listing. Who may do what is in access.h: managers
// of the person's organisation manage the person; a person reads and edits (name, phone)
// only themselves. On top of that, no one manages upward or sideways: creating, updating or
// deactivating someone else needs that person's rights, before and after the change, to be
// within the caller's (RightsAreSubset, rights.h); this covers granting admin scope and
// leading roles. Setting someone else's password is a separate right: admin scope over their
// organisation; it ends their sessions and forces a new password at their next sign-in.
// Service accounts never set passwords. Thread-safe.
class PeopleDirectory {
 public:
  PeopleDirectory(storage::Store& store, const Access& access, PasswordHasher& hasher,
                  const Clock& clock)
      : store_(store), access_(access), hasher_(hasher), clock_(clock) {}

  absl::StatusOr<v1::Person> Create(const Caller& caller, const v1::CreatePersonRequest& request);
  absl::StatusOr<v1::Person> Get(const Caller& caller, const v1::GetPersonRequest& request) const;
  absl::StatusOr<v1::ListPeopleResponse> List(const Caller& caller,
                                              const v1::ListPeopleRequest& request) const;
  absl::StatusOr<v1::Person> Update(const Caller& caller, const v1::UpdatePersonRequest& request);
  absl::StatusOr<v1::Person> Deactivate(const Caller& caller,
                                        const v1::DeactivatePersonRequest& request);
  absl::StatusOr<v1::ImportPeopleResponse> Import(const Caller& caller,
                                                  const v1::ImportPeopleRequest& request);
  absl::StatusOr<v1::Person> ChangeMembership(const Caller& caller,
                                              const v1::ChangeMembershipRequest& request);
  absl::StatusOr<v1::ListMembershipsResponse> ListMemberships(
      const Caller& caller, const v1::ListMembershipsRequest& request) const;

  // Stages a new person (record, indexes, credential, change) after checking that their
  // logins are free. The caller has validated `person` and locked LoginKeys(person).
  // `person.organization_id` must exist. Returns the stored person.
  absl::StatusOr<v1::Person> StageNew(Mutation& m, v1::Person person,
                                      internal::v1::Credential credential);

  // PERMISSION_DENIED unless `person`'s rights are within the caller's (RightsAreSubset),
  // naming `field`: the request field of the person ("id"), or, ending in '.', the prefix of
  // the person's own field that carries the missing right ("person." + "role"). `what` is
  // what was attempted. NOT_FOUND when one of the person's organisations does not exist.
  absl::Status RequireRightsWithin(const Caller& caller, const v1::Person& person,
                                   std::string_view field, std::string_view what) const;

  // Loads a person the caller may read (GetPerson's rule), naming `field` in refusals.
  absl::StatusOr<v1::Person> LoadReadable(const Caller& caller, uint64_t id,
                                          std::string_view field) const;
  // Loads a person of the caller's tenant; NOT_FOUND naming `field` otherwise.
  absl::StatusOr<v1::Person> Load(const Caller& caller, uint64_t id, std::string_view field) const;

  // Visits every person of organisation `org_id` and of every organisation below it (the
  // organisation first, then its descendants in id order), until `visit` returns false.
  // Inactive people are visited too; check person.active(). CANCELLED when the call it serves
  // is cancelled (DEADLINE_EXCEEDED past its deadline): rosters and reports of a large
  // subtree stop instead of finishing for nobody. Each person is one CancellationCheckpoint()
  // step, so gRPC is asked once every kCancellationStride people (see call_cancellation.h).
  absl::Status ForEachInSubtree(uint64_t org_id,
                                const std::function<bool(const v1::Person&)>& visit) const;

  // The ids of the people of the subtree who appear on rosters now (OnRosters; their current
  // memberships), in the order of ForEachInSubtree, until `visit` returns false; with
  // `party_members_only`, only party members among them (Access::IsPartyMember: a
  // members-only audience). Reads the
  // organisation index only (its values carry both flags); a person record is read only for
  // entries written before that. Cancellation as ForEachInSubtree.
  absl::Status ForEachOnRostersInSubtree(uint64_t org_id,
                                         const std::function<bool(uint64_t person_id)>& visit,
                                         bool party_members_only = false) const;

  // One membership of a person on rosters in an organisation of a subtree: the current one
  // (to_day kCurrent) or an ended one (on rosters during it).
  struct RosterSpan {
    uint64_t person_id = 0;
    uint64_t organization_id = 0;
    int64_t from_day = kSinceEver;
    int64_t to_day = kCurrent;
    bool party_member = false;
    bool Covers(int64_t day, bool party_members_only) const {
      return from_day <= day && day <= to_day && (party_member || !party_members_only);
    }
  };
  // The memberships of the subtree's organisations whose people appear on rosters: the
  // current ones, then (with `ended_since_day`) the ended ones that ended on or after that day,
  // organisation by organisation in ForEachInSubtree order, until `visit` returns false. A roster
  // of local day D keeps those that Cover(D): who belonged on that day. Cancellation as
  // ForEachInSubtree.
  absl::Status ForEachRosterSpanInSubtree(
      uint64_t org_id, std::optional<int64_t> ended_since_day,
      const std::function<bool(const RosterSpan&)>& visit) const;

  // The login index keys of a person (employee number and phone, when set).
  static std::vector<std::string> LoginKeys(uint32_t tenant, const v1::Person& person);
  // The login index key for what someone types at sign-in: tried as employee number first.
  static std::string EmployeeLoginKey(uint32_t tenant, std::string_view login);
  static std::string PhoneLoginKey(uint32_t tenant, std::string_view login);

 private:
  // Validates and authorizes a person to be created; stages nothing.
  absl::Status CheckNew(const Caller& caller, const v1::Person& person,
                        std::string_view initial_password, std::string_view prefix) const;
  // Visits every organisation index entry of the subtree (organisation, person id and entry
  // value) in ForEachInSubtree order until `visit` answers false or an error; asks about
  // cancellation. With `ended_since_day`, after each organisation's current entries, its ended
  // memberships that ended on or after that day (kMembershipEndedByOrg: value [flag][from]),
  // with the day they ended in `ended_on`.
  using IndexEntryVisitor = std::function<absl::StatusOr<bool>(
      uint64_t org, uint64_t person_id, std::string_view value, std::optional<int64_t> ended_on)>;
  absl::Status ForEachIndexEntryInSubtree(uint64_t org_id, const IndexEntryVisitor& visit,
                                          std::optional<int64_t> ended_since_day = {}) const;
  // Update's checks and writes, shared by ChangeMembership: `in` with `mask` applied to the
  // person, a password reset when `new_hash` is set, and a new membership from `from_date`
  // (default: today) when the organisation or the role changes. Fields are named
  // `prefix` + name, the person `id_field`.
  absl::StatusOr<v1::Person> StageUpdate(const Caller& caller, Mutation& m, const v1::Person& in,
                                         const google::protobuf::FieldMask& mask,
                                         const std::string& new_hash, std::string_view prefix,
                                         std::string_view id_field, const v1::LocalDate* from_date);
  // The rights `person` holds (rights.h) with their organisations loaded; NOT_FOUND naming
  // `field` when one does not exist.
  absl::StatusOr<Rights> RightsOf(const Caller& caller, const v1::Person& person,
                                  std::string_view field) const;

  storage::Store& store_;
  const Access& access_;
  PasswordHasher& hasher_;
  const Clock& clock_;
};

// Field checks shared by create, update and import.
absl::Status ValidatePersonFields(const v1::Person& person, std::string_view prefix);
absl::Status ValidatePassword(std::string_view password, std::string_view field);

}  // namespace branchline
