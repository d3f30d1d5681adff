#include "services/attendance/check_ins.h"

#include <cmath>

#include "services/attendance/check_in_code.h"
#include "services/attendance/check_in_rules.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "storage/keys.h"

namespace branchline {

namespace {
// FAILED_PRECONDITION naming `field` with `reason` (docs/errors.md).
absl::Status Precondition(std::string_view reason, std::string_view field,
                          ReasonMetadata metadata = {}) {
  return Refusal(absl::StatusCode::kFailedPrecondition, reason, field, metadata);
}

absl::Status ValidateCheckIn(const v1::CheckInRequest& r, int64_t now,
                             const DeviceTimeRules& rules) {
  if (r.meeting_id() == 0) return InvalidField("meeting_id", "is required");
  RETURN_IF_ERROR(CheckDeviceTime("device_time",
                                  r.has_device_time() ? ToMicros(r.device_time()) : 0, now, rules));
  switch (r.method_case()) {
    case v1::CheckInRequest::kCode: {
      const auto& c = r.code();
      if (c.code().size() != 6 || c.code().find_first_not_of("0123456789") != std::string::npos) {
        return InvalidField("code.code", "must be 6 digits");
      }
      RETURN_IF_ERROR(CheckDeviceTime("code.captured_time",
                                      c.has_captured_time() ? ToMicros(c.captured_time()) : 0, now,
                                      rules));
      // A code is captured before the check-in is made, not after: a phone cannot claim a
      // later step than the one it submitted in (which would let it guess ahead).
      if (ToMicros(c.captured_time()) > ToMicros(r.device_time()) + rules.max_future_skew_micros) {
        return InvalidField("code.captured_time", "is after device_time");
      }
      return absl::OkStatus();
    }
    case v1::CheckInRequest::kLocation: {
      const auto& l = r.location();
      if (!std::isfinite(l.latitude()) || l.latitude() < -90 || l.latitude() > 90) {
        return InvalidField("location.latitude", "must be between -90 and 90");
      }
      if (!std::isfinite(l.longitude()) || l.longitude() < -180 || l.longitude() > 180) {
        return InvalidField("location.longitude", "must be between -180 and 180");
      }
      if (!std::isfinite(l.accuracy_m()) || l.accuracy_m() < 0) {
        return InvalidField("location.accuracy_m", "must not be negative");
      }
      return absl::OkStatus();
    }
    case v1::CheckInRequest::kRemote: {
      const auto& rm = r.remote();
      if (!v1::RemoteReason_IsValid(rm.reason()) || rm.reason() == v1::REMOTE_REASON_UNSPECIFIED) {
        return InvalidField("remote.reason", "must be DRIVING, ON_DUTY or OTHER");
      }
      RETURN_IF_ERROR(CheckText("remote.text", TrimAscii(rm.text()),
                                rm.reason() == v1::REMOTE_REASON_OTHER ? 1 : 0, 200));
      return absl::OkStatus();
    }
    default:
      return InvalidField("method", "one of code, location or remote is required");
  }
}
}  // namespace

absl::StatusOr<std::optional<v1::AttendanceRecord>> CheckIns::LoadRecord(uint64_t meeting,
                                                                         uint64_t person) const {
  v1::AttendanceRecord record;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kAttendance,
                                                 storage::AttendanceKey(meeting, person), &record));
  if (!found) return std::optional<v1::AttendanceRecord>();
  return std::optional<v1::AttendanceRecord>(std::move(record));
}

absl::StatusOr<internal::v1::MeetingRecord> CheckIns::LoadForAttendee(const Caller& caller,
                                                                      uint64_t meeting_id) const {
  if (caller.service_account) {
    return Refusal(absl::StatusCode::kPermissionDenied, reasons::kServiceAccountNotAttendee);
  }
  ASSIGN_OR_RETURN(auto record, meetings_.Load(caller, meeting_id, "meeting_id"));
  if (record.meeting().cancelled()) return Precondition(reasons::kMeetingCancelled, "meeting_id");
  ASSIGN_OR_RETURN(bool expected, meetings_.Expects(caller, record.meeting(), caller.person_id,
                                                    caller.role, caller.organization_id));
  if (!expected) {
    return Refusal(absl::StatusCode::kPermissionDenied, reasons::kNotInAudience, "meeting_id");
  }
  return record;
}

