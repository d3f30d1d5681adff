#include "services/attendance/attendance_grpc.h"

#include "services/auth/grpc_handler.h"

namespace branchline {

namespace {
// CSV exports go out in chunks small enough for phones and proxies.
constexpr size_t kChunkBytes = 32 * 1024;

template <typename Fn>
grpc::Status StreamCsv(const Authenticator& auth, const grpc::ServerContext* context,
                       grpc::ServerWriter<v1::CsvChunk>* writer, Fn&& fn) {
  auto caller = AuthenticateCall(auth, context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  CallCancellationScope cancellation = CancellationOf(context);
  absl::StatusOr<std::string> csv = fn(*caller);
  if (!csv.ok()) return ToGrpcStatus(csv.status());
  for (size_t at = 0; at < csv->size(); at += kChunkBytes) {
    v1::CsvChunk chunk;
    chunk.set_data(csv->substr(at, kChunkBytes));
    if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  return grpc::Status::OK;
}
}  // namespace

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
                               const Authenticator& auth)
    : meetings_(meetings),
      check_ins_(check_ins),
      reports_(reports),
      auth_(auth),
      check_in_(auth, this, &AttendanceGrpc::RequestCheckIn, check_ins, &CheckIns::CheckInAsync),
      list_my_meetings_(auth, this, &AttendanceGrpc::RequestListMyMeetings, meetings,
                        &Meetings::ListMine) {}

void AttendanceGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  check_in_.Accept(queue);
  list_my_meetings_.Accept(queue);
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

grpc::Status AttendanceGrpc::ExportRoster(grpc::ServerContext* context,
                                          const v1::ExportRosterRequest* request,
                                          grpc::ServerWriter<v1::CsvChunk>* writer) {
  return StreamCsv(auth_, context, writer,
                   [&](const Caller& c) { return reports_.RosterCsv(c, *request); });
}

grpc::Status AttendanceGrpc::ExportAttendanceReport(
    grpc::ServerContext* context, const v1::ExportAttendanceReportRequest* request,
    grpc::ServerWriter<v1::CsvChunk>* writer) {
  return StreamCsv(auth_, context, writer,
                   [&](const Caller& c) { return reports_.ReportCsv(c, *request); });
}

}  // namespace branchline
