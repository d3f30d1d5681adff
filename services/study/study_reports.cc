#include "services/study/study_reports.h"

#include <algorithm>
#include <map>

#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "services/study/study_progress.h"
#include "services/study/study_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {
absl::StatusOr<int32_t> ReportYear(int32_t requested, int64_t now, const v1::Organization& org) {
  int32_t year = requested ? requested : YearOfDay(LocalDay(now, org.utc_offset_minutes()));
  if (year < 2000 || year > 2100) return InvalidField("year", "must be 2000..2100");
  return year;
}
}  // namespace

absl::Status StudyReports::ForEachPerson(
    const Caller& caller, const v1::Organization& root, int32_t year,
    const std::vector<v1::StudyPlan>& plans,
    const std::function<void(const PersonFigures&)>& visit) const {
  // Organisations and their settings are shared by many people: read each once.
  std::map<uint64_t, std::pair<v1::Organization, v1::StudySettings>> orgs;
  int64_t now = clock_.NowMicros();
  absl::Status inner;
  RETURN_IF_ERROR(data_.people().ForEachInSubtree(root.id(), [&](const v1::Person& person) {
    if (!person.active() || person.kind() == v1::PERSON_KIND_SERVICE) return true;
    auto it = orgs.find(person.organization_id());
    if (it == orgs.end()) {
      auto org = data_.access().LoadOrg(caller, person.organization_id(), "organization_id");
      if (!org.ok()) {
        inner = org.status();
        return false;
      }
      auto settings = data_.EffectiveSettings(*org);
      if (!settings.ok()) {
        inner = settings.status();
        return false;
      }
      it = orgs.emplace(org->id(), std::make_pair(*org, *settings)).first;
    }
    auto record = data_.LoadProgress(person.id(), year);
    if (!record.ok()) {
      inner = record.status();
      return false;
    }
    const auto& [org, settings] = it->second;
    ProgressInputs in;
    in.person_id = person.id();
    in.role = person.role();
    in.person_org = &org;
    in.year = year;
    in.plans = &plans;
    in.record = &*record;
    in.settings = &settings;
    in.today = LocalDay(now, org.utc_offset_minutes());
    visit(PersonFigures{person, org, SummarizeProgress(in)});
    return true;
  }));
  return inner;
}

absl::StatusOr<v1::StudyReport> StudyReports::Report(
    const Caller& caller, const v1::GetStudyReportRequest& request) const {
  if (request.max_behind() < 0) return InvalidField("max_behind", "must not be negative");
  int max_behind = request.max_behind() == 0 ? 100 : std::min(request.max_behind(), 1000);
  ASSIGN_OR_RETURN(auto root,
                   data_.access().LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!StudyData::MayReport(caller, root)) {
    return Denied("reading the study report of organization " + std::to_string(root.id()));
  }
  ASSIGN_OR_RETURN(int32_t year, ReportYear(request.year(), clock_.NowMicros(), root));
  ASSIGN_OR_RETURN(auto plans, data_.PlansAroundSubtree(root, year));
  if (request.plan_id() != 0) {
    std::erase_if(plans, [&](const v1::StudyPlan& p) { return p.id() != request.plan_id(); });
    if (plans.empty()) {
      return FieldError(absl::StatusCode::kNotFound, "plan_id",
                        "no plan " + std::to_string(request.plan_id()) + " of " +
                            std::to_string(year) + " applies in this organization");
    }
  }

  v1::StudyReport report;
  report.set_organization_id(root.id());
  report.set_year(year);
  std::map<uint64_t, v1::PlanReport> per_plan;
  for (const auto& plan : plans) {
    auto& p = per_plan[plan.id()];
    p.set_plan_id(plan.id());
    p.set_title(plan.title());
  }
  // The organisation itself, then the organisations directly below it.
  std::vector<uint64_t> order{root.id()};
  std::map<uint64_t, v1::SubOrganizationReport> per_sub;
  per_sub[root.id()].set_organization_id(root.id());
  per_sub[root.id()].set_name(root.name());
  RETURN_IF_ERROR(data_.store().Scan(storage::Cf::kIndex, storage::OrgChildPrefix(root.id()), "",
                                     [&](std::string_view key, std::string_view) {
                                       uint64_t id = storage::TrailingId(key);
                                       if (id == 0) return true;  // a corrupt entry
                                       order.push_back(id);
                                       per_sub[id].set_organization_id(id);
                                       return true;
                                     }));

  // Per (sub-organisation, plan): the same figures as per plan, within the sub-organisation.
  std::map<std::pair<uint64_t, uint64_t>, v1::PlanReport> per_sub_plan;
  auto add_item = [](v1::PlanReport& p, const v1::ItemProgress& item) {
    p.set_required_minutes(p.required_minutes() + item.required_minutes());
    p.set_done_minutes(p.done_minutes() + std::min(item.done_minutes(), item.required_minutes()));
  };
  auto add_person = [](v1::PlanReport& p, const v1::PlanCompletion& c) {
    p.set_people(p.people() + 1);
    if (c.complete()) p.set_people_complete(p.people_complete() + 1);
  };
  RETURN_IF_ERROR(ForEachPerson(caller, root, year, plans, [&](const PersonFigures& f) {
    // The bucket: the organisation directly below `root` on the person's path (or root).
    uint64_t bucket = root.id();
    const auto& path = f.org.ancestor_ids();
    for (int i = 0; i < path.size(); ++i) {
      if (path[i] == root.id()) bucket = i + 1 < path.size() ? path[i + 1] : f.org.id();
    }
    auto& sub = per_sub[bucket];
    if (bucket == f.org.id() && sub.name().empty()) sub.set_name(f.org.name());
    const auto& progress = f.progress;
    bool all_complete = true;
    int32_t behind = 0;
    for (const auto& item : progress.items()) {
      add_item(per_plan[item.plan_id()], item);
      add_item(per_sub_plan[{bucket, item.plan_id()}], item);
      all_complete = all_complete && item.complete();
      if (item.behind_schedule()) ++behind;
    }
    for (const auto& c : progress.plans()) {
      add_person(per_plan[c.plan_id()], c);
      add_person(per_sub_plan[{bucket, c.plan_id()}], c);
    }
    sub.set_people(sub.people() + 1);
    sub.set_total_minutes(sub.total_minutes() + progress.total_minutes());
    if (all_complete) sub.set_people_complete(sub.people_complete() + 1);
    report.set_people(report.people() + 1);
    report.set_total_minutes(report.total_minutes() + progress.total_minutes());
    report.set_notes_chars(report.notes_chars() + progress.notes_chars());
    if (progress.notes_quota_met()) report.set_notes_quota_met(report.notes_quota_met() + 1);
    if (behind > 0) {
      sub.set_people_behind(sub.people_behind() + 1);
      report.set_people_behind(report.people_behind() + 1);
      if (report.behind_size() < max_behind) {
        auto* b = report.add_behind();
        b->set_person_id(f.person.id());
        b->set_display_name(f.person.display_name());
        b->set_organization_id(f.org.id());
        b->set_items_behind(behind);
      }
    }
  }));
  for (const auto& plan : plans) *report.add_plans() = per_plan[plan.id()];
  for (uint64_t id : order) {
    auto& sub = per_sub[id];
    if (sub.name().empty() && id != root.id()) {
      auto org = data_.access().LoadOrg(caller, id, "organization_id");
      if (org.ok()) sub.set_name(org->name());
    }
    for (const auto& plan : plans) {
      v1::PlanReport p = per_sub_plan[{id, plan.id()}];
      p.set_plan_id(plan.id());
      p.set_title(plan.title());
      *sub.add_plans() = std::move(p);
    }
    *report.add_sub_organizations() = sub;
  }
  return report;
}

