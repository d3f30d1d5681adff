#include "services/study/study_progress.h"

#include <algorithm>
#include <map>

#include "services/auth/access.h"
#include "services/study/study_rules.h"

namespace branchline {

v1::StudyProgress SummarizeProgress(const ProgressInputs& in) {
  const auto& record = *in.record;
  v1::StudyProgress out;
  out.set_person_id(in.person_id);
  out.set_year(in.year);
  for (const auto& plan : *in.plans) {
    int32_t items = 0, complete = 0;
    for (const auto& item : plan.items()) {
      if (!Access::InAudience(item.audience(), in.person_id, in.role, *in.person_org)) continue;
      ++items;
      auto* p = out.add_items();
      p->set_plan_id(plan.id());
      p->set_plan_item_id(item.id());
      p->set_title(item.topic());
      p->set_required_minutes(item.required_minutes());
      p->set_due_date(item.due_date());
      auto it = record.items().find(item.id());
      if (it != record.items().end()) {
        p->set_done_minutes(it->second.minutes());
        p->set_done_by_due_minutes(it->second.minutes_by_due());
      }
      p->set_complete(p->done_minutes() >= p->required_minutes());
      p->set_complete_by_due_date(p->done_by_due_minutes() >= p->required_minutes());
      auto due = ParseLocalDate(item.due_date());
      p->set_behind_schedule(due && *due < in.today && !p->complete_by_due_date());
      if (p->complete()) ++complete;
    }
    if (items == 0) continue;
    auto* c = out.add_plans();
    c->set_plan_id(plan.id());
    c->set_items(items);
    c->set_complete_items(complete);
    c->set_complete(complete == items);
  }
  std::vector<int64_t> days = in.previous_year_days;
  for (const auto& [day, stat] : record.days()) {
    if (stat.minutes() > 0) days.push_back(day);
  }
  out.set_total_minutes(record.total_minutes());
  out.set_study_days(static_cast<int32_t>(record.days_size()));
  out.set_notes_chars(record.notes_chars());
  out.set_notes_quota_chars(in.settings->yearly_notes_quota_chars());
  out.set_notes_quota_met(record.notes_chars() >= in.settings->yearly_notes_quota_chars());
  Streaks streaks = ComputeStreaks(days, in.today);
  // The longest streak is the year's own; the current one may reach back over New Year.
  std::vector<int64_t> this_year;
  for (const auto& [day, stat] : record.days()) this_year.push_back(day);
  out.set_current_streak_days(streaks.current);
  out.set_longest_streak_days(ComputeStreaks(std::move(this_year), in.today).longest);
  out.set_points(ComputePoints(record, in.settings->points_rule()));
  out.set_quizzes_passed(record.passed_quiz_ids_size());
  return out;
}

void ApplyRecord(internal::v1::StudyProgressRecord& progress, const v1::StudyRecord& r, int64_t day,
                 int sign) {
  int32_t minutes = sign * r.minutes();
  int32_t chars = sign * r.notes_chars();
  auto& days = *progress.mutable_days();
  auto& d = days[day];
  d.set_minutes(d.minutes() + minutes);
  d.set_notes_chars(d.notes_chars() + chars);
  if (d.minutes() <= 0) days.erase(day);
  if (r.plan_item_id() != 0) {
    auto& items = *progress.mutable_items();
    auto& item = items[r.plan_item_id()];
    item.set_plan_id(r.plan_id());
    item.set_minutes(item.minutes() + minutes);
    if (r.by_due_date()) item.set_minutes_by_due(item.minutes_by_due() + minutes);
    if (item.minutes() <= 0) items.erase(r.plan_item_id());
  }
  if (r.material_id() != 0) {
    auto& materials = *progress.mutable_materials();
    materials[r.material_id()] += minutes;
    if (materials[r.material_id()] <= 0) materials.erase(r.material_id());
  }
  progress.set_total_minutes(progress.total_minutes() + minutes);
  progress.set_notes_chars(progress.notes_chars() + chars);
}

}  // namespace branchline