absl::StatusOr<v1::CheckInResponse> CheckIns::CheckIn(const Caller& caller,
                                                      const v1::CheckInRequest& request) {
  int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::CheckInResponse>(
      store_, CheckInScope(caller, request), request, now,
      [&](Mutation& m) { return StageCheckIn(caller, request, now, m); });
}

void CheckIns::CheckInAsync(
    const Caller& caller, const v1::CheckInRequest& request,
    std::function<void(absl::StatusOr<Encoded<v1::CheckInResponse>>)> done) {
  int64_t now = clock_.NowMicros();
  RunIdempotentAsync<v1::CheckInResponse>(
      store_, CheckInScope(caller, request), request, now,
      [&](Mutation& m) { return StageCheckIn(caller, request, now, m); }, std::move(done));
}

IdempotencyScope CheckIns::CheckInScope(const Caller& caller, const v1::CheckInRequest& request) {
  return {caller.tenant, caller.person_id, request.request_id(), "CheckIn"};
}

absl::StatusOr<v1::CheckInResponse> CheckIns::StageCheckIn(const Caller& caller,
                                                           const v1::CheckInRequest& request,
                                                           int64_t now, Mutation& m) const {
  RETURN_IF_ERROR(ValidateCheckIn(request, now, options_.device_time));
  std::string key = storage::AttendanceKey(request.meeting_id(), caller.person_id);
  m.Lock({key});
  ASSIGN_OR_RETURN(auto stored, LoadForAttendee(caller, request.meeting_id()));
  const auto& meeting = stored.meeting();
  ASSIGN_OR_RETURN(auto existing, LoadRecord(meeting.id(), caller.person_id));
  v1::CheckInResponse response;
  if (existing &&
      (Attended(existing->status()) || existing->status() == v1::ATTENDANCE_STATUS_MADE_UP)) {
    *response.mutable_record() = *existing;
    response.set_already_checked_in(true);
    return response;
  }
  int64_t at = request.has_code() ? ToMicros(request.code().captured_time())
                                  : ToMicros(request.device_time());
  auto phase = attendance::ClassifyInWindow(meeting.window(), ToMicros(meeting.start_time()), at);
  std::string time_field = request.has_code() ? "code.captured_time" : "device_time";
  if (phase == attendance::WindowPhase::kNotOpen) {
    return Precondition(reasons::kCheckInNotOpen, time_field);
  }
  if (phase == attendance::WindowPhase::kClosed) {
    return Precondition(reasons::kCheckInWindowClosed, time_field);
  }
  v1::AttendanceRecord record = existing.value_or(v1::AttendanceRecord());
  record.set_meeting_id(meeting.id());
  record.set_person_id(caller.person_id);
  *record.mutable_server_time() = ToTimestamp(now);
  *record.mutable_device_time() = ToTimestamp(at);
  record.set_status(phase == attendance::WindowPhase::kLate ? v1::ATTENDANCE_STATUS_LATE
                                                            : v1::ATTENDANCE_STATUS_PRESENT);
  switch (request.method_case()) {
    case v1::CheckInRequest::kCode:
      if (!attendance::VerifyCheckInCode(stored.code_secret(), meeting.id(), request.code().code(),
                                         at)) {
        return Refusal(absl::StatusCode::kInvalidArgument, reasons::kWrongCheckInCode, "code.code");
      }
      record.set_method(request.code().typed() ? v1::CHECK_IN_METHOD_TYPED_CODE
                                               : v1::CHECK_IN_METHOD_QR_CODE);
      break;
    case v1::CheckInRequest::kLocation: {
      const auto& l = request.location();
      if (!meeting.has_place()) {
        return Precondition(reasons::kNoCheckInPlace, "location");
      }
      if (l.mocked()) {
        return Precondition(reasons::kMockedLocation, "location.mocked");
      }
      double d = attendance::DistanceMetres(l.latitude(), l.longitude(), meeting.place().latitude(),
                                            meeting.place().longitude());
      if (d > meeting.place().radius_m()) {
        return Precondition(
            reasons::kOutsideRadius, "location",
            {{"distance_m", std::to_string(static_cast<int64_t>(d))},
             {"radius_m", std::to_string(static_cast<int64_t>(meeting.place().radius_m()))}});
      }
      record.set_method(v1::CHECK_IN_METHOD_LOCATION);
      record.set_latitude(l.latitude());
      record.set_longitude(l.longitude());
      record.set_accuracy_m(l.accuracy_m());
      record.set_mocked(l.mocked());
      record.set_distance_m(d);
      break;
    }
    case v1::CheckInRequest::kRemote:
      if (!meeting.remote_allowed()) {
        return Precondition(reasons::kRemoteNotAllowed, "remote");
      }
      record.set_method(v1::CHECK_IN_METHOD_REMOTE);
      record.set_status(v1::ATTENDANCE_STATUS_REMOTE);
      record.set_remote_reason(request.remote().reason());
      record.set_remote_text(std::string(TrimAscii(request.remote().text())));
      break;
    default:
      return InvalidField("method", "one of code, location or remote is required");
  }
  m.writes().PutMessage(storage::Cf::kAttendance, key, record);
  RecordChange(m.writes(), "attendance", meeting.id(), meeting.organization_id(), "checked_in",
               {caller.person_id});
  *response.mutable_record() = std::move(record);
  return response;
}

