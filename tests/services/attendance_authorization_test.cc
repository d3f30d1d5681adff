// Every attendance RPC × every kind of caller, each cell the documented outcome (in the style
// of authorization_matrix_test.cc).
#include <map>

#include "tests/services/attendance_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class AttendanceAuthorizationTest : public AttendanceTest {
 protected:
  void SetUp() override {
    AttendanceTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["self (audience)"] = d1_;
    tokens_["another member"] = d2_;
    tokens_["host (member)"] = d3_;

    meeting_ = NewMeeting();
  }

  // A branch meeting starting in ten minutes, hosted by d3.
  uint64_t NewMeeting() {
    auto d = Draft(Now() + 10 * kMin);
    d.set_host_id(d3_id_);
    return MustCreate(d).id();
  }

  // A new meeting for which d1 asked leave.
  uint64_t MeetingWithD1sLeave() {
    v1::RequestLeaveRequest ask;
    ask.set_request_id(TestServer::RequestId());
    ask.set_meeting_id(NewMeeting());
    ask.set_reason("出车");
    v1::LeaveRequest out;
    EXPECT_TRUE(stub_->RequestLeave(Ctx(d1_).get(), ask, &out).ok());
    return ask.meeting_id();
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    v1::Meeting meeting;
    if (op == "CreateMeeting") {
      v1::CreateMeetingRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_meeting() = Draft(Now() + kHour);
      return stub_->CreateMeeting(ctx.get(), r, &meeting).error_code();
    }
    if (op == "GetMeeting") {
      v1::GetMeetingRequest r;
      r.set_id(meeting_);
      return stub_->GetMeeting(ctx.get(), r, &meeting).error_code();
    }
    if (op == "ListMeetings") {
      v1::ListMeetingsRequest r;
      r.set_organization_id(branch_);
      v1::ListMeetingsResponse out;
      return stub_->ListMeetings(ctx.get(), r, &out).error_code();
    }
    if (op == "UpdateMeeting") {
      v1::UpdateMeetingRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_meeting()->set_id(meeting_);
      r.mutable_meeting()->set_title("新标题");
      r.mutable_update_mask()->add_paths("title");
      return stub_->UpdateMeeting(ctx.get(), r, &meeting).error_code();
    }
    if (op == "GetCheckInCode") {
      v1::GetCheckInCodeRequest r;
      r.set_meeting_id(meeting_);
      v1::CheckInCode out;
      return stub_->GetCheckInCode(ctx.get(), r, &out).error_code();
    }
    if (op == "CheckIn") {
      v1::CheckInResponse out;
      return stub_->CheckIn(ctx.get(), Remote(meeting_, v1::REMOTE_REASON_DRIVING), &out)
          .error_code();
    }
    if (op == "MarkAttendance") {
      v1::MarkAttendanceRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(meeting_);
      r.set_person_id(d1_id_);
      r.set_status(v1::ATTENDANCE_STATUS_PRESENT);
      v1::AttendanceRecord out;
      return stub_->MarkAttendance(ctx.get(), r, &out).error_code();
    }
    if (op == "RequestLeave") {
      v1::RequestLeaveRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(NewMeeting());
      r.set_reason("出车");
      v1::LeaveRequest out;
      return stub_->RequestLeave(ctx.get(), r, &out).error_code();
    }
    if (op == "DecideLeave") {
      v1::LeaveRequest out;
      v1::DecideLeaveRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(MeetingWithD1sLeave());
      r.set_person_id(d1_id_);
      r.set_approve(true);
      return stub_->DecideLeave(ctx.get(), r, &out).error_code();
    }
    if (op == "ListMyMeetings") {
      v1::ListMyMeetingsRequest r;
      v1::ListMeetingsResponse out;
      return stub_->ListMyMeetings(ctx.get(), r, &out).error_code();
    }
    if (op == "CancelMeeting") {
      v1::CancelMeetingRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(NewMeeting());
      r.set_reason("暴雨");
      return stub_->CancelMeeting(ctx.get(), r, &meeting).error_code();
    }
    if (op == "ListLeaveRequests") {
      v1::ListLeaveRequestsRequest r;
      r.set_meeting_id(meeting_);
      v1::ListLeaveRequestsResponse out;
      return stub_->ListLeaveRequests(ctx.get(), r, &out).error_code();
    }
    if (op == "GetLeaveRequest") {
      v1::LeaveRequest out;
      v1::GetLeaveRequestRequest r;
      r.set_meeting_id(MeetingWithD1sLeave());
      r.set_person_id(d1_id_);
      return stub_->GetLeaveRequest(ctx.get(), r, &out).error_code();
    }
    if (op == "GetMeetingSchedule") {
      v1::GetMeetingScheduleRequest r;
      r.set_organization_id(branch_);
      v1::MeetingSchedule out;
      return stub_->GetMeetingSchedule(ctx.get(), r, &out).error_code();
    }
    if (op == "GetRoster") {
      v1::GetRosterRequest r;
      r.set_meeting_id(meeting_);
      v1::Roster out;
      return stub_->GetRoster(ctx.get(), r, &out).error_code();
    }
    if (op == "GetAttendanceHistory(self)") {
      v1::GetAttendanceHistoryRequest r;
      r.set_person_id(d1_id_);
      *r.mutable_start_time_from() = Ts(Now() - 24 * kHour);
      *r.mutable_start_time_to() = Ts(Now());
      v1::AttendanceHistory out;
      return stub_->GetAttendanceHistory(ctx.get(), r, &out).error_code();
    }
    if (op == "GetAttendanceReport") {
      v1::GetAttendanceReportRequest r;
      r.set_organization_id(branch_);
      *r.mutable_start_time_from() = Ts(Now() - 24 * kHour);
      *r.mutable_start_time_to() = Ts(Now());
      v1::AttendanceReport out;
      return stub_->GetAttendanceReport(ctx.get(), r, &out).error_code();
    }
    if (op == "GetComplianceReport") {
      v1::GetComplianceReportRequest r;
      r.set_organization_id(branch_);
      r.set_year(2025);
      v1::ComplianceReport out;
      return stub_->GetComplianceReport(ctx.get(), r, &out).error_code();
    }
    if (op == "SetMeetingSchedule") {
      v1::SetMeetingScheduleRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_schedule()->set_organization_id(branch_);
      v1::MeetingSchedule out;
      return stub_->SetMeetingSchedule(ctx.get(), r, &out).error_code();
    }
    if (op == "RecordMakeUp") {
      // The caller's own make-up, for a branch meeting that ended an hour ago (a new one per
      // call, so one row's make-up does not decide the next row's cell).
      auto ended = MustCreate(Draft(Now() - 2 * kHour));
      v1::RecordMakeUpRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(ended.id());
      r.set_minutes(45);
      r.set_note("看了会议录像");
      v1::AttendanceRecord out;
      return stub_->RecordMakeUp(ctx.get(), r, &out).error_code();
    }
    if (op == "ExportRoster") {
      v1::ExportRosterRequest r;
      r.set_meeting_id(meeting_);
      auto reader = stub_->ExportRoster(ctx.get(), r);
      return StreamCellCode(*ctx, *reader);
    }
    if (op == "ExportAttendanceReport") {
      v1::ExportAttendanceReportRequest r;
      r.set_organization_id(branch_);
      *r.mutable_start_time_from() = Ts(Now() - 24 * kHour);
      *r.mutable_start_time_to() = Ts(Now());
      auto reader = stub_->ExportAttendanceReport(ctx.get(), r);
      return StreamCellCode(*ctx, *reader);
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  uint64_t meeting_ = 0;
  std::map<std::string, std::string> tokens_;
};

TEST_F(AttendanceAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {"CreateMeeting",
                                        "GetMeeting",
                                        "ListMeetings",
                                        "UpdateMeeting",
                                        "GetCheckInCode",
                                        "CheckIn",
                                        "MarkAttendance",
                                        "RequestLeave",
                                        "DecideLeave",
                                        "GetRoster",
                                        "GetAttendanceHistory(self)",
                                        "GetAttendanceReport",
                                        "GetComplianceReport",
                                        "SetMeetingSchedule",
                                        "ListMyMeetings",
                                        "CancelMeeting",
                                        "ListLeaveRequests",
                                        "GetMeetingSchedule",
                                        "RecordMakeUp",
                                        "ExportRoster",
                                        "ExportAttendanceReport",
                                        "GetLeaveRequest"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                         Create  Get     List    Update  Code    CheckIn Mark    AskLv   Decide  Roster  Hist    Report  Compl   Sched   Mine    Cancel  Leaves  GetSch  MakeUp  ExpRos  ExpRep  GetLv
    {"no token",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",               {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",    {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"self (audience)",       {DENIED, OK, DENIED, DENIED, DENIED, OK, DENIED, OK, DENIED, DENIED, OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED, OK}},
    {"another member",        {DENIED, OK, DENIED, DENIED, DENIED, OK, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED}},
    {"host (member)",         {DENIED, OK, DENIED, OK, OK, OK, OK, OK, OK, OK, DENIED, DENIED, DENIED, DENIED, OK, OK, OK, DENIED, OK, OK, DENIED, OK}},
    {"secretary of branch",   {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK, OK, OK, OK, OK, OK, OK, OK, OK}},
    {"secretary of sibling",  {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"admin above",           {OK,     OK,     OK,     OK,     OK,     DENIED, OK,     DENIED, OK,     OK,     OK,     OK,     OK,     OK, OK, OK, OK, OK, DENIED, OK, OK, OK}},
    {"service with scope",    {DENIED, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, OK, OK, OK, DENIED, DENIED, DENIED, OK, OK, DENIED, OK, OK, OK}},
    {"service without scope", {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
  };
  // clang-format on
  testing::ExpectMatrix({"attendance", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return Call(op, tokens_.at(caller));
                        });
}

}  // namespace
}  // namespace branchline::testing
