// The pure study rules: local days and dates, streaks, character counting, points, quiz
// scoring and the answer deadline.
#include "services/study/study_rules.h"

#include <gtest/gtest.h>

#include "services/common/clock.h"
#include "services/common/local_day.h"
#include "services/common/text.h"
#include "services/study/study_progress.h"

namespace branchline {
namespace {

constexpr int64_t kHour = 3'600'000'000LL;

TEST(StudyDates, FormatAndParseRoundTrip) {
  int64_t day = CivilToDay(2026, 2, 28);
  EXPECT_EQ(FormatLocalDate(day), "2026-02-28");
  EXPECT_EQ(ParseLocalDate("2026-02-28"), day);
  EXPECT_EQ(ParseLocalDate("2024-02-29"), CivilToDay(2024, 2, 29));
  EXPECT_FALSE(ParseLocalDate("2026-02-29"));  // not a leap year
  EXPECT_FALSE(ParseLocalDate("2026-13-01"));
  EXPECT_FALSE(ParseLocalDate("2026-1-01"));
  EXPECT_FALSE(ParseLocalDate("2026/01/01"));
  EXPECT_FALSE(ParseLocalDate(""));
  EXPECT_EQ(YearOfDay(CivilToDay(2025, 12, 31)), 2025);
  EXPECT_EQ(YearOfDay(CivilToDay(2026, 1, 1)), 2026);
}

TEST(StudyDates, StudyDayFollowsTheOrganisationsOffset) {
  // 2025-12-31 23:30 in UTC+8 is 15:30 UTC: still 2025 for Beijing; 00:30 the next day
  // in UTC+9 (a 9-hour offset crosses midnight into the new year).
  int64_t instant = LocalDayStartMicros(CivilToDay(2025, 12, 31), 480) + 23 * kHour + kHour / 2;
  EXPECT_EQ(FormatLocalDate(LocalDay(instant, 480)), "2025-12-31");
  EXPECT_EQ(FormatLocalDate(LocalDay(instant, 540)), "2026-01-01");
  EXPECT_EQ(YearOfDay(LocalDay(instant, 540)), 2026);
  // West of UTC the same instant is still the 31st.
  EXPECT_EQ(FormatLocalDate(LocalDay(instant, -300)), "2025-12-31");
}

TEST(Streaks, RunsGapsAndToday) {
  int64_t t = CivilToDay(2026, 5, 10);
  EXPECT_EQ(ComputeStreaks({}, t).current, 0);
  EXPECT_EQ(ComputeStreaks({}, t).longest, 0);
  // Studied today and the two days before.
  auto s = ComputeStreaks({t - 2, t - 1, t}, t);
  EXPECT_EQ(s.current, 3);
  EXPECT_EQ(s.longest, 3);
  // Not yet today: the run ending yesterday is still current.
  s = ComputeStreaks({t - 3, t - 2, t - 1}, t);
  EXPECT_EQ(s.current, 3);
  // A missed day breaks it.
  s = ComputeStreaks({t - 4, t - 3, t - 2}, t);
  EXPECT_EQ(s.current, 0);
  EXPECT_EQ(s.longest, 3);
  // Gaps: the longest run is in the past, the current one short; repeats and order do not
  // matter.
  s = ComputeStreaks({t, t - 10, t - 11, t - 12, t - 13, t - 1, t, t - 5}, t);
  EXPECT_EQ(s.current, 2);
  EXPECT_EQ(s.longest, 4);
  // Days after "today" do not make a current streak.
  s = ComputeStreaks({t + 1, t + 2}, t);
  EXPECT_EQ(s.current, 0);
  EXPECT_EQ(s.longest, 2);
}

TEST(Streaks, MidnightEdgesInLocalTime) {
  // Two check-ins one minute apart around local midnight count as two study days.
  int32_t offset = 480;
  int64_t midnight = LocalDayStartMicros(CivilToDay(2026, 3, 2), offset);
  int64_t before = LocalDay(midnight - 60'000'000, offset);
  int64_t after = LocalDay(midnight + 60'000'000, offset);
  EXPECT_EQ(after, before + 1);
  EXPECT_EQ(ComputeStreaks({before, after}, after).current, 2);
  // In UTC both instants are on the same day (16:00 UTC): one study day.
  EXPECT_EQ(LocalDay(midnight - 60'000'000, 0), LocalDay(midnight + 60'000'000, 0));
}

TEST(NotesLength, CountsCodePointsNotBytes) {
  EXPECT_EQ(Utf8Length("学习党章"), 4u);  // 12 bytes
  EXPECT_EQ(Utf8Length("学习😀"), 3u);     // emoji: 4 bytes, one code point
  EXPECT_EQ(Utf8Length("\U0001F468\u200D\U0001F469\u200D\U0001F467"),
            5u);  // a family: 3 emoji joined by 2 ZWJ
  EXPECT_EQ(Utf8Length("abc 党"), 5u);
  EXPECT_FALSE(Utf8Length("\xff\xfe"));
  EXPECT_TRUE(CheckText("notes", "一二三四五六七八九十", 0, 10, true).ok());
  EXPECT_FALSE(CheckText("notes", "一二三四五六七八九十一", 0, 10, true).ok());
}

TEST(Points, DocumentedRule) {
  internal::v1::StudyProgressRecord p;
  auto& days = *p.mutable_days();
  days[1].set_minutes(25);       // 2 points
  days[1].set_notes_chars(100);  // + bonus 2 (exactly the minimum)
  days[2].set_minutes(9);        // 0 points
  days[2].set_notes_chars(99);   // no bonus
  days[3].set_minutes(600);      // 60 points
  p.add_passed_quiz_ids(7);      // + 20
  v1::StudySettings s = WithDefaults({});
  EXPECT_EQ(ComputePoints(p, s.points_rule()), 2 + 2 + 0 + 60 + 20);
  v1::PointsRule custom;
  custom.set_minutes_per_point(5);
  custom.set_notes_day_bonus_points(10);
  custom.set_notes_day_bonus_min_chars(50);
  custom.set_quiz_pass_points(0);
  EXPECT_EQ(ComputePoints(p, custom), 5 + 10 + 1 + 10 + 120);
}

TEST(Settings, DefaultsAndBounds) {
  auto s = WithDefaults({});
  EXPECT_EQ(s.yearly_notes_quota_chars(), 50'000);
  EXPECT_EQ(s.max_notes_chars(), 5'000);
  EXPECT_EQ(s.points_rule().minutes_per_point(), 10);
  v1::StudySettings bad;
  bad.set_max_notes_chars(100'001);
  EXPECT_EQ(ValidateSettings(bad).code(), absl::StatusCode::kInvalidArgument);
  bad.set_max_notes_chars(10);
  bad.mutable_points_rule()->set_minutes_per_point(-1);
  EXPECT_EQ(ValidateSettings(bad).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProgressRecord, ApplyAndRemoveLeavesNoTrace) {
  internal::v1::StudyProgressRecord p;
  v1::StudyRecord r;
  r.set_plan_id(1);
  r.set_plan_item_id(2);
  r.set_material_id(3);
  r.set_minutes(30);
  r.set_notes_chars(12);
  r.set_by_due_date(true);
  ApplyRecord(p, r, 100, +1);
  ApplyRecord(p, r, 101, +1);
  EXPECT_EQ(p.total_minutes(), 60);
  EXPECT_EQ(p.items().at(2).minutes_by_due(), 60);
  EXPECT_EQ(p.days_size(), 2);
  ApplyRecord(p, r, 101, -1);
  EXPECT_EQ(p.days_size(), 1);  // the day is gone: it no longer counts for streaks
  ApplyRecord(p, r, 100, -1);
  EXPECT_EQ(p.total_minutes(), 0);
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_EQ(p.materials_size(), 0);
  EXPECT_EQ(p.notes_chars(), 0);
}

v1::QuizQuestion Question(int id, v1::QuestionKind kind, std::vector<int> correct) {
  v1::QuizQuestion q;
  q.set_id(id);
  q.set_kind(kind);
  for (int i = 0; i < 4; ++i) q.add_options("选项" + std::to_string(i));
  for (int c : correct) q.add_correct_options(c);
  return q;
}

TEST(QuizScoring, ExactSetsOnly) {
  v1::QuizAttempt a;
  *a.add_questions() = Question(0, v1::QUESTION_KIND_SINGLE_CHOICE, {1});
  *a.add_questions() = Question(1, v1::QUESTION_KIND_MULTIPLE_CHOICE, {0, 2});
  *a.add_questions() = Question(2, v1::QUESTION_KIND_MULTIPLE_CHOICE, {3});
  google::protobuf::RepeatedPtrField<v1::QuizAnswer> answers;
  auto* x = answers.Add();
  x->set_question_id(0);
  x->add_chosen_options(1);
  auto* y = answers.Add();
  y->set_question_id(1);
  y->add_chosen_options(2);
  y->add_chosen_options(0);  // order does not matter
  auto* z = answers.Add();
  z->set_question_id(2);
  z->add_chosen_options(3);
  z->add_chosen_options(1);  // one too many: wrong
  ScoreAttempt(a, answers, 60);
  EXPECT_EQ(a.correct_count(), 2);
  EXPECT_EQ(a.score_percent(), 66);
  EXPECT_TRUE(a.passed());
  ScoreAttempt(a, answers, 67);
  EXPECT_FALSE(a.passed());
  // Unanswered questions score nothing.
  ScoreAttempt(a, {}, 1);
  EXPECT_EQ(a.correct_count(), 0);
  EXPECT_EQ(a.answers_size(), 3);
}

TEST(QuizDeadline, AnswersAfterTheTimeLimitAreRefused) {
  FakeClock clock(1'700'000'000'000'000LL);
  int64_t deadline = clock.NowMicros() + 60'000'000;  // one minute
  EXPECT_TRUE(CheckBeforeDeadline(clock.NowMicros(), deadline).ok());
  clock.Advance(60'000'000);
  EXPECT_TRUE(CheckBeforeDeadline(clock.NowMicros(), deadline).ok());  // exactly at it
  clock.Advance(1);
  EXPECT_EQ(CheckBeforeDeadline(clock.NowMicros(), deadline).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace branchline
