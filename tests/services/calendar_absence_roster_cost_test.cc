// What absences cost a roster: a 1,000-person meeting's roster (one page of 1,000) without
// absences, with 100 and with 1,000 approved absences on its date, over the domain classes
// and a real store (tests/services/study_domain_fixture.h style; no server, so the numbers are
// the roster's own work). Prints the medians; asserts only what the roster says.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <vector>

#include "services/attendance/attendance_reports.h"
#include "services/attendance/meetings.h"
#include "services/calendar/absences.h"
#include "services/common/clock.h"
#include "services/common/local_day.h"
#include "services/common/mutation.h"
#include "services/org/org_tree.h"
#include "services/people/people_directory.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_domain.h"

namespace branchline::testing {
namespace {

constexpr int32_t kOffset = 480;
constexpr int64_t kMinute = 60'000'000LL;
constexpr int kPeople = 1000;

class AbsenceRosterCost : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    domain_ = std::make_unique<TestDomain>(*store_, clock_);
    people_ = &(*domain_)->people;
    orgs_ = &(*domain_)->orgs;
    meetings_ = &(*domain_)->meetings;
    reports_ = &(*domain_)->attendance_reports;
    absences_ = &(*domain_)->absences;
    Mutation m(*store_);
    v1::Organization root;
    root.set_name("集团");
    root.set_kind(v1::ORGANIZATION_KIND_COMPANY);
    root.set_utc_offset_minutes(kOffset);
    auto staged = orgs_->StageTenantRoot(m, root);
    ASSERT_TRUE(staged.ok());
    ASSERT_TRUE(CommitMutation(m).ok());
    admin_.system_admin = true;
    admin_.tenant = staged->tenant_id();
    v1::CreateOrganizationRequest org;
    org.set_request_id("branch");
    org.mutable_organization()->set_parent_id(staged->id());
    org.mutable_organization()->set_name("运输公司党支部");
    org.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
    auto branch = orgs_->Create(admin_, org);
    ASSERT_TRUE(branch.ok()) << branch.status();
    branch_ = branch->id();
    for (int i = 0; i < kPeople; ++i) {
      v1::CreatePersonRequest r;
      r.set_request_id("p" + std::to_string(i));
      r.mutable_person()->set_organization_id(branch_);
      r.mutable_person()->set_display_name("司机" + std::to_string(i));
      r.mutable_person()->set_employee_number("e" + std::to_string(i));
      r.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
      auto p = people_->Create(admin_, r);
      ASSERT_TRUE(p.ok()) << p.status();
      Caller c;
      c.person_id = p->id();
      c.tenant = admin_.tenant;
      c.organization_id = p->organization_id();
      c.role = v1::ROLE_FULL_MEMBER;
      callers_.push_back(c);
    }
    v1::CreateMeetingRequest create;
    create.set_request_id("meeting");
    auto* meeting = create.mutable_meeting();
    meeting->set_organization_id(branch_);
    meeting->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
    meeting->set_title("周一安全例会");
    meeting->set_host_id(callers_[0].person_id);
    *meeting->mutable_start_time() = ToTimestamp(clock_.NowMicros() + 60 * kMinute);
    *meeting->mutable_end_time() = ToTimestamp(clock_.NowMicros() + 120 * kMinute);
    auto made = meetings_->Create(admin_, create);
    ASSERT_TRUE(made.ok()) << made.status();
    meeting_ = made->id();
  }

  // Approves a week's duty run, today included, for people [from, to).
  void Approve(int from, int to) {
    for (int i = from; i < to; ++i) {
      v1::RequestAbsenceRequest r;
      r.set_request_id("a" + std::to_string(i));
      r.set_type(v1::ABSENCE_TYPE_DUTY_RUN);
      r.mutable_from_date()->set_year(2025);
      r.mutable_from_date()->set_month(1);
      r.mutable_from_date()->set_day(1);
      r.mutable_to_date()->set_year(2025);
      r.mutable_to_date()->set_month(1);
      r.mutable_to_date()->set_day(7);
      r.set_reason("出车");
      auto asked = absences_->Request(callers_[i], r);
      ASSERT_TRUE(asked.ok()) << asked.status();
      v1::DecideAbsenceRequest d;
      d.set_request_id("d" + std::to_string(i));
      d.set_id(asked->id());
      d.set_approve(true);
      ASSERT_TRUE(absences_->Decide(admin_, d).ok());
    }
  }

  // The median time of a 1,000-entry roster page, and the roster.
  double MedianRosterMs(v1::Roster* roster) {
    v1::GetRosterRequest r;
    r.set_meeting_id(meeting_);
    r.set_page_size(1000);
    std::vector<double> ms;
    for (int run = 0; run < 15; ++run) {
      auto start = std::chrono::steady_clock::now();
      auto answer = reports_->Roster(admin_, r);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      EXPECT_TRUE(answer.ok()) << answer.status();
      if (answer.ok()) *roster = *std::move(answer);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  }

  testing::TempDir dir_;
  FakeClock clock_{LocalDayStartMicros(CivilToDay(2025, 1, 1), kOffset) + 8 * 60 * kMinute};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<TestDomain> domain_;  // the objects below are its
  PeopleDirectory* people_ = nullptr;
  OrgTree* orgs_ = nullptr;
  Meetings* meetings_ = nullptr;
  AttendanceReports* reports_ = nullptr;
  Absences* absences_ = nullptr;
  Caller admin_;
  uint64_t branch_ = 0, meeting_ = 0;
  std::vector<Caller> callers_;
};

TEST_F(AbsenceRosterCost, ARosterOfAThousandWithAndWithoutAbsences) {
  v1::Roster roster;
  const double none = MedianRosterMs(&roster);
  EXPECT_EQ(roster.counts().expected(), kPeople);
  EXPECT_EQ(roster.counts().excused(), 0);
  Approve(0, 100);
  const double hundred = MedianRosterMs(&roster);
  EXPECT_EQ(roster.counts().excused(), 100);
  Approve(100, kPeople);
  const double thousand = MedianRosterMs(&roster);
  EXPECT_EQ(roster.counts().excused(), kPeople);
  EXPECT_EQ(roster.entries(0).absence_label(), "出车 01-01 至 01-07");
  std::cout << "roster of " << kPeople << " (one page of 1000), median of 15: no absences " << none
            << " ms, 100 approved absences " << hundred << " ms, 1000 approved absences "
            << thousand << " ms\n";
  RecordProperty("roster_ms_no_absences", std::to_string(none));
  RecordProperty("roster_ms_100_absences", std::to_string(hundred));
  RecordProperty("roster_ms_1000_absences", std::to_string(thousand));
}

}  // namespace
}  // namespace branchline::testing
