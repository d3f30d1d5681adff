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

#include "tests/services/study_domain_fixture.h"

namespace branchline {
namespace {

constexpr int kPeople = 200;

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

class StudyYearTest : public testing::StudyDomainFixture {
 protected:
  StudyYearTest() : StudyDomainFixture(kPeople) {}
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
  pr.mutable_plan()->set_year(testing::kStudyYear);
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
  for (int64_t day = CivilToDay(testing::kStudyYear, 1, 1);
       day <= CivilToDay(testing::kStudyYear, 12, 31); ++day) {
    for (int i = 0; i < kPeople; ++i) {
      const Caller& c = callers_[i];
      // Some study often, some rarely; a few days get two records.
      if (static_cast<int>(rng() % 100) >= 5 + (i % 9) * 6) continue;
      int count = rng() % 6 == 0 ? 2 : 1;
      for (int k = 0; k < count; ++k) {
        clock_.Set(LocalDayStartMicros(day, testing::kStudyOffset) +
                   (20 * 60 + i % 60 + k) * testing::kMinute);
        v1::RecordStudyRequest r;
        r.set_request_id("r" + std::to_string(records));
        r.set_minutes(1 + rng() % 300);
        r.set_notes(notes_pool[rng() % notes_pool.size()]);
        *r.mutable_device_time() = ToTimestamp(clock_.NowMicros() - 30 * testing::kMinute);
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
  const int64_t today = CivilToDay(testing::kStudyYear, 12, 31);
  clock_.Set(LocalDayStartMicros(today, testing::kStudyOffset) + 22 * 60 * testing::kMinute);
  int64_t total = 0, notes_total = 0;
  int people_complete = 0, behind = 0, quota_met = 0;
  int team_people[2] = {0, 0}, team_complete[2] = {0, 0}, team_behind[2] = {0, 0};
  int64_t team_minutes[2] = {0, 0}, team_required[2] = {0, 0}, team_done[2] = {0, 0};
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
    EXPECT_EQ(p->year(), testing::kStudyYear);
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
    int64_t person_required = 1500 + (in_b ? 600 : 0);
    int64_t person_done =
        std::min<int64_t>(e.item_a, 1500) + (in_b ? std::min<int64_t>(e.item_b, 600) : 0);
    required += person_required;
    done += person_done;
    team_required[team] += person_required;
    team_done[team] += person_done;
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
  EXPECT_EQ(report->year(), testing::kStudyYear);
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
    ASSERT_EQ(sub.plans_size(), 1);
    EXPECT_EQ(sub.plans(0).plan_id(), plan->id());
    EXPECT_EQ(sub.plans(0).people(), team_people[t]);
    EXPECT_EQ(sub.plans(0).people_complete(), team_complete[t]);
    EXPECT_EQ(sub.plans(0).required_minutes(), team_required[t]);
    EXPECT_EQ(sub.plans(0).done_minutes(), team_done[t]);
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
