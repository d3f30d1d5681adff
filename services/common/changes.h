#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "branchline/internal/v1/records.pb.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace branchline {

// Kinds of organisation-addressed changes that members of the organisation (and of the
// organisations below it) receive; personal changes (addressed to a person) are always
// theirs. Check-ins, study records and letters are not among them: they reach their own
// people through personal changes and the rest through the feed.
inline bool MemberVisibleKind(std::string_view kind) {
  return kind == "meeting" || kind == "study_plan" || kind == "material" || kind == "quiz" ||
         kind == "notice";
}

// Stages a change-log entry for a record in the same atomic write as the record itself.
// `person_ids` addresses a personal change (a leave answer, a reply) to those people.
template <typename PersonIds = std::initializer_list<uint64_t>>
inline void RecordChange(storage::WriteSet& writes, std::string_view kind, uint64_t record_id,
                         uint64_t organization_id, std::string_view action,
                         const PersonIds& person_ids = {}) {
  internal::v1::ChangeRecord change;
  change.set_kind(std::string(kind));
  change.set_record_id(record_id);
  change.set_organization_id(organization_id);
  change.set_action(std::string(action));
  change.set_members_see(organization_id != 0 && MemberVisibleKind(kind));
  for (uint64_t p : person_ids) change.add_person_ids(p);
  writes.AddChange(storage::TenantOfId(record_id), std::move(change));
}

}  // namespace branchline
