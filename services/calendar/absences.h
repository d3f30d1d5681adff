#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "branchline/v1/calendar.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "storage/store.h"

namespace branchline {

// Absences over a range of local dates (CalendarService): a driver away on a week-long run
// asks once instead of once per meeting. The same people who decide single-meeting leave
// decide them: managers of the person's organisation (that of the request).
//
// Storage: the record at storage::AbsenceKey(id) in kLeaveRequests; kAbsenceByPerson (the
// person's list) and kAbsenceBySubtree (the organisation and each ancestor, for managers'
// lists) written when requested; while APPROVED, one kAbsenceByDay entry per local date of
// the range, which rosters, histories and reports read (services/attendance/absence_lookup.h)
// to excuse the person from every meeting of those dates, even one scheduled after the
// approval. Withdrawing deletes those entries, so the person's status is what it would have
// been. Every call is one atomic commit, idempotent by request_id. Thread-safe.
class Absences {
 public:
  // The longest range, in days (both ends included): two months away is a leave of absence
  // for HR, not something a branch secretary approves.
  static constexpr int kMaxSpanDays = 62;

  Absences(storage::Store& store, const Access& access, const Clock& clock)
      : store_(store), access_(access), clock_(clock) {}

  // The caller's request. INVALID_ARGUMENT naming type, from_date, to_date or reason (with
  // nothing written); PERMISSION_DENIED for a service account.
  absl::StatusOr<v1::AbsenceRequest> Request(const Caller& caller,
                                             const v1::RequestAbsenceRequest& request);
  // Approves or refuses a PENDING absence: managers of its organisation. INVALID_ARGUMENT (id,
  // note), NOT_FOUND (id), PERMISSION_DENIED, FAILED_PRECONDITION naming id when decided or
  // withdrawn already.
  absl::StatusOr<v1::AbsenceRequest> Decide(const Caller& caller,
                                            const v1::DecideAbsenceRequest& request);
  // The person withdraws their own PENDING or APPROVED absence. INVALID_ARGUMENT (id),
  // NOT_FOUND, PERMISSION_DENIED (another's), FAILED_PRECONDITION (refused or withdrawn).
  absl::StatusOr<v1::AbsenceRequest> Withdraw(const Caller& caller,
                                              const v1::WithdrawAbsenceRequest& request);
  // The caller's own (mine), or an organisation's subtree's for its managers and services
  // with SCOPE_ATTENDANCE_READ, in request order.
  absl::StatusOr<v1::ListAbsencesResponse> List(const Caller& caller,
                                                const v1::ListAbsencesRequest& request) const;

 private:
  // Loads an absence of the caller's tenant; NOT_FOUND naming `field` otherwise.
  absl::StatusOr<v1::AbsenceRequest> Load(const Caller& caller, uint64_t id,
                                          std::string_view field) const;

  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
};

}  // namespace branchline
