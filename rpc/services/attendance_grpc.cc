#include "rpc/services/attendance_grpc.h"

#include "rpc/async_stream_call.h"
#include "rpc/chunked_export_call.h"
#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status AttendanceGrpc::CreateMeeting(grpc::ServerContext* context,
                                           const v1::CreateMeetingRequest* request,
                                           v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Create(c, *request); });
}

grpc::Status AttendanceGrpc::GetMeeting(grpc::ServerContext* context,
                                        const v1::GetMeetingRequest* request,
                                        v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Get(c, *request); });
}

grpc::Status AttendanceGrpc::ListMeetings(grpc::ServerContext* context,
                                          const v1::ListMeetingsRequest* request,
                                          v1::ListMeetingsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.List(c, *request); });
}

grpc::Status AttendanceGrpc::UpdateMeeting(grpc::ServerContext* context,
                                           const v1::UpdateMeetingRequest* request,
                                           v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Update(c, *request); });
}

grpc::Status AttendanceGrpc::CancelMeeting(grpc::ServerContext* context,
                                           const v1::CancelMeetingRequest* request,
                                           v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Cancel(c, *request); });
}

grpc::Status AttendanceGrpc::GetCheckInCode(grpc::ServerContext* context,
                                            const v1::GetCheckInCodeRequest* request,
                                            v1::CheckInCode* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.GetCode(c, *request); });
}

AttendanceGrpc::AttendanceGrpc(Meetings& meetings, CheckIns& check_ins, AttendanceReports& reports,
                               const Authenticator& auth, StreamEnvironment& streams)
    : meetings_(meetings),
      check_ins_(check_ins),
      reports_(reports),
      auth_(auth),
      streams_(streams),
      check_in_(auth, this, &AttendanceGrpc::RequestCheckIn, check_ins, &CheckIns::CheckInAsync),
      list_my_meetings_(auth, this, &AttendanceGrpc::RequestListMyMeetings, meetings,
                        &Meetings::ListMine) {}

void AttendanceGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  check_in_.Accept(queue);
  list_my_meetings_.Accept(queue);
  new ChunkedExportCall<v1::ExportRosterRequest, v1::CsvChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &AttendanceGrpc::RequestExportRoster),
      [this](const Caller& c, const v1::ExportRosterRequest& r) {
        return reports_.RosterCsv(c, r);
      });
  new ChunkedExportCall<v1::ExportAttendanceReportRequest, v1::CsvChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &AttendanceGrpc::RequestExportAttendanceReport),
      [this](const Caller& c, const v1::ExportAttendanceReportRequest& r) {
        return reports_.ReportCsv(c, r);
      });
}

grpc::Status AttendanceGrpc::MarkAttendance(grpc::ServerContext* context,
                                            const v1::MarkAttendanceRequest* request,
                                            v1::AttendanceRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.Mark(c, *request); });
}

grpc::Status AttendanceGrpc::RequestLeave(grpc::ServerContext* context,
                                          const v1::RequestLeaveRequest* request,
                                          v1::LeaveRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.RequestLeave(c, *request); });
}

grpc::Status AttendanceGrpc::DecideLeave(grpc::ServerContext* context,
                                         const v1::DecideLeaveRequest* request,
                                         v1::LeaveRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.DecideLeave(c, *request); });
}

grpc::Status AttendanceGrpc::ListLeaveRequests(grpc::ServerContext* context,
                                               const v1::ListLeaveRequestsRequest* request,
                                               v1::ListLeaveRequestsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.ListLeave(c, *request); });
}

grpc::Status AttendanceGrpc::GetLeaveRequest(grpc::ServerContext* context,
                                             const v1::GetLeaveRequestRequest* request,
                                             v1::LeaveRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.GetLeave(c, *request); });
}

grpc::Status AttendanceGrpc::RecordMakeUp(grpc::ServerContext* context,
                                          const v1::RecordMakeUpRequest* request,
                                          v1::AttendanceRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.MakeUp(c, *request); });
}

grpc::Status AttendanceGrpc::GetRoster(grpc::ServerContext* context,
                                       const v1::GetRosterRequest* request, v1::Roster* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Roster(c, *request); });
}

grpc::Status AttendanceGrpc::GetAttendanceHistory(grpc::ServerContext* context,
                                                  const v1::GetAttendanceHistoryRequest* request,
                                                  v1::AttendanceHistory* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.History(c, *request); });
}

grpc::Status AttendanceGrpc::GetAttendanceReport(grpc::ServerContext* context,
                                                 const v1::GetAttendanceReportRequest* request,
                                                 v1::AttendanceReport* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Report(c, *request); });
}

grpc::Status AttendanceGrpc::GetMeetingSchedule(grpc::ServerContext* context,
                                                const v1::GetMeetingScheduleRequest* request,
                                                v1::MeetingSchedule* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.GetSchedule(c, *request); });
}

grpc::Status AttendanceGrpc::SetMeetingSchedule(grpc::ServerContext* context,
                                                const v1::SetMeetingScheduleRequest* request,
                                                v1::MeetingSchedule* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.SetSchedule(c, *request); });
}

grpc::Status AttendanceGrpc::GetComplianceReport(grpc::ServerContext* context,
                                                 const v1::GetComplianceReportRequest* request,
                                                 v1::ComplianceReport* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Compliance(c, *request); });
}

}  // namespace branchline
