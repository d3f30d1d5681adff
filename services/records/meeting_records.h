#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/records.pb.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// The records (minutes) of held meetings and the problems found in them (RecordsService).
//
// Storage (kRecords): the current record at storage::MeetingRecordKey(meeting) and every
// revision at MeetingRecordRevisionKey(meeting, n). Before the lock revision 1 is rewritten in
// place; after it each change writes revision n+1 beside the earlier ones, which are never
// written again. Each open problem has a kOpenProblemBySubtree entry for the meeting's
// organisation and each ancestor and a kOpenProblemByOwner entry, keyed by due day, so the
// overdue ones lead a list; fixing or dropping a problem deletes them. Meetings are read
// through Meetings (never their storage). Every call is one atomic commit under the record's
// lock, idempotent by request_id. Thread-safe.
class MeetingRecords {
 public:
  static constexpr int kMaxMinutesChars = 20000;
  static constexpr int kMaxResolutions = 50;
  static constexpr int kMaxSpeakers = 200;
  static constexpr int kMaxProblems = 100;

  MeetingRecords(storage::Store& store, const Access& access, const PeopleDirectory& people,
                 const Meetings& meetings, const Clock& clock)
      : store_(store), access_(access), people_(people), meetings_(meetings), clock_(clock) {}

  // Creates or updates a record (see records.proto for the errors and their reasons).
  absl::StatusOr<v1::MeetingRecord> Save(const Caller& caller,
                                         const v1::SaveMeetingRecordRequest& request);
  // The current record or one revision, for RequireRecordRead callers.
  absl::StatusOr<v1::MeetingRecord> Get(const Caller& caller,
                                        const v1::GetMeetingRecordRequest& request) const;
  absl::StatusOr<v1::ListMeetingRecordRevisionsResponse> ListRevisions(
      const Caller& caller, const v1::ListMeetingRecordRevisionsRequest& request) const;
  // Signs the record off (the host or a manager).
  absl::StatusOr<v1::MeetingRecord> Lock(const Caller& caller,
                                         const v1::LockMeetingRecordRequest& request);
  absl::StatusOr<v1::MeetingRecord> UpdateProblem(const Caller& caller,
                                                  const v1::UpdateProblemRequest& request);
  // The owner, the host or a manager records a fix.
  absl::StatusOr<v1::MeetingRecord> FixProblem(const Caller& caller,
                                               const v1::FixProblemRequest& request);
  absl::StatusOr<v1::ListOpenProblemsResponse> ListOpenProblems(
      const Caller& caller, const v1::ListOpenProblemsRequest& request) const;

  // The rules of the photos attached to a meeting (FileService, ATTACHMENT_TARGET_MEETING):
  // the record's readers read them, also before the minutes are written; its host and managers
  // attach them. NOT_FOUND naming `field` for a meeting the caller's tenant does not have.
  absl::Status RequireAttachmentRead(const Caller& caller, uint64_t meeting_id,
                                     std::string_view field) const;
  absl::Status RequireAttachmentChange(const Caller& caller, uint64_t meeting_id,
                                       std::string_view field) const;

 private:
  // The stored current record of a meeting, if any.
  absl::StatusOr<std::optional<v1::MeetingRecord>> LoadRecord(uint64_t meeting_id) const;
  // Loads the record of `meeting_id` for a change (record key locked by the caller), with the
  // meeting, after checking the caller runs it. NOT_FOUND naming `field` when no record exists.
  struct Editable {
    v1::Meeting meeting;
    v1::MeetingRecord record;
  };
  absl::StatusOr<Editable> LoadForEdit(const Caller& caller, uint64_t meeting_id,
                                       std::string_view field) const;
  // Stages `next` (already given its revision, version and recorder) over `previous` (empty
  // for a new record): the current key, the revision key and the open-problem index entries.
  // Records "assigned" changes for owners newly given a problem.
  absl::Status StageWrite(Mutation& m, const Caller& caller, const v1::Meeting& meeting,
                          const v1::MeetingRecord* previous, const v1::MeetingRecord& next) const;
  // Stages the change-log entry of a change to the record `next` of `meeting` (see
  // docs/records.md: drafts to the organisation's feed, locked records to the audience).
  void StageRecordChange(Mutation& m, const v1::Meeting& meeting, const v1::MeetingRecord& next,
                         std::string_view action) const;
  // Advances `record` for a change by the caller at `now`: a new revision with `reason` once
  // locked (FAILED_PRECONDITION REASON_REQUIRED without one), in place before.
  absl::Status Advance(v1::MeetingRecord& record, const Caller& caller, int64_t now,
                       std::string_view reason, bool reason_needed) const;

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Meetings& meetings_;
  const Clock& clock_;
};

}  // namespace branchline
