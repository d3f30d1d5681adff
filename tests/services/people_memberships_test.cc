// Memberships with dates (PersonService.ChangeMembership, ListMemberships): a transfer or a new
// development stage takes effect from a date, and the rosters, histories and reports of
// meetings before that date still count the person where they belonged then.
#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "branchline/v1/people.grpc.pb.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/error_details.h"

namespace branchline::testing {
namespace {

constexpr int32_t kOffset = 8 * 60;  // the fixture's organisations are UTC+8

class MembershipsTest : public AttendanceTest {
 protected:
  void SetUp() override {
    AttendanceTest::SetUp();
    people_ = v1::PersonService::NewStub(server_.channel());
    today_ = LocalDay(Now(), kOffset);
  }

  // A meeting held `days_ago` at 10:00 local time by `org` for its subtree.
  v1::Meeting HeldDaysAgo(int days_ago, uint64_t org, bool members_only = false) {
    auto draft = Draft(LocalDayStartMicros(today_ - days_ago, kOffset) + 10 * kHour);
    draft.set_organization_id(org);
    draft.mutable_audience()->set_organization_id(org);
    draft.mutable_audience()->set_members_only(members_only);
    v1::Meeting out;
    auto status = Create(draft, &out, admin_);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Change(const std::string& token, uint64_t person, uint64_t org, v1::Role role,
                      std::optional<int64_t> day, v1::Person* out,
                      std::string request_id = TestServer::RequestId()) {
    v1::ChangeMembershipRequest r;
    r.set_request_id(request_id);
    r.set_person_id(person);
    r.set_organization_id(org);
    r.set_role(role);
    if (day) *r.mutable_effective_date() = DateOfDay(*day);
    return people_->ChangeMembership(Ctx(token).get(), r, out);
  }
  v1::Person MustChange(uint64_t person, uint64_t org, v1::Role role, std::optional<int64_t> day) {
    v1::Person out;
    auto status = Change(admin_, person, org, role, day, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::set<uint64_t> RosterPeople(uint64_t meeting) {
    std::set<uint64_t> ids;
    auto roster = Roster(meeting, 0, admin_);
    for (const auto& e : roster.entries()) ids.insert(e.person_id());
    EXPECT_EQ(static_cast<int>(ids.size()), roster.counts().expected());
    return ids;
  }

  v1::ListMembershipsResponse Memberships(uint64_t person, const std::string& token,
                                          grpc::StatusCode expected = grpc::OK) {
    v1::ListMembershipsRequest r;
    r.set_person_id(person);
    v1::ListMembershipsResponse out;
    auto status = people_->ListMemberships(Ctx(token).get(), r, &out);
    EXPECT_EQ(status.error_code(), expected) << status.error_message();
    return out;
  }

  std::unique_ptr<v1::PersonService::Stub> people_;
  int64_t today_ = 0;
};

TEST_F(MembershipsTest, APersonMovedMidPeriodCountsWhereTheyBelongedOnEachDate) {
  const auto branch_old = HeldDaysAgo(30, branch_);
  const auto branch_recent = HeldDaysAgo(3, branch_);
  const auto sibling_old = HeldDaysAgo(30, sibling_);
  const auto sibling_recent = HeldDaysAgo(3, sibling_);
  Mark(branch_old.id(), d1_id_, v1::ATTENDANCE_STATUS_PRESENT);

  // Transferred to the sibling branch ten days ago, recorded today (a late 组织关系转接).
  const auto moved = MustChange(d1_id_, sibling_, v1::ROLE_UNSPECIFIED, today_ - 10);
  EXPECT_EQ(moved.organization_id(), sibling_);
  EXPECT_EQ(moved.role(), v1::ROLE_FULL_MEMBER);  // kept
  EXPECT_EQ(moved.membership_since().SerializeAsString(),
            DateOfDay(today_ - 10).SerializeAsString());

  const std::set<uint64_t> branch_before = {secretary_id_, d1_id_, d2_id_, d3_id_};
  const std::set<uint64_t> branch_after = {secretary_id_, d2_id_, d3_id_};
  EXPECT_EQ(RosterPeople(branch_old.id()), branch_before);
  EXPECT_EQ(RosterPeople(branch_recent.id()), branch_after);
  EXPECT_EQ(RosterPeople(sibling_old.id()), std::set<uint64_t>{outsider_id_});
  EXPECT_EQ(RosterPeople(sibling_recent.id()), (std::set<uint64_t>{outsider_id_, d1_id_}));
  const auto old_roster = Roster(branch_old.id(), 0, admin_);
  for (const auto& e : old_roster.entries()) {
    if (e.person_id() != d1_id_) continue;
    EXPECT_EQ(e.status(), v1::ATTENDANCE_STATUS_PRESENT);
    EXPECT_EQ(e.organization_id(), group_) << "where they were on the meeting's date";
  }

  // The person's history: the old branch's meeting while they were there, the new one's since.
  v1::GetAttendanceHistoryRequest h;
  h.set_person_id(d1_id_);
  *h.mutable_start_time_from() = Ts(Now() - 60 * 24 * kHour);
  *h.mutable_start_time_to() = Ts(Now());
  v1::AttendanceHistory history;
  ASSERT_TRUE(stub_->GetAttendanceHistory(Ctx(admin_).get(), h, &history).ok());
  ASSERT_EQ(history.entries_size(), 2);
  EXPECT_EQ(history.entries(0).meeting().id(), branch_old.id());
  EXPECT_EQ(history.entries(0).status(), v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(history.entries(1).meeting().id(), sibling_recent.id());
  EXPECT_EQ(history.entries(1).status(), v1::ATTENDANCE_STATUS_ABSENT);
  EXPECT_DOUBLE_EQ(history.rates().attendance_rate(), 0.5);

  // Both branches' reports over the period: 4 + 3 expected in the old, 1 + 2 in the new.
  auto report_of = [&](uint64_t org) {
    v1::GetAttendanceReportRequest r;
    r.set_organization_id(org);
    *r.mutable_start_time_from() = Ts(Now() - 60 * 24 * kHour);
    *r.mutable_start_time_to() = Ts(Now());
    v1::AttendanceReport report;
    auto status = stub_->GetAttendanceReport(Ctx(admin_).get(), r, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  };
  const auto branch_report = report_of(branch_);
  EXPECT_EQ(branch_report.meetings(), 2);
  EXPECT_EQ(branch_report.total().counts().expected(), 7);
  EXPECT_EQ(branch_report.total().counts().present(), 1);
  for (const auto& team : branch_report.by_team()) {
    // The group had three drivers 30 days ago and two since: 3 + 2 expected.
    if (team.organization_id() == group_) {
      EXPECT_EQ(team.rates().counts().expected(), 5);
    }
  }
  const auto sibling_report = report_of(sibling_);
  EXPECT_EQ(sibling_report.total().counts().expected(), 3);

  // The history says where they were.
  const auto list = Memberships(d1_id_, d1_);  // oneself
  ASSERT_EQ(list.memberships_size(), 2);
  EXPECT_EQ(list.memberships(0).organization_id(), sibling_);
  EXPECT_FALSE(list.memberships(0).has_to_date());
  EXPECT_EQ(list.memberships(0).organization_name(), "收费站党支部");
  EXPECT_EQ(list.memberships(1).organization_id(), group_);
  EXPECT_FALSE(list.memberships(1).has_from_date()) << "created without a first day";
  EXPECT_EQ(list.memberships(1).to_date().SerializeAsString(),
            DateOfDay(today_ - 11).SerializeAsString());
  EXPECT_EQ(list.memberships(1).end_reason(), "transferred");
}

TEST_F(MembershipsTest, AStageWithADateDecidesMembersOnlyMeetings) {
  const auto before = HeldDaysAgo(20, branch_, /*members_only=*/true);
  const auto after = HeldDaysAgo(5, branch_, /*members_only=*/true);
  EXPECT_EQ(RosterPeople(before.id()).count(d3_id_), 0u);  // an employee
  // Admitted as a probationary member (预备党员) 15 days ago.
  const auto admitted = MustChange(d3_id_, 0, v1::ROLE_PROBATIONARY_MEMBER, today_ - 15);
  EXPECT_EQ(admitted.organization_id(), group_);
  EXPECT_EQ(RosterPeople(before.id()).count(d3_id_), 0u);
  EXPECT_EQ(RosterPeople(after.id()).count(d3_id_), 1u);
  // A second change on the same day replaces the first: no membership of no days is kept.
  MustChange(d3_id_, 0, v1::ROLE_FULL_MEMBER, today_ - 15);
  const auto list = Memberships(d3_id_, admin_);
  ASSERT_EQ(list.memberships_size(), 2);
  EXPECT_EQ(list.memberships(0).role(), v1::ROLE_FULL_MEMBER);
  EXPECT_EQ(list.memberships(1).role(), v1::ROLE_EMPLOYEE);
  EXPECT_EQ(list.memberships(1).end_reason(), "role changed");
  // UpdatePerson's role change takes effect today the same way: the stage before stays.
  v1::UpdatePersonRequest u;
  u.set_request_id(TestServer::RequestId());
  u.mutable_person()->set_id(d3_id_);
  u.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
  u.mutable_update_mask()->add_paths("role");
  v1::Person updated;
  ASSERT_TRUE(people_->UpdatePerson(Ctx(admin_).get(), u, &updated).ok());
  EXPECT_EQ(updated.membership_since().SerializeAsString(), DateOfDay(today_).SerializeAsString());
  EXPECT_EQ(RosterPeople(after.id()).count(d3_id_), 1u) << "a full member five days ago";
  EXPECT_EQ(Memberships(d3_id_, admin_).memberships_size(), 3);
}

TEST_F(MembershipsTest, DeactivationEndsTheMembershipButKeepsThePast) {
  const auto past = HeldDaysAgo(7, branch_);
  v1::DeactivatePersonRequest r;
  r.set_request_id(TestServer::RequestId());
  r.set_id(d2_id_);
  v1::Person out;
  ASSERT_TRUE(people_->DeactivatePerson(Ctx(admin_).get(), r, &out).ok());
  EXPECT_EQ(RosterPeople(past.id()).count(d2_id_), 1u) << "they belonged a week ago";
  v1::Meeting upcoming;
  ASSERT_TRUE(Create(Draft(Now() + 2 * kHour), &upcoming, admin_).ok());
  EXPECT_EQ(RosterPeople(upcoming.id()).count(d2_id_), 0u);
  const auto list = Memberships(d2_id_, admin_);
  ASSERT_EQ(list.memberships_size(), 1) << "no current membership once deactivated";
  EXPECT_EQ(list.memberships(0).end_reason(), "deactivated");
  const auto refused = Change(admin_, d2_id_, sibling_, v1::ROLE_UNSPECIFIED, today_ - 1, &out);
  EXPECT_EQ(refused.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(refused).reason, "PERSON_INACTIVE");
}

TEST_F(MembershipsTest, BadDatesAndEmptyChangesAreRefusedNamingTheField) {
  v1::Person out;
  auto future = Change(admin_, d1_id_, sibling_, v1::ROLE_UNSPECIFIED, today_ + 1, &out);
  EXPECT_EQ(future.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(future), "effective_date");

  v1::ChangeMembershipRequest r;
  r.set_request_id(TestServer::RequestId());
  r.set_person_id(d1_id_);
  r.set_organization_id(sibling_);
  r.mutable_effective_date()->set_year(2026);
  r.mutable_effective_date()->set_month(2);
  r.mutable_effective_date()->set_day(30);
  auto not_a_date = people_->ChangeMembership(Ctx(admin_).get(), r, &out);
  EXPECT_EQ(not_a_date.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(not_a_date), "effective_date");

  auto nothing = Change(admin_, d1_id_, 0, v1::ROLE_UNSPECIFIED, today_, &out);
  EXPECT_EQ(nothing.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(nothing), "organization_id");
  auto same = Change(admin_, d1_id_, group_, v1::ROLE_UNSPECIFIED, today_, &out);
  EXPECT_EQ(same.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(same), "organization_id");
  auto no_person = Change(admin_, 0, sibling_, v1::ROLE_UNSPECIFIED, today_, &out);
  EXPECT_EQ(ViolationField(no_person), "person_id");
  auto unknown_org = Change(admin_, d1_id_, sibling_ + 999, v1::ROLE_UNSPECIFIED, today_, &out);
  EXPECT_EQ(unknown_org.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(unknown_org), "organization_id");

  // Moved five days ago: a date before that would rewrite the current membership.
  MustChange(d1_id_, sibling_, v1::ROLE_UNSPECIFIED, today_ - 5);
  auto earlier = Change(admin_, d1_id_, branch_, v1::ROLE_UNSPECIFIED, today_ - 6, &out);
  EXPECT_EQ(earlier.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(earlier).reason, "MEMBERSHIP_DATE_BEFORE_CURRENT");
  EXPECT_EQ(ViolationField(earlier), "effective_date");
  EXPECT_EQ(Memberships(d1_id_, admin_).memberships_size(), 2) << "nothing half-written";

  auto bad_create = server_.NewPersonRequest(branch_, v1::ROLE_FULL_MEMBER);
  *bad_create.mutable_person()->mutable_membership_since() = DateOfDay(today_ + 3);
  auto created = people_->CreatePerson(Ctx(admin_).get(), bad_create, &out);
  EXPECT_EQ(created.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(created), "person.membership_since");
}

TEST_F(MembershipsTest, APersonCreatedWithAFirstDayIsNotOnEarlierRosters) {
  const auto early = HeldDaysAgo(40, branch_);
  const auto later = HeldDaysAgo(2, branch_);
  auto request = server_.NewPersonRequest(branch_, v1::ROLE_FULL_MEMBER);
  *request.mutable_person()->mutable_membership_since() = DateOfDay(today_ - 20);
  v1::Person joined;
  ASSERT_TRUE(people_->CreatePerson(Ctx(admin_).get(), request, &joined).ok());
  EXPECT_EQ(RosterPeople(early.id()).count(joined.id()), 0u);
  EXPECT_EQ(RosterPeople(later.id()).count(joined.id()), 1u);
  const auto list = Memberships(joined.id(), admin_);
  ASSERT_EQ(list.memberships_size(), 1);
  EXPECT_EQ(list.memberships(0).from_date().SerializeAsString(),
            DateOfDay(today_ - 20).SerializeAsString());
}

TEST_F(MembershipsTest, NobodyMovesPeopleTheyDoNotManageOrUpward) {
  v1::Person out;
  // A member moves nobody, not even themselves.
  EXPECT_EQ(Change(d2_, d3_id_, sibling_, v1::ROLE_UNSPECIFIED, std::nullopt, &out).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(Change(d2_, d2_id_, 0, v1::ROLE_SECRETARY, std::nullopt, &out).error_code(),
            grpc::PERMISSION_DENIED);
  // The branch's secretary does not manage the sibling branch: no transfer into it.
  EXPECT_EQ(
      Change(secretary_, d2_id_, sibling_, v1::ROLE_UNSPECIFIED, std::nullopt, &out).error_code(),
      grpc::PERMISSION_DENIED);
  // The sibling's secretary may not pull people out of a branch they do not manage.
  server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);
  const auto sibling_secretary = server_.SignIn("sibling-secretary");
  EXPECT_EQ(Change(sibling_secretary, d2_id_, sibling_, v1::ROLE_UNSPECIFIED, std::nullopt, &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
  // An integration with people-write rights cannot mint a secretary.
  const auto service = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_WRITE);
  EXPECT_EQ(Change(service, d3_id_, 0, v1::ROLE_SECRETARY, std::nullopt, &out).error_code(),
            grpc::PERMISSION_DENIED);
  // ... but records a new stage of a member within its subtree.
  ASSERT_TRUE(Change(service, d3_id_, 0, v1::ROLE_ACTIVIST, today_ - 1, &out).ok());
  EXPECT_EQ(out.role(), v1::ROLE_ACTIVIST);
  // The branch's secretary moves a driver within the branch.
  ASSERT_TRUE(Change(secretary_, d2_id_, branch_, v1::ROLE_UNSPECIFIED, std::nullopt, &out).ok());
  EXPECT_EQ(out.organization_id(), branch_);

  // Reading a history: oneself and whoever may read the person, nobody else.
  Memberships(d2_id_, d2_);
  Memberships(d2_id_, secretary_);
  Memberships(d2_id_, d3_, grpc::PERMISSION_DENIED);
  Memberships(d2_id_, outsider_, grpc::PERMISSION_DENIED);
  Memberships(d2_id_, server_.ForeignTenantAdminToken(), grpc::NOT_FOUND);
  Memberships(d2_id_, "", grpc::UNAUTHENTICATED);
}

TEST_F(MembershipsTest, ARetriedChangeAnswersTheFirstAndWritesNothingAgain) {
  v1::Person first, again;
  const std::string id = "transfer-d1-once";
  ASSERT_TRUE(Change(admin_, d1_id_, sibling_, v1::ROLE_UNSPECIFIED, today_ - 4, &first, id).ok());
  ASSERT_TRUE(Change(admin_, d1_id_, sibling_, v1::ROLE_UNSPECIFIED, today_ - 4, &again, id).ok());
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(Memberships(d1_id_, admin_).memberships_size(), 2);
  v1::Person other;
  EXPECT_EQ(Change(admin_, d1_id_, branch_, v1::ROLE_UNSPECIFIED, today_, &other, id).error_code(),
            grpc::ALREADY_EXISTS);
}

// The cost of dates: a roster of 2,000 people before and after a quarter of them moved out
// (each leaving an ended membership the roster of an earlier day reads). Printed for the
// notes; the bound only catches a roster that reads every person or every membership ever.
TEST_F(MembershipsTest, ARosterAfterManyTransfersStaysCheap) {
  constexpr int kPeople = 2000, kMoved = 500;
  std::vector<uint64_t> ids;
  for (int batch = 0; batch < kPeople / 1000; ++batch) {
    v1::ImportPeopleRequest r;
    r.set_request_id(TestServer::RequestId());
    for (int i = 0; i < 1000; ++i) {
      auto* p = r.add_rows()->mutable_person();
      p->set_organization_id(group_);
      p->set_display_name("司机" + std::to_string(batch * 1000 + i));
      p->set_employee_number("m-" + std::to_string(batch * 1000 + i));
      p->set_role(v1::ROLE_FULL_MEMBER);
    }
    v1::ImportPeopleResponse out;
    ASSERT_TRUE(people_->ImportPeople(Ctx(admin_).get(), r, &out).ok());
    for (const auto& row : out.results()) ids.push_back(row.person_id());
  }
  const auto meeting = HeldDaysAgo(10, branch_);
  auto median_ms = [&] {
    std::vector<double> ms;
    for (int i = 0; i < 7; ++i) {
      const int64_t start = Now();
      EXPECT_EQ(Roster(meeting.id(), 1000, admin_).counts().expected(), kPeople + 4);
      ms.push_back((Now() - start) / 1000.0);
    }
    std::sort(ms.begin(), ms.end());
    return ms[3];
  };
  const double before = median_ms();
  for (int i = 0; i < kMoved; ++i) MustChange(ids[i], sibling_, v1::ROLE_UNSPECIFIED, today_ - 5);
  const double after = median_ms();
  std::printf("roster of %d (page of 1000): %.2f ms; after %d transfers dated after it: %.2f ms\n",
              kPeople + 4, before, kMoved, after);
  EXPECT_LT(after, 3 * before + 20);
  EXPECT_EQ(Roster(HeldDaysAgo(2, branch_).id(), 0, admin_).counts().expected(),
            kPeople + 4 - kMoved);
}

}  // namespace
}  // namespace branchline::testing
