// Long scans stop when their call is cancelled or past its deadline: the change catch-up
// (ListChanges) and the integration feed (ListFeed), paged lists, the attendance report over
// a period, the roster CSV export. One data set (600 people, a meeting with 300 marked
// attendances, ~900 changes) is made through the server; each scan then runs over the same
// database with a probe that says "cancelled" when first asked. Work is measured in
// CancellationCheckpoint() steps, not wall-clock time: a cancelled scan does exactly one
// stride of steps (gRPC is first asked at step kCancellationStride), the same scan
// uncancelled does far more.
#include <gtest/gtest.h>

#include <cstdio>

#include "branchline/v1/attendance.grpc.pb.h"
#include "services/attendance/attendance_reports.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/authenticator.h"
#include "services/auth/password_hasher.h"
#include "services/auth/token_signer.h"
#include "services/common/call_cancellation.h"
#include "services/common/clock.h"
#include "services/common/paging.h"
#include "services/people/people_directory.h"
#include "services/sync/change_reader.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

constexpr int kPeople = 600;
constexpr int kMarked = 300;
constexpr int64_t kHour = 3'600'000'000LL;

// What a scan did, uncancelled or under a probe that cancels when first asked.
struct Outcome {
  absl::Status status;
  uint64_t steps = 0;
};

class ScanCancellationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::TestServer();
    const std::string admin = server_->AdminToken();
    root_ = server_->RootOrgId();
    branch_ = server_->CreateOrg(admin, root_, "第三车队党支部").id();
    quiet_ = server_->CreateOrg(admin, root_, "没有变化的支部").id();
    v1::ImportPeopleRequest import;
    import.set_request_id(testing::TestServer::RequestId());
    for (int i = 0; i < kPeople; ++i) {
      auto* person = import.add_rows()->mutable_person();
      person->set_organization_id(branch_);
      person->set_display_name("司机" + std::to_string(i));
      person->set_employee_number("d" + std::to_string(i));
      person->set_role(v1::ROLE_EMPLOYEE);
    }
    v1::ImportPeopleResponse imported;
    ASSERT_TRUE(server_->people()
                    .ImportPeople(testing::TestServer::Ctx(admin).get(), import, &imported)
                    .ok());
    ASSERT_EQ(imported.created_count(), kPeople);

    auto attendance = v1::AttendanceService::NewStub(server_->channel());
    const int64_t now = SystemClock().NowMicros();
    v1::CreateMeetingRequest create;
    create.set_request_id(testing::TestServer::RequestId());
    auto* m = create.mutable_meeting();
    m->set_organization_id(branch_);
    m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
    m->set_title("安全例会");
    *m->mutable_start_time() = ToTimestamp(now - kHour);
    *m->mutable_end_time() = ToTimestamp(now + kHour);
    v1::Meeting meeting;
    auto created =
        attendance->CreateMeeting(testing::TestServer::Ctx(admin).get(), create, &meeting);
    ASSERT_TRUE(created.ok()) << created.error_message();
    meeting_ = meeting.id();
    for (int i = 0; i < kMarked; ++i) {
      v1::MarkAttendanceRequest mark;
      mark.set_request_id(testing::TestServer::RequestId());
      mark.set_meeting_id(meeting_);
      mark.set_person_id(imported.results(i).person_id());
      mark.set_status(v1::ATTENDANCE_STATUS_PRESENT);
      v1::AttendanceRecord record;
      auto marked =
          attendance->MarkAttendance(testing::TestServer::Ctx(admin).get(), mark, &record);
      ASSERT_TRUE(marked.ok()) << marked.error_message();
    }
    member_ = imported.results(0).person_id();
    admin_token_ = admin;
    server_->Stop();

    auto store = storage::Store::Open(server_->StoredDataOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = store->release();
  }

  static void TearDownTestSuite() {
    delete store_;
    delete server_;
  }

  void SetUp() override {
    ASSERT_NE(store_, nullptr) << "the data set was not made";
    access_ = std::make_unique<Access>(*store_);
    people_ = std::make_unique<PeopleDirectory>(*store_, *access_, hasher_, clock_);
    meetings_ = std::make_unique<Meetings>(*store_, *access_, *people_, clock_);
    reports_ = std::make_unique<AttendanceReports>(*store_, *access_, *people_, *meetings_, clock_);
    auto key = TokenSigner::LoadOrCreateKey(server_->dir().Sub("data/token.key"));
    ASSERT_TRUE(key.ok()) << key.status();
    TokenSigner signer(std::move(*key));
    auto caller = Authenticator(*store_, signer, clock_).Authenticate("Bearer " + admin_token_);
    ASSERT_TRUE(caller.ok()) << caller.status();
    admin_ = *caller;
  }

  // Runs `scan` with no cancellation, then under a probe that cancels when first asked.
  template <typename Scan>
  static std::pair<Outcome, Outcome> RunBoth(Scan&& scan) {
    Outcome full, cancelled;
    {
      CallCancellationScope never([] { return false; });
      full.status = scan();
      full.steps = CancellationSteps();
    }
    CallCancellationScope cancelled_when_asked([] { return true; });
    cancelled.status = scan();
    cancelled.steps = CancellationSteps();
    return {full, cancelled};
  }

  static void ExpectStoppedAfterOneStride(const std::pair<Outcome, Outcome>& runs,
                                          uint64_t full_at_least) {
    const auto& [full, cancelled] = runs;
    std::printf("uncancelled: %llu steps; cancelled when first asked: %llu steps\n",
                static_cast<unsigned long long>(full.steps),
                static_cast<unsigned long long>(cancelled.steps));
    EXPECT_TRUE(full.status.ok()) << full.status;
    EXPECT_GE(full.steps, full_at_least) << "the data set is not big enough to show anything";
    EXPECT_EQ(cancelled.status.code(), absl::StatusCode::kCancelled) << cancelled.status;
    EXPECT_EQ(cancelled.steps, kCancellationStride)
        << "the scan went on after its call was cancelled";
  }

  v1::GetAttendanceReportRequest ReportOfToday() const {
    v1::GetAttendanceReportRequest r;
    r.set_organization_id(branch_);
    *r.mutable_start_time_from() = ToTimestamp(clock_.NowMicros() - 24 * kHour);
    *r.mutable_start_time_to() = ToTimestamp(clock_.NowMicros() + 24 * kHour);
    return r;
  }

  static testing::TestServer* server_;
  static storage::Store* store_;
  static uint64_t root_, branch_, quiet_, meeting_, member_;
  static std::string admin_token_;

  SystemClock clock_;
  PasswordHasher hasher_{PasswordHasher::Strength::kFastForTests};
  std::unique_ptr<Access> access_;
  std::unique_ptr<PeopleDirectory> people_;
  std::unique_ptr<Meetings> meetings_;
  std::unique_ptr<AttendanceReports> reports_;
  Caller admin_;
};

