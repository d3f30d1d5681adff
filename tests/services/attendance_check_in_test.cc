// AttendanceService check-in, marks, leave and make-up through the real server.
#include <atomic>
#include <set>
#include <thread>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/error_details.h"

namespace branchline::testing {
namespace {

using CheckInTest = AttendanceTest;
constexpr double kLat = 39.9042, kLon = 116.4074;

TEST_F(CheckInTest, ByRotatingCodeScannedOrTyped) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto code = Code(m.id());
  EXPECT_EQ(code.code().size(), 6u);
  EXPECT_EQ(code.meeting_id(), m.id());
  EXPECT_EQ(ToMicros(code.expire_time()) - ToMicros(code.valid_from()), 30 * kSec);
  EXPECT_NE(code.qr_svg().find("<svg"), std::string::npos);
  EXPECT_NE(code.qr_payload().find(code.code()), std::string::npos);

  v1::CheckInResponse out;
  ASSERT_TRUE(CheckIn(d1_, ByCode(m.id(), code.code()), &out).ok());
  EXPECT_EQ(out.record().status(), v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(out.record().method(), v1::CHECK_IN_METHOD_QR_CODE);
  EXPECT_FALSE(out.already_checked_in());
  EXPECT_TRUE(out.record().has_server_time());

  auto typed = ByCode(m.id(), code.code());
  typed.mutable_code()->set_typed(true);
  ASSERT_TRUE(CheckIn(d2_, typed, &out).ok());
  EXPECT_EQ(out.record().method(), v1::CHECK_IN_METHOD_TYPED_CODE);
}

TEST_F(CheckInTest, CheckInsReachTheIntegrationFeedAndTheDriversOtherDevices) {
  auto sync = v1::SyncService::NewStub(server_.channel());
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  v1::ListFeedRequest feed;
  feed.set_organization_id(branch_);
  v1::ListFeedResponse start, changes;
  ASSERT_TRUE(sync->ListFeed(Ctx(admin_).get(), feed, &start).ok());
  v1::ListChangesRequest pull;
  v1::ListChangesResponse head, mine;
  ASSERT_TRUE(sync->ListChanges(Ctx(d1_).get(), pull, &head).ok());

  v1::CheckInResponse out;
  ASSERT_TRUE(CheckIn(d1_, ByCode(m.id(), Code(m.id()).code()), &out).ok());

  feed.set_cursor(start.next_cursor());
  ASSERT_TRUE(sync->ListFeed(Ctx(admin_).get(), feed, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).kind(), "attendance");
  EXPECT_EQ(changes.changes(0).action(), "checked_in");
  EXPECT_EQ(changes.changes(0).record_id(), m.id());
  ASSERT_EQ(changes.changes(0).person_ids_size(), 1);
  EXPECT_EQ(changes.changes(0).person_ids(0), d1_id_);
  // The driver's own pull (another phone of theirs) sees it, without the person list.
  pull.set_cursor(head.next_cursor());
  ASSERT_TRUE(sync->ListChanges(Ctx(d1_).get(), pull, &mine).ok());
  ASSERT_EQ(mine.changes_size(), 1);
  EXPECT_EQ(mine.changes(0).kind(), "attendance");
  EXPECT_EQ(mine.changes(0).person_ids_size(), 0);
}

TEST_F(CheckInTest, WrongOrForeignCodesAreRefusedAndNothingIsWritten) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto other = MustCreate(Draft(Now() + 10 * kMin));
  auto code = Code(m.id());
  std::string wrong = code.code() == "000000" ? "000001" : "000000";
  v1::CheckInResponse out;
  auto status = CheckIn(d1_, ByCode(m.id(), wrong), &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "code.code");
  // The code of one meeting never checks in to another.
  auto foreign = Code(other.id());
  if (foreign.code() != code.code()) {
    status = CheckIn(d1_, ByCode(m.id(), foreign.code()), &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  }
  // A code claimed captured ten minutes ago belongs to another time step.
  status = CheckIn(d1_, ByCode(m.id(), code.code(), Now() - 10 * kMin), &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "code.code");
  status = CheckIn(d1_, ByCode(m.id(), "12ab56"), &out);
  EXPECT_EQ(ViolationField(status), "code.code");
  auto ahead = ByCode(m.id(), code.code());
  *ahead.mutable_device_time() = Ts(Now() - 20 * kMin);
  EXPECT_EQ(ViolationField(CheckIn(d1_, ahead, &out)), "code.captured_time");
  EXPECT_EQ(Roster(m.id()).counts().absent(), 4);
}

TEST_F(CheckInTest, ByPlaceInsideTheRadiusOnly) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  v1::CheckInResponse out;
  // About 300 m north: outside the 200 m radius.
  auto status = CheckIn(d1_, ByPlace(m.id(), kLat + 0.0027, kLon), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "location");
  auto mocked = ByPlace(m.id(), kLat, kLon);
  mocked.mutable_location()->set_mocked(true);
  status = CheckIn(d1_, mocked, &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "location.mocked");
  auto bad = ByPlace(m.id(), 91, kLon);
  EXPECT_EQ(ViolationField(CheckIn(d1_, bad, &out)), "location.latitude");
  // About 100 m north: inside.
  ASSERT_TRUE(CheckIn(d1_, ByPlace(m.id(), kLat + 0.0009, kLon), &out).ok());
  EXPECT_EQ(out.record().status(), v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(out.record().method(), v1::CHECK_IN_METHOD_LOCATION);
  EXPECT_NEAR(out.record().distance_m(), 100, 2);
  EXPECT_EQ(out.record().accuracy_m(), 12.5);
  EXPECT_FALSE(out.record().mocked());

  auto no_place = Draft(Now() + 10 * kMin);
  no_place.clear_place();
  auto m2 = MustCreate(no_place);
  status = CheckIn(d1_, ByPlace(m2.id(), kLat, kLon), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
}

TEST_F(CheckInTest, RemoteNeedsPermissionAndAReason) {
  auto draft = Draft(Now() + 10 * kMin);
  draft.set_remote_allowed(false);
  auto closed = MustCreate(draft);
  v1::CheckInResponse out;
  auto status = CheckIn(d1_, Remote(closed.id(), v1::REMOTE_REASON_DRIVING), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "remote");

  auto m = MustCreate(Draft(Now() + 10 * kMin));
  status = CheckIn(d1_, Remote(m.id(), v1::REMOTE_REASON_OTHER), &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "remote.text");
  status = CheckIn(d1_, Remote(m.id(), v1::REMOTE_REASON_UNSPECIFIED), &out);
  EXPECT_EQ(ViolationField(status), "remote.reason");
  ASSERT_TRUE(CheckIn(d1_, Remote(m.id(), v1::REMOTE_REASON_ON_DUTY), &out).ok());
  EXPECT_EQ(out.record().status(), v1::ATTENDANCE_STATUS_REMOTE);
  EXPECT_EQ(out.record().remote_reason(), v1::REMOTE_REASON_ON_DUTY);
  ASSERT_TRUE(CheckIn(d2_, Remote(m.id(), v1::REMOTE_REASON_OTHER, "在医院陪护"), &out).ok());
  EXPECT_EQ(out.record().remote_text(), "在医院陪护");
  auto none = At(m.id());
  EXPECT_EQ(ViolationField(CheckIn(d3_, none, &out)), "method");
}

TEST_F(CheckInTest, WindowAndDeviceTimeRules) {
  v1::CheckInResponse out;
  auto later = MustCreate(Draft(Now() + 3 * kHour));
  auto status = CheckIn(d1_, ByPlace(later.id(), kLat, kLon), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "device_time");

  auto over = MustCreate(Draft(Now() - 3 * kHour));  // closed 60 minutes after its start
  status = CheckIn(d1_, ByPlace(over.id(), kLat, kLon), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);

  auto m = MustCreate(Draft(Now() - 20 * kMin));  // late after 5 minutes
  status = CheckIn(d1_, ByPlace(m.id(), kLat, kLon, Now() + kHour), &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "device_time");
  status = CheckIn(d1_, ByPlace(m.id(), kLat, kLon, Now() - 8 * 24 * kHour), &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "device_time");
  auto unset = ByPlace(m.id(), kLat, kLon);
  unset.clear_device_time();
  EXPECT_EQ(ViolationField(CheckIn(d1_, unset, &out)), "device_time");

  ASSERT_TRUE(CheckIn(d1_, ByPlace(m.id(), kLat, kLon), &out).ok());
  EXPECT_EQ(out.record().status(), v1::ATTENDANCE_STATUS_LATE);

  EXPECT_EQ(CheckIn(outsider_, ByPlace(m.id(), kLat, kLon), &out).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(CheckIn(d2_, ByPlace(m.id() + 999, kLat, kLon), &out).error_code(), grpc::NOT_FOUND);
  auto no_id = ByPlace(m.id(), kLat, kLon);
  no_id.set_request_id("");
  EXPECT_EQ(ViolationField(CheckIn(d2_, no_id, &out)), "request_id");
}

TEST_F(CheckInTest, OfflineUploadWithAnOldButValidDeviceTime) {
  // The meeting started three hours ago; the driver checked in two minutes after its start
  // while offline and uploads now.
  int64_t start = Now() - 3 * kHour;
  auto m = MustCreate(Draft(start));
  v1::CheckInResponse out;
  ASSERT_TRUE(CheckIn(d1_, ByPlace(m.id(), kLat, kLon, start + 2 * kMin), &out).ok());
  EXPECT_EQ(out.record().status(), v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(ToMicros(out.record().device_time()), start + 2 * kMin);
  EXPECT_GT(ToMicros(out.record().server_time()), start + 2 * kHour);
  // Ten minutes after the start it was late.
  ASSERT_TRUE(CheckIn(d2_, ByPlace(m.id(), kLat, kLon, start + 10 * kMin), &out).ok());
  EXPECT_EQ(out.record().status(), v1::ATTENDANCE_STATUS_LATE);
}

TEST_F(CheckInTest, CheckingInTwiceReturnsTheFirstAndRetriesAreIdempotent) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto first_request = ByPlace(m.id(), kLat, kLon);
  v1::CheckInResponse first, retry, second;
  ASSERT_TRUE(CheckIn(d1_, first_request, &first).ok());
  ASSERT_TRUE(CheckIn(d1_, first_request, &retry).ok());
  EXPECT_EQ(first.SerializeAsString(), retry.SerializeAsString());
  ASSERT_TRUE(CheckIn(d1_, Remote(m.id(), v1::REMOTE_REASON_DRIVING), &second).ok());
  EXPECT_TRUE(second.already_checked_in());
  EXPECT_EQ(second.record().SerializeAsString(), first.record().SerializeAsString());
  first_request.mutable_location()->set_latitude(kLat + 0.0001);
  EXPECT_EQ(CheckIn(d1_, first_request, &retry).error_code(), grpc::ALREADY_EXISTS);
}

TEST_F(CheckInTest, ConcurrentCheckInsFromTwoDevicesMakeOneRecord) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto code = Code(m.id());
  constexpr int kDevices = 8;
  std::vector<v1::CheckInResponse> answers(kDevices);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kDevices; ++i) {
    threads.emplace_back([&, i] {
      auto r = i % 2 ? ByCode(m.id(), code.code()) : ByPlace(m.id(), kLat, kLon);
      if (CheckIn(d1_, r, &answers[i]).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kDevices);
  int fresh = 0;
  for (auto& a : answers) {
    fresh += !a.already_checked_in();
    EXPECT_EQ(a.record().SerializeAsString(), answers[0].record().SerializeAsString());
  }
  EXPECT_EQ(fresh, 1);
  auto roster = Roster(m.id());
  EXPECT_EQ(roster.counts().present(), 1);
  EXPECT_EQ(roster.counts().expected(), 4);
}

TEST_F(CheckInTest, TheHostMarksOthersAndIsRecorded) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  v1::MarkAttendanceRequest mark;
  mark.set_request_id(TestServer::RequestId());
  mark.set_meeting_id(m.id());
  mark.set_person_id(d2_id_);
  mark.set_status(v1::ATTENDANCE_STATUS_PRESENT);
  mark.set_note("手机没电");
  v1::AttendanceRecord out;
  ASSERT_TRUE(stub_->MarkAttendance(Ctx(secretary_).get(), mark, &out).ok());
  EXPECT_EQ(out.method(), v1::CHECK_IN_METHOD_MARKED);
  EXPECT_EQ(out.marked_by(), secretary_id_);
  EXPECT_EQ(StatusOf(Roster(m.id()), d2_id_), v1::ATTENDANCE_STATUS_PRESENT);

  mark.set_request_id(TestServer::RequestId());
  EXPECT_EQ(stub_->MarkAttendance(Ctx(d1_).get(), mark, &out).error_code(),
            grpc::PERMISSION_DENIED);
  mark.set_person_id(outsider_id_);
  auto status = stub_->MarkAttendance(Ctx(secretary_).get(), mark, &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "person_id");
  mark.set_person_id(d2_id_);
  mark.set_status(v1::ATTENDANCE_STATUS_MADE_UP);
  EXPECT_EQ(ViolationField(stub_->MarkAttendance(Ctx(secretary_).get(), mark, &out)), "status");
}

TEST_F(CheckInTest, LeaveIsAskedDecidedAndExcuses) {
  auto m = MustCreate(Draft(Now() + 2 * kHour));
  v1::RequestLeaveRequest ask;
  ask.set_request_id(TestServer::RequestId());
  ask.set_meeting_id(m.id());
  v1::LeaveRequest leave;
  EXPECT_EQ(ViolationField(stub_->RequestLeave(Ctx(d3_).get(), ask, &leave)), "reason");
  ask.set_reason("出车去新疆");
  ASSERT_TRUE(stub_->RequestLeave(Ctx(d3_).get(), ask, &leave).ok());
  EXPECT_EQ(leave.state(), v1::LEAVE_STATE_PENDING);
  EXPECT_EQ(leave.person_id(), d3_id_);
  ask.set_request_id(TestServer::RequestId());
  EXPECT_EQ(stub_->RequestLeave(Ctx(d3_).get(), ask, &leave).error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(stub_->RequestLeave(Ctx(outsider_).get(), ask, &leave).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->RequestLeave(Ctx(d2_).get(), ask, &leave).ok());

  v1::ListLeaveRequestsRequest list;
  list.set_meeting_id(m.id());
  list.set_state(v1::LEAVE_STATE_PENDING);
  v1::ListLeaveRequestsResponse listed;
  ASSERT_TRUE(stub_->ListLeaveRequests(Ctx(secretary_).get(), list, &listed).ok());
  EXPECT_EQ(listed.leave_requests_size(), 2);
  EXPECT_EQ(stub_->ListLeaveRequests(Ctx(d3_).get(), list, &listed).error_code(),
            grpc::PERMISSION_DENIED);
  v1::ListLeaveRequestsRequest mine;
  mine.set_mine(true);
  ASSERT_TRUE(stub_->ListLeaveRequests(Ctx(d3_).get(), mine, &listed).ok());
  ASSERT_EQ(listed.leave_requests_size(), 1);
  EXPECT_EQ(listed.leave_requests(0).meeting_id(), m.id());

  v1::DecideLeaveRequest decide;
  decide.set_request_id(TestServer::RequestId());
  decide.set_meeting_id(m.id());
  decide.set_person_id(d3_id_);
  decide.set_approve(true);
  EXPECT_EQ(stub_->DecideLeave(Ctx(d1_).get(), decide, &leave).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave).ok());
  EXPECT_EQ(leave.state(), v1::LEAVE_STATE_APPROVED);
  EXPECT_EQ(leave.decided_by(), secretary_id_);
  v1::LeaveRequest again;  // a retry of the same decision returns the first answer
  ASSERT_TRUE(stub_->DecideLeave(Ctx(secretary_).get(), decide, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), leave.SerializeAsString());
  decide.set_request_id(TestServer::RequestId());
  EXPECT_EQ(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave).error_code(),
            grpc::FAILED_PRECONDITION);

  decide.set_request_id(TestServer::RequestId());
  decide.set_person_id(d2_id_);
  decide.set_approve(false);
  EXPECT_EQ(ViolationField(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave)), "note");
  decide.set_note("本周必须参加");
  ASSERT_TRUE(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave).ok());
  EXPECT_EQ(leave.state(), v1::LEAVE_STATE_REFUSED);
  decide.set_request_id(TestServer::RequestId());
  decide.set_person_id(d1_id_);
  EXPECT_EQ(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave).error_code(),
            grpc::NOT_FOUND);

