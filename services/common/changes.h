#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "branchline/internal/v1/records.pb.h"
#include "branchline/v1/common.pb.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace branchline {

// Kinds of organisation-addressed changes that members of the organisation (and of the
// organisations below it) receive; personal changes (addressed to a person) are always
// theirs. Check-ins, study records and letters are not among them: they reach their own
// people through personal changes and the rest through the feed. Each kind here must be
// readable by everyone of the organisation's subtree: the duty board and the commitments are
// published to all its staff (docs/duties.md, docs/evaluation.md).
inline bool MemberVisibleKind(std::string_view kind) {
  return kind == "meeting" || kind == "study_plan" || kind == "material" || kind == "quiz" ||
         kind == "notice" || kind == "meeting_record" || kind == "duty" || kind == "commitment";
}

// The change-log entry for a record, before the store gives it a sequence and a time.
// `person_ids` addresses a personal change (a leave answer, a reply) to those people. A change
// addressed to people (a notice or a meeting for a list of people) reaches only them, never
// every member of the organisation: the others could not read the record it names.
template <typename PersonIds = std::initializer_list<uint64_t>>
inline internal::v1::ChangeRecord MakeChange(std::string_view kind, uint64_t record_id,
                                             uint64_t organization_id, std::string_view action,
                                             const PersonIds& person_ids = {}) {
  internal::v1::ChangeRecord change;
  change.set_kind(std::string(kind));
  change.set_record_id(record_id);
  change.set_organization_id(organization_id);
  change.set_action(std::string(action));
  for (uint64_t p : person_ids) change.add_person_ids(p);
  change.set_members_see(organization_id != 0 && MemberVisibleKind(kind) &&
                         change.person_ids().empty());
  return change;
}

// Stages a change-log entry for a record in the same atomic write as the record itself.
template <typename PersonIds = std::initializer_list<uint64_t>>
inline void RecordChange(storage::WriteSet& writes, std::string_view kind, uint64_t record_id,
                         uint64_t organization_id, std::string_view action,
                         const PersonIds& person_ids = {}) {
  writes.AddChange(storage::TenantOfId(record_id),
                   MakeChange(kind, record_id, organization_id, action, person_ids));
}

// Who a change of a record with an audience (a meeting, a notice, a study plan) reaches
// through ListChanges and WatchChanges: the listed `people`, and the members of the
// `organizations` subtrees (each at or below the record's organisation). Nobody else: a member
// outside the audience could not read the record the change names.
struct Addressees {
  std::vector<uint64_t> people;
  std::vector<uint64_t> organizations;
  // Every organisation audience added is for party members only (Audience.members_only): the
  // change reaches the party members of `organizations` only.
  bool members_only = false;
  // Adds an audience of a record of organisation `owner_id` (organisation 0: the owner).
  void Add(const v1::Audience& audience, uint64_t owner_id);
  void AddPerson(uint64_t person_id);
  void Merge(const Addressees& other);
};

// Stages the change of a record with an audience, addressed to `to` (see Addressees).
void RecordAudienceChange(storage::WriteSet& writes, std::string_view kind, uint64_t record_id,
                          uint64_t organization_id, std::string_view action, const Addressees& to);

// Stages a change that is not written to the change log now but held back
// (storage::DeferredChangeKey) until the first publication pass at or after
// `publish_after_micros` (services/sync/deferred_changes.h) writes it together with the other
// changes due by then, in random order, dated `publish_after_micros`. For a change caused by
// an anonymous author, so that neither its sequence (the log is in commit order) nor its
// commit time sits next to what the author did by name in the same minute; and for a change
// that happens at a time of its own (an evaluation round that opens later), addressed to
// `person_ids` as RecordChange's.
void RecordChangeLater(storage::WriteSet& writes, std::string_view kind, uint64_t record_id,
                       uint64_t organization_id, std::string_view action,
                       int64_t publish_after_micros, const std::vector<uint64_t>& person_ids = {});

}  // namespace branchline
