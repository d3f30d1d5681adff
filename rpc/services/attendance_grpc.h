#pragma once

#include "branchline/v1/attendance.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "rpc/async_unary_method.h"
#include "services/attendance/attendance_reports.h"
#include "services/attendance/check_ins.h"
#include "services/attendance/meetings.h"
#include "services/auth/authenticator.h"

namespace branchline {

// gRPC adapter of AttendanceService over Meetings, CheckIns and AttendanceReports.
//
// CheckIn, the busiest durable write of the product, is on the async API (AsyncUnaryMethod):
// a check-in waiting for its WAL sync holds no thread. ListMyMeetings, the busiest short read,
// runs on a poller the same way. The CSV exports are AsyncStreamCalls: a slow reader holds no
// thread. Every other method is synchronous.
class AttendanceGrpc final
    : public v1::AttendanceService::WithRawMethod_CheckIn<
          v1::AttendanceService::WithRawMethod_ListMyMeetings<
              v1::AttendanceService::WithRawMethod_ExportRoster<
                  v1::AttendanceService::WithRawMethod_ExportAttendanceReport<
                      v1::AttendanceService::Service>>>>,
      public AcceptsAsyncCalls {
 public:
  AttendanceGrpc(Meetings& meetings, CheckIns& check_ins, AttendanceReports& reports,
                 const Authenticator& auth, StreamEnvironment& streams);

  grpc::Status CreateMeeting(grpc::ServerContext* context, const v1::CreateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status GetMeeting(grpc::ServerContext* context, const v1::GetMeetingRequest* request,
                          v1::Meeting* response) override;
  grpc::Status ListMeetings(grpc::ServerContext* context, const v1::ListMeetingsRequest* request,
                            v1::ListMeetingsResponse* response) override;
  grpc::Status UpdateMeeting(grpc::ServerContext* context, const v1::UpdateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status CancelMeeting(grpc::ServerContext* context, const v1::CancelMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status GetCheckInCode(grpc::ServerContext* context,
                              const v1::GetCheckInCodeRequest* request,
                              v1::CheckInCode* response) override;
  // Accepts CheckIn, ListMyMeetings and the CSV export streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;
  grpc::Status MarkAttendance(grpc::ServerContext* context,
                              const v1::MarkAttendanceRequest* request,
                              v1::AttendanceRecord* response) override;
  grpc::Status RequestLeave(grpc::ServerContext* context, const v1::RequestLeaveRequest* request,
                            v1::LeaveRequest* response) override;
  grpc::Status DecideLeave(grpc::ServerContext* context, const v1::DecideLeaveRequest* request,
                           v1::LeaveRequest* response) override;
  grpc::Status ListLeaveRequests(grpc::ServerContext* context,
                                 const v1::ListLeaveRequestsRequest* request,
                                 v1::ListLeaveRequestsResponse* response) override;
  grpc::Status GetLeaveRequest(grpc::ServerContext* context,
                               const v1::GetLeaveRequestRequest* request,
                               v1::LeaveRequest* response) override;
  grpc::Status RecordMakeUp(grpc::ServerContext* context, const v1::RecordMakeUpRequest* request,
                            v1::AttendanceRecord* response) override;
  grpc::Status GetRoster(grpc::ServerContext* context, const v1::GetRosterRequest* request,
                         v1::Roster* response) override;
  grpc::Status GetAttendanceHistory(grpc::ServerContext* context,
                                    const v1::GetAttendanceHistoryRequest* request,
                                    v1::AttendanceHistory* response) override;
  grpc::Status GetAttendanceReport(grpc::ServerContext* context,
                                   const v1::GetAttendanceReportRequest* request,
                                   v1::AttendanceReport* response) override;
  grpc::Status GetMeetingSchedule(grpc::ServerContext* context,
                                  const v1::GetMeetingScheduleRequest* request,
                                  v1::MeetingSchedule* response) override;
  grpc::Status SetMeetingSchedule(grpc::ServerContext* context,
                                  const v1::SetMeetingScheduleRequest* request,
                                  v1::MeetingSchedule* response) override;
  grpc::Status GetComplianceReport(grpc::ServerContext* context,
                                   const v1::GetComplianceReportRequest* request,
                                   v1::ComplianceReport* response) override;

 private:
  Meetings& meetings_;
  CheckIns& check_ins_;
  AttendanceReports& reports_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
  AsyncUnaryMethod<v1::CheckInRequest, Encoded<v1::CheckInResponse>> check_in_;
  AsyncUnaryMethod<v1::ListMyMeetingsRequest, v1::ListMeetingsResponse> list_my_meetings_;
};

}  // namespace branchline
