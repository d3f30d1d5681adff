#include "services/study/study_rules.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/refusal.h"

namespace branchline {

std::string FormatLocalDate(int64_t day) {
  CivilDate d = DayToCivil(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<int64_t> ParseLocalDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t day = CivilToDay(y, m, d);
  CivilDate back = DayToCivil(day);
  if (back.year != y || back.month != m || back.day != d) return std::nullopt;  // 02-30
  return day;
}

int32_t YearOfDay(int64_t day) { return DayToCivil(day).year; }

Streaks ComputeStreaks(std::vector<int64_t> days, int64_t today) {
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  Streaks s;
  int32_t run = 0;
  for (size_t i = 0; i < days.size(); ++i) {
    run = (i > 0 && days[i] == days[i - 1] + 1) ? run + 1 : 1;
    s.longest = std::max(s.longest, run);
  }
  // Days after `today` (asked about a past moment) do not count towards the current run.
  auto last = std::upper_bound(days.begin(), days.end(), today);
  if (last == days.begin() || *(last - 1) < today - 1) return s;
  for (auto it = last - 1;; --it) {
    ++s.current;
    if (it == days.begin() || *(it - 1) != *it - 1) break;
  }
  return s;
}

v1::StudySettings WithDefaults(v1::StudySettings s) {
  if (s.yearly_notes_quota_chars() == 0) s.set_yearly_notes_quota_chars(50'000);
  if (s.max_notes_chars() == 0) s.set_max_notes_chars(5'000);
  auto* r = s.mutable_points_rule();
  if (r->minutes_per_point() == 0) r->set_minutes_per_point(10);
  if (r->notes_day_bonus_points() == 0) r->set_notes_day_bonus_points(2);
  if (r->notes_day_bonus_min_chars() == 0) r->set_notes_day_bonus_min_chars(100);
  if (r->quiz_pass_points() == 0) r->set_quiz_pass_points(20);
  return s;
}

absl::Status ValidateSettings(const v1::StudySettings& s) {
  if (s.yearly_notes_quota_chars() < 0 || s.yearly_notes_quota_chars() > 10'000'000) {
    return InvalidField("settings.yearly_notes_quota_chars", "must be 1..10000000");
  }
  if (s.max_notes_chars() < 0 || s.max_notes_chars() > 100'000) {
    return InvalidField("settings.max_notes_chars", "must be 1..100000");
  }
  const auto& r = s.points_rule();
  if (r.minutes_per_point() < 0 || r.minutes_per_point() > 600) {
    return InvalidField("settings.points_rule.minutes_per_point", "must be 1..600");
  }
  if (r.notes_day_bonus_points() < 0 || r.notes_day_bonus_points() > 1000) {
    return InvalidField("settings.points_rule.notes_day_bonus_points", "must be 0..1000");
  }
  if (r.notes_day_bonus_min_chars() < 0 || r.notes_day_bonus_min_chars() > 100'000) {
    return InvalidField("settings.points_rule.notes_day_bonus_min_chars", "must be 1..100000");
  }
  if (r.quiz_pass_points() < 0 || r.quiz_pass_points() > 10'000) {
    return InvalidField("settings.points_rule.quiz_pass_points", "must be 0..10000");
  }
  return absl::OkStatus();
}

int64_t ComputePoints(const internal::v1::StudyProgressRecord& progress,
                      const v1::PointsRule& rule) {
  int64_t points = 0;
  int32_t per_point = std::max(1, rule.minutes_per_point());
  for (const auto& [day, stat] : progress.days()) {
    points += stat.minutes() / per_point;
    if (stat.notes_chars() > 0 && stat.notes_chars() >= rule.notes_day_bonus_min_chars()) {
      points += rule.notes_day_bonus_points();
    }
  }
  points += int64_t{rule.quiz_pass_points()} * progress.passed_quiz_ids_size();
  return points;
}

bool AnswerCorrect(const v1::QuizQuestion& question, const v1::QuizAnswer& answer) {
  std::set<int32_t> correct(question.correct_options().begin(), question.correct_options().end());
  std::set<int32_t> chosen(answer.chosen_options().begin(), answer.chosen_options().end());
  return !correct.empty() && chosen == correct;
}

void ScoreAttempt(v1::QuizAttempt& attempt,
                  const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers,
                  int32_t pass_percent) {
  attempt.clear_answers();
  int32_t correct = 0;
  for (const auto& q : attempt.questions()) {
    v1::QuizAnswer given;
    given.set_question_id(q.id());
    for (const auto& a : answers) {
      if (a.question_id() == q.id()) given = a;
    }
    if (AnswerCorrect(q, given)) ++correct;
    *attempt.add_answers() = std::move(given);
  }
  int32_t total = attempt.questions_size();
  attempt.set_correct_count(correct);
  attempt.set_score_percent(total == 0 ? 0 : correct * 100 / total);
  attempt.set_passed(attempt.score_percent() >= pass_percent);
}

absl::Status CheckBeforeDeadline(int64_t now_micros, int64_t deadline_micros) {
  if (now_micros > deadline_micros) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kAttemptTimeUp);
  }
  return absl::OkStatus();
}

}  // namespace branchline
