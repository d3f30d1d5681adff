#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "branchline/v1/attendance.pb.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/encoded.h"
#include "services/common/mutation.h"
#include "storage/store.h"

namespace branchline {

// Check-ins, marks, leave and make-up: everything that writes a person's attendance record
// ([tenant][meeting][person] in kAttendance) or leave request ([tenant][meeting][person] in
// kLeaveRequests).
//
// The check-in hot path is: authenticate, read the meeting, read the caller's organisation
// (subtree audiences), read the caller's own attendance key under a lock on that key only, one
// commit. No counter is shared between check-ins, so a province checks in in parallel.
// Thread-safe.
class CheckIns {
 public:
  CheckIns(storage::Store& store, const Access& access, const PeopleDirectory& people,
           const Meetings& meetings, const Clock& clock, AttendanceOptions options = {})
      : store_(store),
        access_(access),
        people_(people),
        meetings_(meetings),
        clock_(clock),
        options_(options) {}

  // Checks the caller in. Errors: INVALID_ARGUMENT (bad device time, wrong code, ...),
  // NOT_FOUND (meeting), PERMISSION_DENIED (not in the audience), FAILED_PRECONDITION (window
  // not open or closed, outside the radius, mocked position, remote not allowed, cancelled).
  // An earlier check-in stands and is returned with already_checked_in.
  absl::StatusOr<v1::CheckInResponse> CheckIn(const Caller& caller,
                                              const v1::CheckInRequest& request);
  // The same for the asynchronous gRPC handler: the reads and checks run on the calling
  // thread, the commit joins the store's next group commit (Store::CommitAsync), and `done`
  // runs with the answer on whichever thread has it (see RunIdempotentAsync).
  void CheckInAsync(const Caller& caller, const v1::CheckInRequest& request,
                    std::function<void(absl::StatusOr<Encoded<v1::CheckInResponse>>)> done);
  // The host or a manager sets a person's status (a correction overrides an earlier one).
  absl::StatusOr<v1::AttendanceRecord> Mark(const Caller& caller,
                                            const v1::MarkAttendanceRequest& request);
  absl::StatusOr<v1::LeaveRequest> RequestLeave(const Caller& caller,
                                                const v1::RequestLeaveRequest& request);
  // Approval excuses the person (their record says EXCUSED unless they attended after all).
  absl::StatusOr<v1::LeaveRequest> DecideLeave(const Caller& caller,
                                               const v1::DecideLeaveRequest& request);
  absl::StatusOr<v1::ListLeaveRequestsResponse> ListLeave(
      const Caller& caller, const v1::ListLeaveRequestsRequest& request) const;
  // The caller's own request (person_id 0 or the caller), else one a host, manager or
  // attendance-reading service of the meeting may read.
  absl::StatusOr<v1::LeaveRequest> GetLeave(const Caller& caller,
                                            const v1::GetLeaveRequestRequest& request) const;
  absl::StatusOr<v1::AttendanceRecord> MakeUp(const Caller& caller,
                                              const v1::RecordMakeUpRequest& request);

 private:
  static IdempotencyScope CheckInScope(const Caller& caller, const v1::CheckInRequest& request);
  // A check-in's checks and writes, staged in `m`.
  absl::StatusOr<v1::CheckInResponse> StageCheckIn(const Caller& caller,
                                                   const v1::CheckInRequest& request, int64_t now,
                                                   Mutation& m) const;
  // Loads a non-cancelled meeting and checks the caller is in its audience.
  absl::StatusOr<internal::v1::MeetingRecord> LoadForAttendee(const Caller& caller,
                                                              uint64_t meeting_id) const;
  // The stored record of (meeting, person), or nullopt.
  absl::StatusOr<std::optional<v1::AttendanceRecord>> LoadRecord(uint64_t meeting,
                                                                 uint64_t person) const;

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Meetings& meetings_;
  const Clock& clock_;
  AttendanceOptions options_;
};

}  // namespace branchline