testing::TestServer* ScanCancellationTest::server_ = nullptr;
storage::Store* ScanCancellationTest::store_ = nullptr;
uint64_t ScanCancellationTest::root_ = 0, ScanCancellationTest::branch_ = 0,
         ScanCancellationTest::quiet_ = 0, ScanCancellationTest::meeting_ = 0,
         ScanCancellationTest::member_ = 0;
std::string ScanCancellationTest::admin_token_;

// ListFeed (over an organisation with no changes of its own it reads the tenant's whole log)
// stops when cancelled. A member's catch-up (ListChanges) has no long scan left to stop: it
// reads its organisations' members' index, which holds none of the 600 people's and 300
// check-ins' changes (before that index it stepped over all of them, ~900 steps).
TEST_F(ScanCancellationTest, ChangeLogScansStop) {
  ChangeReader reader(*store_);
  {
    SCOPED_TRACE("ListChanges catch-up");
    CallCancellationScope never([] { return false; });
    auto page = reader.ForPerson(member_, {root_, branch_}, true, 0, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    std::printf("member catch-up: %zu changes in %llu steps\n", page->changes.size(),
                static_cast<unsigned long long>(CancellationSteps()));
    EXPECT_LE(CancellationSteps(), 2 * page->changes.size() + 2)
        << "the pull stepped over changes members never see";
  }
  v1::Organization quiet;
  ASSERT_TRUE(*store_->GetMessage(storage::Cf::kOrganizations, storage::RecordKey(quiet_), &quiet));
  SCOPED_TRACE("ListFeed");
  ExpectStoppedAfterOneStride(RunBoth([&] { return reader.ForSubtree(quiet, 0, 1000).status(); }),
                              kPeople + kMarked);
}

// Paged lists whose filter skips most entries (they scan far beyond one page), the attendance
// report over a period (GetAttendanceReport and its CSV export: meetings, then each meeting's
// attendance) and the roster export (the attendance, then the audience).
TEST_F(ScanCancellationTest, ListsReportsAndExportsStop) {
  {
    SCOPED_TRACE("a filtered page");
    ExpectStoppedAfterOneStride(
        RunBoth([&] {
          return ScanPage(*store_, storage::Cf::kIndex, storage::PersonByOrgPrefix(branch_), "", 10,
                          [](std::string_view, std::string_view) -> absl::StatusOr<bool> {
                            return false;  // a filter nobody passes
                          })
              .status();
        }),
        kPeople);
  }
  {
    SCOPED_TRACE("attendance report");
    ExpectStoppedAfterOneStride(
        RunBoth([&] { return reports_->Report(admin_, ReportOfToday()).status(); }), kMarked);
  }
  v1::ExportRosterRequest request;
  request.set_meeting_id(meeting_);
  SCOPED_TRACE("roster export");
  ExpectStoppedAfterOneStride(
      RunBoth([&] { return reports_->RosterCsv(admin_, request).status(); }), kPeople + kMarked);
}

// Past its deadline the same stop says DEADLINE_EXCEEDED, when first asked.
TEST_F(ScanCancellationTest, APastDeadlineStopsWithDeadlineExceeded) {
  CallCancellationScope expired([] { return true; },
                                std::chrono::system_clock::now() - std::chrono::seconds(1));
  absl::Status status = reports_->Report(admin_, ReportOfToday()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(CancellationSteps(), kCancellationStride);
}

}  // namespace
}  // namespace branchline