absl::StatusOr<v1::AttendanceRecord> CheckIns::Mark(const Caller& caller,
                                                    const v1::MarkAttendanceRequest& request) {
  int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::AttendanceRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "MarkAttendance"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::AttendanceRecord> {
        auto s = request.status();
        if (!Attended(s) && s != v1::ATTENDANCE_STATUS_ABSENT) {
          return InvalidField("status", "must be PRESENT, LATE, REMOTE or ABSENT");
        }
        RETURN_IF_ERROR(CheckText("note", TrimAscii(request.note()), 0, 200));
        if (request.person_id() == 0) return InvalidField("person_id", "is required");
        std::string key = storage::AttendanceKey(request.meeting_id(), request.person_id());
        m.Lock({key});
        ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
        const auto& meeting = stored.meeting();
        RETURN_IF_ERROR(meetings_.RequireRun(caller, meeting, "marking attendance"));
        if (meeting.cancelled()) return Precondition(reasons::kMeetingCancelled, "meeting_id");
        ASSIGN_OR_RETURN(auto person, people_.Load(caller, request.person_id(), "person_id"));
        ASSIGN_OR_RETURN(bool expected, meetings_.ExpectedOnItsDate(caller, meeting, person));
        if (!expected) return Precondition(reasons::kPersonNotInAudience, "person_id");
        if (attendance::ClassifyInWindow(meeting.window(), ToMicros(meeting.start_time()), now) ==
            attendance::WindowPhase::kNotOpen) {
          return Precondition(reasons::kCheckInNotOpen, "meeting_id");
        }
        ASSIGN_OR_RETURN(auto existing, LoadRecord(meeting.id(), person.id()));
        v1::AttendanceRecord record;
        record.set_meeting_id(meeting.id());
        record.set_person_id(person.id());
        record.set_status(s);
        record.set_method(v1::CHECK_IN_METHOD_MARKED);
        *record.mutable_server_time() = ToTimestamp(now);
        record.set_marked_by(caller.person_id);
        record.set_mark_note(std::string(TrimAscii(request.note())));
        if (existing) record.set_excused(existing->excused());
        if (s == v1::ATTENDANCE_STATUS_ABSENT && record.excused()) {
          record.set_status(v1::ATTENDANCE_STATUS_EXCUSED);
        }
        m.writes().PutMessage(storage::Cf::kAttendance, key, record);
        RecordChange(m.writes(), "attendance", meeting.id(), meeting.organization_id(), "marked",
                     {person.id()});
        return record;
      });
}