  auto roster = Roster(m.id());
  EXPECT_EQ(StatusOf(roster, d3_id_), v1::ATTENDANCE_STATUS_EXCUSED);
  EXPECT_EQ(StatusOf(roster, d2_id_), v1::ATTENDANCE_STATUS_ABSENT);
  EXPECT_EQ(roster.counts().excused(), 1);

  // One request by id (what a `leave_request` change points at): one's own, or any of the
  // meeting's for its readers; nobody else's, and none that was never asked.
  v1::GetLeaveRequestRequest get;
  get.set_meeting_id(m.id());
  v1::LeaveRequest got;
  ASSERT_TRUE(stub_->GetLeaveRequest(Ctx(d3_).get(), get, &got).ok());
  EXPECT_EQ(got.person_id(), d3_id_);
  EXPECT_EQ(got.state(), v1::LEAVE_STATE_APPROVED);
  EXPECT_EQ(got.decided_by(), secretary_id_);
  get.set_person_id(d2_id_);
  ASSERT_TRUE(stub_->GetLeaveRequest(Ctx(secretary_).get(), get, &got).ok());
  EXPECT_EQ(got.state(), v1::LEAVE_STATE_REFUSED);
  EXPECT_EQ(got.decision_note(), "本周必须参加");
  EXPECT_EQ(stub_->GetLeaveRequest(Ctx(d3_).get(), get, &got).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetLeaveRequest(Ctx(outsider_).get(), get, &got).error_code(),
            grpc::PERMISSION_DENIED);
  get.set_person_id(0);
  auto none = stub_->GetLeaveRequest(Ctx(d1_).get(), get, &got);
  EXPECT_EQ(none.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(DetailsOf(none).reason, "LEAVE_NOT_REQUESTED");
  EXPECT_EQ(ViolationField(none), "meeting_id");
  get.set_person_id(d1_id_);
  none = stub_->GetLeaveRequest(Ctx(secretary_).get(), get, &got);
  EXPECT_EQ(none.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(none), "person_id");
  get.set_meeting_id(0);
  EXPECT_EQ(ViolationField(stub_->GetLeaveRequest(Ctx(d3_).get(), get, &got)), "meeting_id");

  // Nobody decides their own leave: the secretary's is decided by the administrator above.
  ask.set_request_id(TestServer::RequestId());
  ASSERT_TRUE(stub_->RequestLeave(Ctx(secretary_).get(), ask, &leave).ok());
  decide.set_request_id(TestServer::RequestId());
  decide.set_person_id(secretary_id_);
  decide.set_approve(true);
  decide.clear_note();
  EXPECT_EQ(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(StatusOf(Roster(m.id()), secretary_id_), v1::ATTENDANCE_STATUS_ABSENT);
  decide.set_request_id(TestServer::RequestId());
  ASSERT_TRUE(stub_->DecideLeave(Ctx(admin_).get(), decide, &leave).ok());
  EXPECT_NE(leave.decided_by(), secretary_id_);
  EXPECT_EQ(StatusOf(Roster(m.id()), secretary_id_), v1::ATTENDANCE_STATUS_EXCUSED);
}

TEST_F(CheckInTest, MakeUpAfterTheMeetingForTheAbsentOnly) {
  auto running = MustCreate(Draft(Now() - 10 * kMin));
  v1::RecordMakeUpRequest make_up;
  make_up.set_request_id(TestServer::RequestId());
  make_up.set_meeting_id(running.id());
  make_up.set_minutes(45);
  make_up.set_note("看了会议录像");
  v1::AttendanceRecord out;
  auto status = stub_->RecordMakeUp(Ctx(d1_).get(), make_up, &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);  // not over yet

  int64_t start = Now() - 2 * kHour;
  auto over = MustCreate(Draft(start));
  v1::CheckInResponse checked;
  ASSERT_TRUE(CheckIn(d2_, ByPlace(over.id(), kLat, kLon, start), &checked).ok());
  make_up.set_meeting_id(over.id());
  make_up.set_minutes(0);
  EXPECT_EQ(ViolationField(stub_->RecordMakeUp(Ctx(d1_).get(), make_up, &out)), "minutes");
  make_up.set_request_id(TestServer::RequestId());
  make_up.set_minutes(45);
  ASSERT_TRUE(stub_->RecordMakeUp(Ctx(d1_).get(), make_up, &out).ok());
  EXPECT_EQ(out.status(), v1::ATTENDANCE_STATUS_MADE_UP);
  EXPECT_EQ(out.make_up_minutes(), 45);
  make_up.set_request_id(TestServer::RequestId());
  EXPECT_EQ(stub_->RecordMakeUp(Ctx(d2_).get(), make_up, &out).error_code(),
            grpc::FAILED_PRECONDITION);  // attended
  EXPECT_EQ(stub_->RecordMakeUp(Ctx(outsider_).get(), make_up, &out).error_code(),
            grpc::PERMISSION_DENIED);
  auto roster = Roster(over.id());
  EXPECT_EQ(StatusOf(roster, d1_id_), v1::ATTENDANCE_STATUS_MADE_UP);
  EXPECT_EQ(roster.counts().made_up(), 1);
}

}  // namespace
}  // namespace branchline::testing
