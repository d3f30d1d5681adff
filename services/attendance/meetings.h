#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/attendance_records.pb.h"
#include "branchline/v1/attendance.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/device_time.h"
#include "services/common/mutation.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Tunables of the attendance area.
struct AttendanceOptions {
  // How far a phone's clock is trusted, for check-ins uploaded later.
  DeviceTimeRules device_time;
};

// Meetings: the scheduling half of AttendanceService, and the rules the other attendance
// classes share (loading a meeting, who runs it, who is expected at it).
//
// A meeting is stored with its code secret (internal MeetingRecord) at RecordKey(id) and
// indexed by holding organisation, by audience organisation (subtree audiences) or by each
// listed person, all by start time, so "my upcoming meetings" is a few seeks. Thread-safe.
class Meetings {
 public:
  Meetings(storage::Store& store, const Access& access, const PeopleDirectory& people,
           const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  absl::StatusOr<v1::Meeting> Create(const Caller& caller, const v1::CreateMeetingRequest& request);
  absl::StatusOr<v1::Meeting> Get(const Caller& caller, const v1::GetMeetingRequest& request) const;
  absl::StatusOr<v1::ListMeetingsResponse> List(const Caller& caller,
                                                const v1::ListMeetingsRequest& request) const;
  absl::StatusOr<v1::ListMeetingsResponse> ListMine(const Caller& caller,
                                                    const v1::ListMyMeetingsRequest& request) const;
  absl::StatusOr<v1::Meeting> Update(const Caller& caller, const v1::UpdateMeetingRequest& request);
  absl::StatusOr<v1::Meeting> Cancel(const Caller& caller, const v1::CancelMeetingRequest& request);
  absl::StatusOr<v1::CheckInCode> GetCode(const Caller& caller,
                                          const v1::GetCheckInCodeRequest& request) const;

  // The creation of a meeting, shared by Create and the occurrences of meeting series
  // (services/calendar): checks the audience and host of `meeting` (client fields already
  // validated by ValidateMeeting) against `org`, its holding organisation, which the caller
  // was allowed to schedule in; assigns an id and stages the record, its indexes and its
  // change in `m`. NOT_FOUND / FAILED_PRECONDITION naming the field for a bad reference.
  // The audience (normalised) and host of `meeting`, held by `org`, exist and may attend;
  // NOT_FOUND / INVALID_ARGUMENT / FAILED_PRECONDITION naming the field under "meeting.".
  absl::StatusOr<v1::Meeting> CheckReferences(const Caller& caller, v1::Meeting meeting,
                                              const v1::Organization& org) const;
  absl::StatusOr<v1::Meeting> StageCreate(Mutation& m, const Caller& caller, v1::Meeting meeting,
                                          const v1::Organization& org) const;
  // Stages the cancellation of the (locked, not yet cancelled) meeting in `record` with
  // `reason`: shared by Cancel and the end of a meeting series.
  void StageCancel(storage::WriteSet& writes, internal::v1::MeetingRecord& record,
                   std::string_view reason) const;

  // Stages the replacement of the (locked) meeting in `record` by `meeting` (the same id, its
  // fields validated and its references checked): its indexes, record and change. Shared by
  // Update and the edits of a meeting series (services/calendar).
  void StageReplace(storage::WriteSet& writes, internal::v1::MeetingRecord& record,
                    v1::Meeting meeting) const;

  // Loads a meeting (with its secret) of the caller's tenant; NOT_FOUND naming `field` when it
  // does not exist or belongs to another tenant.
  absl::StatusOr<internal::v1::MeetingRecord> Load(const Caller& caller, uint64_t id,
                                                   std::string_view field) const;
  // OK when the caller runs the meeting: its host, or a manager of its organisation;
  // PERMISSION_DENIED naming `what` otherwise.
  absl::Status RequireRun(const Caller& caller, const v1::Meeting& meeting,
                          std::string_view what) const;
  // Like RequireRun, but read-scoped service accounts of the subtree pass too.
  absl::Status RequireRunOrRead(const Caller& caller, const v1::Meeting& meeting,
                                std::string_view what) const;
  // Whether `person_id`, with `role`, of organisation `person_org_id`, is in the audience.
  absl::StatusOr<bool> Expects(const Caller& caller, const v1::Meeting& meeting, uint64_t person_id,
                               v1::Role role, uint64_t person_org_id) const;
  // Whether `person` was in the audience on the meeting's local date: through the membership
  // that covered that day (memberships with dates), the current one or an ended one.
  absl::StatusOr<bool> ExpectedOnItsDate(const Caller& caller, const v1::Meeting& meeting,
                                         const v1::Person& person) const;

 private:
  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

// The fields of `in` a client may set (title trimmed); everything else is server-owned.
v1::Meeting ClientMeetingFields(const v1::Meeting& in);

// Checks the client-settable fields of a meeting (type, title, times, window, place, texts);
// INVALID_ARGUMENT naming the field under `prefix`.
absl::Status ValidateMeeting(const v1::Meeting& meeting, std::string_view prefix);

// Whether a status counts as having attended (present, late, remote).
bool Attended(v1::AttendanceStatus status);

}  // namespace branchline