absl::StatusOr<v1::LeaveRequest> CheckIns::RequestLeave(const Caller& caller,
                                                        const v1::RequestLeaveRequest& request) {
  int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::LeaveRequest>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "RequestLeave"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::LeaveRequest> {
        if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
        RETURN_IF_ERROR(CheckText("reason", TrimAscii(request.reason()), 1, 500, true));
        std::string leave_key = storage::LeaveRequestKey(request.meeting_id(), caller.person_id);
        std::string record_key = storage::AttendanceKey(request.meeting_id(), caller.person_id);
        m.Lock({leave_key, record_key});
        ASSIGN_OR_RETURN(auto stored, LoadForAttendee(caller, request.meeting_id()));
        const auto& meeting = stored.meeting();
        if (now >= ToMicros(meeting.end_time())) {
          return Precondition(reasons::kMeetingEnded, "meeting_id");
        }
        v1::LeaveRequest leave;
        ASSIGN_OR_RETURN(bool found,
                         store_.GetMessage(storage::Cf::kLeaveRequests, leave_key, &leave));
        if (found && leave.state() != v1::LEAVE_STATE_REFUSED) {
          return Refusal(absl::StatusCode::kAlreadyExists, reasons::kLeaveAlreadyRequested,
                         "meeting_id");
        }
        ASSIGN_OR_RETURN(auto existing, LoadRecord(meeting.id(), caller.person_id));
        if (existing && Attended(existing->status())) {
          return Precondition(reasons::kAlreadyCheckedIn, "meeting_id");
        }
        leave = v1::LeaveRequest();
        leave.set_meeting_id(meeting.id());
        leave.set_person_id(caller.person_id);
        leave.set_reason(std::string(TrimAscii(request.reason())));
        leave.set_state(v1::LEAVE_STATE_PENDING);
        *leave.mutable_create_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kLeaveRequests, leave_key, leave);
        m.writes().Put(storage::Cf::kIndex,
                       storage::LeaveByPersonKey(caller.person_id, meeting.id()), "");
        RecordChange(m.writes(), "leave_request", meeting.id(), meeting.organization_id(),
                     "requested", {meeting.host_id()});
        return leave;
      });
}

absl::StatusOr<v1::LeaveRequest> CheckIns::DecideLeave(const Caller& caller,
                                                       const v1::DecideLeaveRequest& request) {
  int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::LeaveRequest>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "DecideLeave"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::LeaveRequest> {
        if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
        if (request.person_id() == 0) return InvalidField("person_id", "is required");
        RETURN_IF_ERROR(
            CheckText("note", TrimAscii(request.note()), request.approve() ? 0 : 1, 200));
        std::string leave_key = storage::LeaveRequestKey(request.meeting_id(), request.person_id());
        std::string record_key = storage::AttendanceKey(request.meeting_id(), request.person_id());
        m.Lock({leave_key, record_key});
        ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
        const auto& meeting = stored.meeting();
        RETURN_IF_ERROR(meetings_.RequireRun(caller, meeting, "deciding leave"));
        v1::LeaveRequest leave;
        ASSIGN_OR_RETURN(bool found,
                         store_.GetMessage(storage::Cf::kLeaveRequests, leave_key, &leave));
        if (!found) {
          return Refusal(absl::StatusCode::kNotFound, reasons::kLeaveNotRequested, "person_id");
        }
        // A host or secretary asking leave of their own meeting is decided by a manager above.
        if (leave.person_id() == caller.person_id) {
          return Refusal(absl::StatusCode::kPermissionDenied, reasons::kOwnLeave, "person_id");
        }
        if (leave.state() != v1::LEAVE_STATE_PENDING) {
          return Precondition(reasons::kLeaveAlreadyDecided, "person_id");
        }
        leave.set_state(request.approve() ? v1::LEAVE_STATE_APPROVED : v1::LEAVE_STATE_REFUSED);
        leave.set_decided_by(caller.person_id);
        leave.set_decision_note(std::string(TrimAscii(request.note())));
        *leave.mutable_decide_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kLeaveRequests, leave_key, leave);
        if (request.approve()) {
          ASSIGN_OR_RETURN(auto existing, LoadRecord(meeting.id(), leave.person_id()));
          v1::AttendanceRecord record = existing.value_or(v1::AttendanceRecord());
          record.set_meeting_id(meeting.id());
          record.set_person_id(leave.person_id());
          record.set_excused(true);
          if (!existing || record.status() == v1::ATTENDANCE_STATUS_ABSENT) {
            record.set_status(v1::ATTENDANCE_STATUS_EXCUSED);
          }
          m.writes().PutMessage(storage::Cf::kAttendance, record_key, record);
        }
        RecordChange(m.writes(), "leave_request", meeting.id(), meeting.organization_id(),
                     request.approve() ? "approved" : "refused", {leave.person_id()});
        return leave;
      });
}

