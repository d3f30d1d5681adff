#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/duties.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Members' duties published on boards (DutiesService): responsibility areas (责任区),
// demonstration posts (示范岗) and groups (突击队, 创新工作室, 攻关小组). The pure rules are
// duty_rules.h.
//
// Who may do what: managers of an item's organisation or an ancestor (Access::Manages)
// create, update and end items and make people join and leave groups; everyone who reads
// what the organisation publishes to its staff (ReadsPublishedBoard: its staff, members or
// not, its managers, SCOPE_EVALUATION_READ services) reads its board. Responsible members
// and post leaders are active party members of the organisation's subtree; linked people and
// group members are active people of it (they stay in their own organisation).
//
// Storage: each item is a v1::DutyBoardEntry (names cleared) at storage::DutyKey(id) in
// kEvaluations, indexed by kDutyByOrg and kDutyBySubtree (its organisation and each
// ancestor at creation); nothing is ever deleted, ending sets the last day. Every write is
// one commit, idempotent by request_id, serialised on the item's record lock, with a
// change-log entry ("duty") addressed to the organisation, or to the person for a join or
// leave. Thread-safe.
class Duties {
 public:
  Duties(storage::Store& store, const Access& access, const PeopleDirectory& people,
         const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  // INVALID_ARGUMENT naming area.*, NOT_FOUND (organisation, people, units),
  // PERMISSION_DENIED.
  absl::StatusOr<v1::ResponsibilityArea> CreateArea(
      const Caller& caller, const v1::CreateResponsibilityAreaRequest& request);
  // As create, plus update_mask and FAILED_PRECONDITION DUTY_ENDED.
  absl::StatusOr<v1::ResponsibilityArea> UpdateArea(
      const Caller& caller, const v1::UpdateResponsibilityAreaRequest& request);
  absl::StatusOr<v1::DemonstrationPost> CreatePost(
      const Caller& caller, const v1::CreateDemonstrationPostRequest& request);
  absl::StatusOr<v1::DemonstrationPost> UpdatePost(
      const Caller& caller, const v1::UpdateDemonstrationPostRequest& request);
  absl::StatusOr<v1::DutyGroup> CreateGroup(const Caller& caller,
                                            const v1::CreateDutyGroupRequest& request);
  // Also FAILED_PRECONDITION MEMBER_OUTSIDE_PERIOD when a member's dates leave the period.
  absl::StatusOr<v1::DutyGroup> UpdateGroup(const Caller& caller,
                                            const v1::UpdateDutyGroupRequest& request);
  // FAILED_PRECONDITION DUTY_ENDED, ALREADY_IN_GROUP, GROUP_FULL.
  absl::StatusOr<v1::DutyGroup> Join(const Caller& caller, const v1::JoinDutyGroupRequest& request);
  // FAILED_PRECONDITION DUTY_ENDED, NOT_IN_GROUP.
  absl::StatusOr<v1::DutyGroup> Leave(const Caller& caller,
                                      const v1::LeaveDutyGroupRequest& request);
  // Any kind. FAILED_PRECONDITION DUTY_ENDED when already ended.
  absl::StatusOr<v1::DutyBoardEntry> End(const Caller& caller, const v1::EndDutyRequest& request);
  // The board of an organisation (see the class comment for who reads).
  absl::StatusOr<v1::DutyBoard> Board(const Caller& caller,
                                      const v1::GetDutyBoardRequest& request) const;
  // The caller's own items on the boards of their organisation and its ancestors.
  absl::StatusOr<v1::DutyBoard> Mine(const Caller& caller,
                                     const v1::ListMyDutiesRequest& request) const;

 private:
  // The organisation of an item being written, which the caller must manage.
  absl::StatusOr<v1::Organization> ManagedOrg(const Caller& caller, uint64_t id,
                                              std::string_view field) const;
  // An item of the caller's tenant; NOT_FOUND naming `field`. Locks it in `m`.
  absl::StatusOr<v1::DutyBoardEntry> LoadForWrite(Mutation& m, const Caller& caller, uint64_t id,
                                                  std::string_view field) const;
  // An active person of `org`'s subtree (a party member when `member`); NOT_FOUND or
  // INVALID_ARGUMENT naming `field`. Returns the person.
  absl::StatusOr<v1::Person> SubtreePerson(const Caller& caller, uint64_t id,
                                           const v1::Organization& org, bool member,
                                           std::string_view field) const;
  absl::Status CheckArea(const Caller& caller, const v1::Organization& org,
                         v1::ResponsibilityArea& area, bool creating,
                         const google::protobuf::FieldMask& mask, int64_t today) const;
  absl::Status CheckPost(const Caller& caller, const v1::Organization& org,
                         v1::DemonstrationPost& post, bool creating,
                         const google::protobuf::FieldMask& mask, int64_t today) const;
  absl::Status CheckGroup(const v1::Organization& org, v1::DutyGroup& group, int64_t today) const;
  // Stages the item (names cleared) and, for a new one, its index entries.
  void Stage(Mutation& m, v1::DutyBoardEntry entry, const v1::Organization& org, bool is_new) const;
  // Fills the output-only names (people, organisations) of an item.
  void Decorate(const Caller& caller, v1::DutyBoardEntry& entry) const;
  std::string PersonName(const Caller& caller, uint64_t id) const;

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

}  // namespace branchline
