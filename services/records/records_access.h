#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "branchline/v1/attendance.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "branchline/v1/records.pb.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/refusal.h"

namespace branchline::records {

// Stable ErrorInfo reasons (domain branchline.v1, docs/errors.md) clients branch on.
using reasons::kAlreadyLocked;
using reasons::kEntryVoided;
using reasons::kMeetingNotHeld;
using reasons::kProblemFixed;
using reasons::kReasonRequired;
using reasons::kStaleVersion;
using reasons::kUnknownItem;

// ABORTED naming `expected_version` with reason kStaleVersion unless `expected` is `current`:
// the optimistic check that keeps two editors of one `what` ("record", "entry") from
// overwriting each other.
absl::Status CheckVersion(uint64_t expected, uint64_t current, std::string_view what);

// Who reads a meeting's record: managers of its organisation (and so of its ancestors), service
// accounts with SCOPE_RECORDS_READ over it, its host, the people it expected (members read the
// minutes of the meetings they were called to) and the owners of its problems.
// PERMISSION_DENIED naming `what` otherwise.
absl::Status RequireRecordRead(const Meetings& meetings, const Access& access, const Caller& caller,
                               const v1::Meeting& meeting, const v1::MeetingRecord* record,
                               std::string_view what);

// Who reads an organisation's ledger: its managers, SCOPE_RECORDS_READ services over it and
// the people of its subtree (who never see hardship files: SeesHardship).
absl::Status RequireLedgerRead(const Access& access, const Caller& caller,
                               const v1::Organization& org, std::string_view what);

// Hardship files name a worker's family troubles: only the organisation's managers read them,
// never members and never integration services.
inline bool SeesHardship(const Caller& caller, const v1::Organization& org) {
  return Access::Manages(caller, org);
}

}  // namespace branchline::records