absl::StatusOr<v1::ListLeaveRequestsResponse> CheckIns::ListLeave(
    const Caller& caller, const v1::ListLeaveRequestsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (!v1::LeaveState_IsValid(request.state()))
    return InvalidField("state", "is not a known state");
  v1::ListLeaveRequestsResponse response;
  auto take = [&](const v1::LeaveRequest& leave) {
    if (request.state() != v1::LEAVE_STATE_UNSPECIFIED && leave.state() != request.state()) {
      return false;
    }
    *response.add_leave_requests() = leave;
    return true;
  };
  if (request.mine()) {
    if (caller.service_account) {
      return Refusal(absl::StatusCode::kPermissionDenied, reasons::kServiceAccountNotAttendee);
    }
    ASSIGN_OR_RETURN(
        *response.mutable_next_page_token(),
        ScanPage(store_, storage::Cf::kIndex, storage::LeaveByPersonPrefix(caller.person_id),
                 request.page_token(), page_size,
                 [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                   v1::LeaveRequest leave;
                   ASSIGN_OR_RETURN(bool found, store_.GetMessage(
                                                    storage::Cf::kLeaveRequests,
                                                    storage::LeaveRequestKey(
                                                        storage::TrailingId(key), caller.person_id),
                                                    &leave));
                   return found && take(leave);
                 }));
    return response;
  }
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
  RETURN_IF_ERROR(meetings_.RequireRunOrRead(caller, stored.meeting(), "listing leave requests"));
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kLeaveRequests,
               storage::LeaveRequestPrefix(request.meeting_id()), request.page_token(), page_size,
               [&](std::string_view, std::string_view value) -> absl::StatusOr<bool> {
                 v1::LeaveRequest leave;
                 if (!leave.ParseFromArray(value.data(), value.size())) {
                   return absl::DataLossError("leave request does not parse");
                 }
                 return take(leave);
               }));
  return response;
}

absl::StatusOr<v1::LeaveRequest> CheckIns::GetLeave(
    const Caller& caller, const v1::GetLeaveRequestRequest& request) const {
  if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
  const bool own = request.person_id() == 0 || request.person_id() == caller.person_id;
  if (own && caller.service_account) {
    return Refusal(absl::StatusCode::kPermissionDenied, reasons::kServiceAccountNotAttendee);
  }
  const uint64_t person = own ? caller.person_id : request.person_id();
  if (!own) {
    // Someone else's: the meeting's readers only (a meeting of another tenant is NOT_FOUND).
    ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
    RETURN_IF_ERROR(meetings_.RequireRunOrRead(caller, stored.meeting(), "reading leave requests"));
  }
  // One's own is read by its key, which holds the caller's person id: whether the meeting
  // exists, or is another tenant's, is not revealed by it.
  v1::LeaveRequest leave;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(
                                   storage::Cf::kLeaveRequests,
                                   storage::LeaveRequestKey(request.meeting_id(), person), &leave));
  if (!found) {
    return Refusal(absl::StatusCode::kNotFound, reasons::kLeaveNotRequested,
                   own ? "meeting_id" : "person_id");
  }
  return leave;
}

absl::StatusOr<v1::AttendanceRecord> CheckIns::MakeUp(const Caller& caller,
                                                      const v1::RecordMakeUpRequest& request) {
  int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::AttendanceRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "RecordMakeUp"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::AttendanceRecord> {
        if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
        if (request.minutes() < 1 || request.minutes() > 600) {
          return InvalidField("minutes", "must be 1..600");
        }
        RETURN_IF_ERROR(CheckText("note", TrimAscii(request.note()), 0, 500, true));
        std::string key = storage::AttendanceKey(request.meeting_id(), caller.person_id);
        m.Lock({key});
        ASSIGN_OR_RETURN(auto stored, LoadForAttendee(caller, request.meeting_id()));
        const auto& meeting = stored.meeting();
        if (now < ToMicros(meeting.end_time())) {
          return Precondition(reasons::kMeetingNotEnded, "meeting_id");
        }
        ASSIGN_OR_RETURN(auto existing, LoadRecord(meeting.id(), caller.person_id));
        if (existing && Attended(existing->status())) {
          return Precondition(reasons::kAttendedMeeting, "meeting_id");
        }
        if (existing && existing->status() == v1::ATTENDANCE_STATUS_MADE_UP) {
          return Precondition(reasons::kMakeUpAlreadyRecorded, "meeting_id");
        }
        v1::AttendanceRecord record = existing.value_or(v1::AttendanceRecord());
        record.set_meeting_id(meeting.id());
        record.set_person_id(caller.person_id);
        record.set_status(v1::ATTENDANCE_STATUS_MADE_UP);
        record.set_make_up_minutes(request.minutes());
        record.set_make_up_note(std::string(TrimAscii(request.note())));
        *record.mutable_make_up_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kAttendance, key, record);
        RecordChange(m.writes(), "attendance", meeting.id(), meeting.organization_id(), "made_up",
                     {caller.person_id});
        return record;
      });
}

}  // namespace branchline
