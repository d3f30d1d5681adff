#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "services/common/clock.h"
#include "services/common/local_day.h"
#include "services/org/org_tree.h"
#include "services/people/people_directory.h"
#include "services/study/quizzes.h"
#include "services/study/study_catalog.h"
#include "services/study/study_journal.h"
#include "services/study/study_reports.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_domain.h"

namespace branchline::testing {

inline constexpr int32_t kStudyOffset = 480;  // UTC+8
inline constexpr int kStudyYear = 2025;
inline constexpr int64_t kMinute = 60'000'000LL;

// The study domain classes over a real store with a FakeClock, for what the server's system
// clock cannot show: a whole year, the 24-hour grace period, quiz deadlines. Tree:
//   root (UTC+8) ── branch ── team 0, team 1; people alternate between the teams.
// The clock starts at 08:00 local on 1 January of kStudyYear.
class StudyDomainFixture : public ::testing::Test {
 protected:
  explicit StudyDomainFixture(int people) : people_count_(people) {}

  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;  // many commits; durability is tested elsewhere
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    domain_ = std::make_unique<TestDomain>(*store_, clock_);
    people_ = &(*domain_)->people;
    orgs_ = &(*domain_)->orgs;
    data_ = &(*domain_)->study_data;
    catalog_ = &(*domain_)->study_catalog;
    journal_ = &(*domain_)->study_journal;
    reports_ = &(*domain_)->study_reports;
    quizzes_ = &(*domain_)->quizzes;

    Mutation m(*store_);
    v1::Organization root;
    root.set_name("集团");
    root.set_kind(v1::ORGANIZATION_KIND_COMPANY);
    root.set_utc_offset_minutes(kStudyOffset);
    auto staged = orgs_->StageTenantRoot(m, root);
    ASSERT_TRUE(staged.ok());
    ASSERT_TRUE(CommitMutation(m).ok());
    admin_.system_admin = true;
    admin_.tenant = staged->tenant_id();
    branch_ = CreateOrg(staged->id(), "运输公司党支部");
    teams_[0] = CreateOrg(branch_, "一队");
    teams_[1] = CreateOrg(branch_, "二队");
    for (int i = 0; i < people_count_; ++i) {
      v1::CreatePersonRequest r;
      r.set_request_id("p" + std::to_string(i));
      r.mutable_person()->set_organization_id(teams_[i % 2]);
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
  }

  uint64_t CreateOrg(uint64_t parent, const std::string& name) {
    v1::CreateOrganizationRequest r;
    r.set_request_id("org-" + std::to_string(++orgs_created_));
    r.mutable_organization()->set_parent_id(parent);
    r.mutable_organization()->set_name(name);
    r.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
    auto org = orgs_->Create(admin_, r);
    EXPECT_TRUE(org.ok()) << org.status();
    return org.ok() ? org->id() : 0;
  }

  testing::TempDir dir_;
  FakeClock clock_{LocalDayStartMicros(CivilToDay(kStudyYear, 1, 1), kStudyOffset) +
                   8 * 60 * kMinute};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<TestDomain> domain_;  // the objects below are its
  PeopleDirectory* people_ = nullptr;
  OrgTree* orgs_ = nullptr;
  StudyData* data_ = nullptr;
  StudyCatalog* catalog_ = nullptr;
  StudyJournal* journal_ = nullptr;
  StudyReports* reports_ = nullptr;
  Quizzes* quizzes_ = nullptr;
  Caller admin_;
  uint64_t branch_ = 0;
  uint64_t teams_[2] = {0, 0};
  int people_count_;
  std::vector<Caller> callers_;
  int orgs_created_ = 0;
};

}  // namespace branchline::testing