absl::StatusOr<v1::GetLeaderboardResponse> StudyReports::Leaderboard(
    const Caller& caller, const v1::GetLeaderboardRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto root,
                   data_.access().LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!StudyData::MayReport(caller, root)) {
    return Denied("reading the leaderboard of organization " + std::to_string(root.id()));
  }
  ASSIGN_OR_RETURN(int32_t year, ReportYear(request.year(), clock_.NowMicros(), root));
  // The token is [tenant]["leaderboard"][org][year][offset]: opaque, bound to the query.
  std::string prefix = storage::KeyBuilder(storage::TenantOfId(root.id()))
                           .Str("leaderboard")
                           .U64(root.id())
                           .U32(static_cast<uint32_t>(year))
                           .key();
  ASSIGN_OR_RETURN(std::string resume, DecodePageToken(request.page_token(), prefix));
  uint32_t offset = 0;
  if (!resume.empty()) {
    storage::KeyReader r(std::string_view(resume).substr(prefix.size()));
    auto v = r.U32();
    if (!v || !r.done()) return InvalidField("page_token", "is not a token of this query");
    offset = *v;
  }
  std::vector<v1::LeaderboardEntry> rows;
  std::vector<v1::StudyPlan> no_plans;  // points do not depend on plans
  RETURN_IF_ERROR(ForEachPerson(caller, root, year, no_plans, [&](const PersonFigures& f) {
    v1::LeaderboardEntry e;
    e.set_person_id(f.person.id());
    e.set_display_name(f.person.display_name());
    e.set_organization_id(f.org.id());
    e.set_points(f.progress.points());
    e.set_total_minutes(f.progress.total_minutes());
    e.set_study_days(f.progress.study_days());
    rows.push_back(std::move(e));
  }));
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.points() != b.points()) return a.points() > b.points();
    if (a.total_minutes() != b.total_minutes()) return a.total_minutes() > b.total_minutes();
    return a.person_id() < b.person_id();
  });
  for (size_t i = 0; i < rows.size(); ++i) {
    bool tie = i > 0 && rows[i].points() == rows[i - 1].points() &&
               rows[i].total_minutes() == rows[i - 1].total_minutes();
    rows[i].set_rank(tie ? rows[i - 1].rank() : static_cast<int32_t>(i + 1));
  }
  v1::GetLeaderboardResponse response;
  size_t end = std::min(rows.size(), static_cast<size_t>(offset) + page_size);
  for (size_t i = offset; i < end; ++i) *response.add_entries() = rows[i];
  if (end < rows.size()) {
    response.set_next_page_token(
        EncodePageToken(storage::KeyBuilder().Raw(prefix).U32(static_cast<uint32_t>(end)).key()));
  }
  return response;
}

}  // namespace branchline
