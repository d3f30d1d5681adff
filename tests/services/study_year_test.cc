// A year of generated study for 200 people, recorded through the domain classes with a fake
// clock moving day by day (the server's device-time rules only accept the last week, so a
// whole year needs a clock we control), checked against progress, report and leaderboard
// figures computed independently here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "services/auth/password_hasher.h"
#include "services/common/clock.h"
#include "services/common/local_day.h"
#include "services/org/org_tree.h"
#include "services/people/people_directory.h"
#include "services/study/study_catalog.h"
#include "services/study/study_journal.h"
#include "services/study/study_reports.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

constexpr int32_t kOffset = 480;
constexpr int kPeople = 200;
constexpr int kYear = 2025;
constexpr int64_t kMinute = 60'000'000LL;

// Code points counted the simple way: every byte that is not a continuation byte.
int64_t CountChars(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

struct Expected {
  std::map<int64_t, int64_t> minutes;  // per local day
  std::map<int64_t, int64_t> notes;    // per local day
  int64_t item_a = 0, item_a_by_due = 0, item_b = 0, total = 0, notes_total = 0;
};

class StudyYearTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;  // a year of commits; durability is tested elsewhere
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    access_ = std::make_unique<Access>(*store_);
    people_ = std::make_unique<PeopleDirectory>(*store_, *access_, hasher_, clock_);
    orgs_ = std::make_unique<OrgTree>(*store_, *access_, clock_);
    data_ = std::make_unique<StudyData>(*store_, *access_, *people_);
    catalog_ = std::make_unique<StudyCatalog>(*store_, *data_, clock_);
    journal_ = std::make_unique<StudyJournal>(*store_, *data_, clock_);
    reports_ = std::make_unique<StudyReports>(*data_, clock_);

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
    branch_ = CreateOrg(staged->id(), "运输公司党支部");
    teams_[0] = CreateOrg(branch_, "一队");
    teams_[1] = CreateOrg(branch_, "二队");
    for (int i = 0; i < kPeople; ++i) {
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
  FakeClock clock_{LocalDayStartMicros(CivilToDay(kYear, 1, 1), kOffset) + 8 * 60 * kMinute};
  PasswordHasher hasher_{PasswordHasher::Strength::kFastForTests};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Access> access_;
  std::unique_ptr<PeopleDirectory> people_;
  std::unique_ptr<OrgTree> orgs_;
  std::unique_ptr<StudyData> data_;
  std::unique_ptr<StudyCatalog> catalog_;
  std::unique_ptr<StudyJournal> journal_;
  std::unique_ptr<StudyReports> reports_;
  Caller admin_;
  uint64_t branch_ = 0;
  uint64_t teams_[2] = {0, 0};
  std::vector<Caller> callers_;
  int orgs_created_ = 0;
};

TEST_F(StudyYearTest, AYearOfRecordsMatchesProgressReportAndLeaderboard) {
  // Material, a plan with a subtree item due mid-year and an item for 50 listed people, and
  // a lower notes quota for team two (inherited settings).
  v1::CreateMaterialRequest mr;
  mr.set_request_id("material");
  mr.mutable_material()->set_organization_id(branch_);
  mr.mutable_material()->set_kind(v1::MATERIAL_KIND_BOOK);
  mr.mutable_material()->set_title("党章");
  mr.mutable_material()->set_body("……");
  auto material = catalog_->CreateMaterial(admin_, mr);
  ASSERT_TRUE(material.ok()) << material.status();
  v1::CreateStudyPlanRequest pr;
  pr.set_request_id("plan");
  pr.mutable_plan()->set_organization_id(branch_);
  pr.mutable_plan()->set_year(kYear);
  pr.mutable_plan()->set_title("年度计划");
  auto* a = pr.mutable_plan()->add_items();
  a->set_material_id(material->id());
  a->set_required_minutes(1500);
  a->set_due_date("2025-06-30");
  auto* b = pr.mutable_plan()->add_items();
  b->set_topic("党史");
  b->set_required_minutes(600);
  b->set_due_date("2025-12-31");
  std::set<uint64_t> listed;
  for (int i = 0; i < 50; ++i) {
    b->mutable_audience()->add_person_ids(callers_[i].person_id);
    listed.insert(callers_[i].person_id);
  }
  auto plan = catalog_->CreatePlan(admin_, pr);
  ASSERT_TRUE(plan.ok()) << plan.status();
  v1::SetStudySettingsRequest sr;
  sr.set_request_id("settings");
  sr.mutable_settings()->set_organization_id(teams_[1]);
  sr.mutable_settings()->set_yearly_notes_quota_chars(3000);
  sr.mutable_update_mask()->add_paths("yearly_notes_quota_chars");
  ASSERT_TRUE(catalog_->SetSettings(admin_, sr).ok());

  const std::vector<std::string> notes_pool = {
      "",
      "学习党章",
      "今天学习了党史，体会深刻😀",
      std::string(40, 'a') + "为人民服务，牢记初心使命，安全行车每一天。" + "👍🏻",
      [] {
        std::string s;
        for (int i = 0; i < 130; ++i) s += "学";
        return s;
      }(),
  };
  const int64_t due_a = CivilToDay(2025, 6, 30);
  std::mt19937 rng(20250101);
  std::map<uint64_t, Expected> expected;
  int records = 0;
  auto started = std::chrono::steady_clock::now();
  for (int64_t day = CivilToDay(kYear, 1, 1); day <= CivilToDay(kYear, 12, 31); ++day) {
    for (int i = 0; i < kPeople; ++i) {
      const Caller& c = callers_[i];
      // Some study often, some rarely; a few days get two records.
      if (static_cast<int>(rng() % 100) >= 5 + (i % 9) * 6) continue;
      int count = rng() % 6 == 0 ? 2 : 1;
      for (int k = 0; k < count; ++k) {
        clock_.Set(LocalDayStartMicros(day, kOffset) + (20 * 60 + i % 60 + k) * kMinute);
        v1::RecordStudyRequest r;
        r.set_request_id("r" + std::to_string(records));
        r.set_minutes(1 + rng() % 300);
        r.set_notes(notes_pool[rng() % notes_pool.size()]);
        *r.mutable_device_time() = ToTimestamp(clock_.NowMicros() - 30 * kMinute);
        int target = rng() % 3;
        if (target == 2 && !listed.count(c.person_id)) target = 0;
        auto& e = expected[c.person_id];
        if (target == 1) {
          r.set_material_id(material->id());
        } else {
          r.set_plan_id(plan->id());
          r.set_plan_item_id(plan->items(target == 0 ? 0 : 1).id());
        }
        auto rec = journal_->Record(c, r);
        ASSERT_TRUE(rec.ok()) << rec.status();
        ++records;
        e.minutes[day] += r.minutes();
        e.notes[day] += CountChars(r.notes());
        e.total += r.minutes();
        e.notes_total += CountChars(r.notes());
        if (target == 0) {
          e.item_a += r.minutes();
          if (day <= due_a) e.item_a_by_due += r.minutes();
        } else if (target == 2) {
          e.item_b += r.minutes();
        }
      }
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << records << " study records in " << seconds << " s ("
            << static_cast<int>(records / seconds) << " records/s, unsynced, one thread)\n";
  RecordProperty("records", records);
  ASSERT_GT(records, 10'000);

  // Read everything on the evening of 31 December.
  const int64_t today = CivilToDay(kYear, 12, 31);
  clock_.Set(LocalDayStartMicros(today, kOffset) + 22 * 60 * kMinute);
  int64_t total = 0, notes_total = 0;
  int people_complete = 0, behind = 0, quota_met = 0;
  int team_people[2] = {0, 0}, team_complete[2] = {0, 0}, team_behind[2] = {0, 0};
  int64_t team_minutes[2] = {0, 0};
  int64_t required = 0, done = 0;
  std::vector<std::tuple<int64_t, int64_t, uint64_t>> ranking;
  for (int i = 0; i < kPeople; ++i) {
    const Caller& c = callers_[i];
    const Expected& e = expected[c.person_id];
    // Streaks and points, computed here from the raw days.
    int longest = 0, run = 0;
    int64_t prev = -1000;
    int64_t points = 0;
    for (const auto& [day, minutes] : e.minutes) {
      run = day == prev + 1 ? run + 1 : 1;
      longest = std::max(longest, run);
      prev = day;
      points += minutes / 10;
      if (e.notes.at(day) >= 100) points += 2;
    }
    int current = 0;
    int64_t d = e.minutes.count(today) ? today : today - 1;
    while (e.minutes.count(d)) {
      ++current;
      --d;
    }
    bool in_b = listed.count(c.person_id) > 0;
    bool a_complete = e.item_a >= 1500, b_complete = e.item_b >= 600;
    bool a_behind = e.item_a_by_due < 1500;
    int64_t quota = i % 2 == 1 ? 3000 : 50'000;

    v1::GetStudyProgressRequest r;
    auto p = journal_->Progress(c, r);
    ASSERT_TRUE(p.ok()) << p.status();
    SCOPED_TRACE("person " + std::to_string(i));
    EXPECT_EQ(p->year(), kYear);
    EXPECT_EQ(p->total_minutes(), e.total);
    EXPECT_EQ(p->study_days(), static_cast<int>(e.minutes.size()));
    EXPECT_EQ(p->notes_chars(), e.notes_total);
    EXPECT_EQ(p->notes_quota_chars(), quota);
    EXPECT_EQ(p->notes_quota_met(), e.notes_total >= quota);
    EXPECT_EQ(p->longest_streak_days(), longest);
    EXPECT_EQ(p->current_streak_days(), current);
    EXPECT_EQ(p->points(), points);
    ASSERT_EQ(p->items_size(), in_b ? 2 : 1);
    EXPECT_EQ(p->items(0).done_minutes(), e.item_a);
    EXPECT_EQ(p->items(0).done_by_due_minutes(), e.item_a_by_due);
    EXPECT_EQ(p->items(0).complete(), a_complete);
    EXPECT_EQ(p->items(0).behind_schedule(), a_behind);
    if (in_b) {
      EXPECT_EQ(p->items(1).done_minutes(), e.item_b);
      EXPECT_FALSE(p->items(1).behind_schedule());  // due today: not yet behind
    }
    bool complete = a_complete && (!in_b || b_complete);
    EXPECT_EQ(p->plans(0).complete(), complete);

    int team = i % 2;
    total += e.total;
    notes_total += e.notes_total;
    people_complete += complete;
    behind += a_behind;
    quota_met += e.notes_total >= quota;
    team_people[team]++;
    team_complete[team] += complete;
    team_behind[team] += a_behind;
    team_minutes[team] += e.total;
    required += 1500 + (in_b ? 600 : 0);
    done += std::min<int64_t>(e.item_a, 1500) + (in_b ? std::min<int64_t>(e.item_b, 600) : 0);
    ranking.emplace_back(-points, -e.total, c.person_id);
  }

  v1::GetStudyReportRequest rr;
  rr.set_organization_id(branch_);
  rr.set_max_behind(1000);
  auto report_started = std::chrono::steady_clock::now();
  auto report = reports_->Report(admin_, rr);
  std::cout << "report over " << kPeople << " people in "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                         report_started)
                   .count()
            << " ms\n";
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->year(), kYear);
  EXPECT_EQ(report->people(), kPeople);
  EXPECT_EQ(report->total_minutes(), total);
  EXPECT_EQ(report->notes_chars(), notes_total);
  EXPECT_EQ(report->notes_quota_met(), quota_met);
  EXPECT_EQ(report->people_behind(), behind);
  EXPECT_EQ(report->behind_size(), behind);
  ASSERT_EQ(report->plans_size(), 1);
  EXPECT_EQ(report->plans(0).people(), kPeople);
  EXPECT_EQ(report->plans(0).people_complete(), people_complete);
  EXPECT_EQ(report->plans(0).required_minutes(), required);
  EXPECT_EQ(report->plans(0).done_minutes(), done);
  ASSERT_EQ(report->sub_organizations_size(), 3);
  EXPECT_EQ(report->sub_organizations(0).people(), 0);  // nobody directly in the branch
  for (int t = 0; t < 2; ++t) {
    const auto& sub = report->sub_organizations(t + 1);
    EXPECT_EQ(sub.organization_id(), teams_[t]);
    EXPECT_EQ(sub.people(), team_people[t]);
    EXPECT_EQ(sub.people_complete(), team_complete[t]);
    EXPECT_EQ(sub.people_behind(), team_behind[t]);
    EXPECT_EQ(sub.total_minutes(), team_minutes[t]);
  }

  std::sort(ranking.begin(), ranking.end());
  std::vector<uint64_t> ranked;
  v1::GetLeaderboardRequest lr;
  lr.set_organization_id(branch_);
  lr.set_page_size(37);
  int pages = 0;
  do {
    auto page = reports_->Leaderboard(admin_, lr);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& entry : page->entries()) {
      size_t i = ranked.size();
      ranked.push_back(entry.person_id());
      EXPECT_EQ(entry.points(), -std::get<0>(ranking[i]));
    }
    lr.set_page_token(page->next_page_token());
    ++pages;
  } while (!lr.page_token().empty());
  EXPECT_EQ(pages, (kPeople + 36) / 37);
  ASSERT_EQ(ranked.size(), ranking.size());
  for (size_t i = 0; i < ranked.size(); ++i) EXPECT_EQ(ranked[i], std::get<2>(ranking[i]));
}

}  // namespace
}  // namespace branchline
