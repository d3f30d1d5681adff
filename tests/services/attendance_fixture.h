// A test server with a small fleet: a branch, a driver group below it, a secretary, three
// drivers, and a sibling branch with an outsider; plus helpers to call AttendanceService.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "branchline/v1/attendance.grpc.pb.h"
#include "services/common/clock.h"
#include "tests/support/test_server.h"

namespace branchline::testing {

inline constexpr int64_t kSec = 1'000'000;
inline constexpr int64_t kMin = 60 * kSec;
inline constexpr int64_t kHour = 60 * kMin;

class AttendanceTest : public ::testing::Test {
 protected:
  AttendanceTest() = default;
  // A fixture whose server options `configure` adjusts before each start (a fake clock).
  explicit AttendanceTest(std::function<void(ServerOptions&)> configure)
      : server_(std::move(configure)) {}

  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "运输四队党支部").id();
    group_ = server_.CreateOrg(admin_, branch_, "驾驶员一组", v1::ORGANIZATION_KIND_GROUP).id();
    sibling_ = server_.CreateOrg(admin_, root_, "收费站党支部").id();
    secretary_id_ = server_.CreatePerson(admin_, branch_, "王书记", "sec", v1::ROLE_SECRETARY).id();
    d1_id_ = server_.CreatePerson(admin_, group_, "张师傅", "d1").id();
    d2_id_ = server_.CreatePerson(admin_, group_, "李师傅", "d2").id();
    d3_id_ = server_.CreatePerson(admin_, group_, "赵师傅", "d3", v1::ROLE_EMPLOYEE).id();
    outsider_id_ = server_.CreatePerson(admin_, sibling_, "外人", "out").id();
    secretary_ = server_.SignIn("sec");
    d1_ = server_.SignIn("d1");
    d2_ = server_.SignIn("d2");
    d3_ = server_.SignIn("d3");
    outsider_ = server_.SignIn("out");
    stub_ = v1::AttendanceService::NewStub(server_.channel());
  }

  static int64_t Now() { return SystemClock().NowMicros(); }
  static google::protobuf::Timestamp Ts(int64_t micros) { return ToTimestamp(micros); }
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return TestServer::Ctx(token);
  }

  // A meeting of the branch starting at `start` (one hour long) for the branch's subtree.
  v1::Meeting Draft(int64_t start, v1::MeetingType type = v1::MEETING_TYPE_SAFETY_MEETING) {
    v1::Meeting m;
    m.set_organization_id(branch_);
    m.set_type(type);
    m.set_title("周一安全例会");
    *m.mutable_start_time() = Ts(start);
    *m.mutable_end_time() = Ts(start + kHour);
    m.mutable_place()->set_latitude(39.9042);
    m.mutable_place()->set_longitude(116.4074);
    m.mutable_place()->set_radius_m(200);
    m.set_remote_allowed(true);
    return m;
  }

  grpc::Status Create(const v1::Meeting& draft, v1::Meeting* out, const std::string& token = "") {
    v1::CreateMeetingRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_meeting() = draft;
    return stub_->CreateMeeting(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  v1::Meeting MustCreate(const v1::Meeting& draft) {
    v1::Meeting out;
    auto status = Create(draft, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Cancels `meeting` for `reason` as the secretary; must succeed.
  void Cancel(uint64_t meeting, const std::string& reason) {
    v1::CancelMeetingRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(meeting);
    r.set_reason(reason);
    v1::Meeting out;
    auto status = stub_->CancelMeeting(Ctx(secretary_).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::CheckInCode Code(uint64_t meeting, const std::string& token = "") {
    v1::GetCheckInCodeRequest r;
    r.set_meeting_id(meeting);
    v1::CheckInCode out;
    auto status = stub_->GetCheckInCode(Ctx(token.empty() ? secretary_ : token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // A check-in request at device time `at` (now when 0) with a fresh request id.
  static v1::CheckInRequest At(uint64_t meeting, int64_t at = 0) {
    v1::CheckInRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(meeting);
    *r.mutable_device_time() = Ts(at ? at : Now());
    return r;
  }
  static v1::CheckInRequest ByPlace(uint64_t meeting, double lat, double lon, int64_t at = 0) {
    auto r = At(meeting, at);
    r.mutable_location()->set_latitude(lat);
    r.mutable_location()->set_longitude(lon);
    r.mutable_location()->set_accuracy_m(12.5);
    return r;
  }
  static v1::CheckInRequest ByCode(uint64_t meeting, const std::string& code,
                                   int64_t captured = 0) {
    auto r = At(meeting);
    r.mutable_code()->set_code(code);
    *r.mutable_code()->mutable_captured_time() = Ts(captured ? captured : Now());
    return r;
  }
  static v1::CheckInRequest Remote(uint64_t meeting, v1::RemoteReason reason,
                                   const std::string& text = "") {
    auto r = At(meeting);
    r.mutable_remote()->set_reason(reason);
    r.mutable_remote()->set_text(text);
    return r;
  }
  grpc::Status CheckIn(const std::string& token, const v1::CheckInRequest& r,
                       v1::CheckInResponse* out) {
    return stub_->CheckIn(Ctx(token).get(), r, out);
  }

  // The host's marking of `person` (the secretary's unless `token`); must succeed.
  void Mark(uint64_t meeting, uint64_t person, v1::AttendanceStatus status,
            const std::string& token = "") {
    v1::MarkAttendanceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(meeting);
    r.set_person_id(person);
    r.set_status(status);
    v1::AttendanceRecord out;
    auto result = stub_->MarkAttendance(Ctx(token.empty() ? secretary_ : token).get(), r, &out);
    ASSERT_TRUE(result.ok()) << result.error_message();
  }

  v1::Roster Roster(uint64_t meeting, int page_size = 0, const std::string& token = "") {
    v1::GetRosterRequest r;
    r.set_meeting_id(meeting);
    r.set_page_size(page_size);
    v1::Roster out;
    auto status = stub_->GetRoster(Ctx(token.empty() ? secretary_ : token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  // The roster as ExportRoster streams it, chunks joined.
  std::string RosterCsv(uint64_t meeting, const std::string& token = "") {
    v1::ExportRosterRequest r;
    r.set_meeting_id(meeting);
    auto ctx = Ctx(token.empty() ? secretary_ : token);
    return Joined(*stub_->ExportRoster(ctx.get(), r));
  }
  // The report as ExportAttendanceReport streams it, chunks joined.
  std::string ReportCsv(const v1::ExportAttendanceReportRequest& r, const std::string& token = "") {
    auto ctx = Ctx(token.empty() ? secretary_ : token);
    return Joined(*stub_->ExportAttendanceReport(ctx.get(), r));
  }
  // The chunks of a CSV stream, joined; the stream must end OK.
  static std::string Joined(grpc::ClientReader<v1::CsvChunk>& reader) {
    std::string csv;
    v1::CsvChunk chunk;
    while (reader.Read(&chunk)) csv += chunk.data();
    auto status = reader.Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return csv;
  }
  static v1::AttendanceStatus StatusOf(const v1::Roster& roster, uint64_t person) {
    for (const auto& e : roster.entries()) {
      if (e.person_id() == person) return e.status();
    }
    return v1::ATTENDANCE_STATUS_UNSPECIFIED;
  }

  // The callers every attendance-area authorization matrix has, by row name (creates the
  // sibling branch's secretary); each matrix adds its own rows for the people of the branch.
  std::map<std::string, std::string> MatrixCallers() {
    server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);
    return {
        {"no token", ""},
        {"tampered", TestServer::TamperedToken(d1_)},
        {"expired", server_.ExpiredToken(d1_id_)},
        {"anonymous receipt holder", ""},  // no token: only receipt RPCs accept them
        {"other tenant admin", server_.ForeignTenantAdminToken()},
        {"secretary of branch", secretary_},
        {"secretary of sibling", server_.SignIn("sibling-secretary")},
        {"admin above", server_.AdminAboveToken(root_)},
        {"service with scope", server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ)},
        {"service without scope", server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_READ)},
    };
  }

  TestServer server_;
  std::string admin_;
  uint64_t root_ = 0, branch_ = 0, group_ = 0, sibling_ = 0;
  uint64_t secretary_id_ = 0, d1_id_ = 0, d2_id_ = 0, d3_id_ = 0, outsider_id_ = 0;
  std::string secretary_, d1_, d2_, d3_, outsider_;
  std::unique_ptr<v1::AttendanceService::Stub> stub_;
};

}  // namespace branchline::testing
