// study plans | progress: yearly study plans and a person's progress on them.
#include <iostream>
#include <map>
#include <set>

#include "branchline/v1/study.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"

namespace branchline::ctl {
namespace {

struct PlansOptions {
  uint64_t org = 0;
  int year = 0;
  bool all = false;
};

struct ProgressOptions {
  uint64_t person = 0;
  int year = 0;
};

std::string AudienceText(const v1::Audience& audience) {
  if (audience.person_ids_size() > 0) return std::to_string(audience.person_ids_size()) + " people";
  std::string who = audience.organization_id() ? "org " + std::to_string(audience.organization_id())
                                               : "whole plan organisation";
  return audience.members_only() ? who + " (party members)" : who;
}

// Titles of the materials of the organisations owning `plans`, to show items by name.
std::map<uint64_t, std::string> MaterialTitles(Session& session, v1::StudyService::Stub& stub,
                                               const std::vector<v1::StudyPlan>& plans) {
  std::map<uint64_t, std::string> titles;
  std::set<uint64_t> orgs;
  for (const auto& plan : plans) orgs.insert(plan.organization_id());
  for (uint64_t org : orgs) {
    v1::ListMaterialsRequest request;
    request.set_organization_id(org);
    request.set_show_archived(true);
    request.set_page_size(1000);
    do {
      auto page = session.Call<v1::ListMaterialsResponse>(
          [&](auto* c, auto* r) { return stub.ListMaterials(c, request, r); });
      for (const auto& m : page.materials()) titles[m.id()] = m.title();
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
  }
  return titles;
}

void Plans(Session& session, const PlansOptions& o) {
  v1::ListStudyPlansRequest request;
  request.set_organization_id(OrgOrOwn(session, o.org));
  request.set_year(o.year ? o.year : CurrentYear(session));
  request.set_include_descendants(o.all);
  request.set_page_size(1000);
  auto stub = v1::StudyService::NewStub(session.channel());
  std::vector<v1::StudyPlan> plans;
  do {
    auto page = session.Call<v1::ListStudyPlansResponse>(
        [&](auto* c, auto* r) { return stub->ListStudyPlans(c, request, r); });
    plans.insert(plans.end(), page.plans().begin(), page.plans().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : plans) list.push_back(ToJson(p));
    return PrintJson({{"plans", list}});
  }
  if (plans.empty()) {
    std::cout << "No study plans for " << request.year() << ".\n";
    return;
  }
  auto titles = MaterialTitles(session, *stub, plans);
  for (const auto& plan : plans) {
    std::cout << "Plan " << plan.id() << " (" << plan.year() << ", organisation "
              << plan.organization_id() << "): " << plan.title() << "\n";
    Table table({"  ITEM", "TOPIC / MATERIAL", "MINUTES", "DUE", "FOR"});
    for (const auto& item : plan.items()) {
      std::string what = item.topic();
      if (what.empty()) {
        auto title = titles.find(item.material_id());
        what = title != titles.end() ? title->second
                                     : "material " + std::to_string(item.material_id());
      }
      table.AddRow({"  " + std::to_string(item.id()), what, std::to_string(item.required_minutes()),
                    item.due_date(), AudienceText(item.audience())});
    }
    table.Print(std::cout);
  }
}

void Progress(Session& session, const ProgressOptions& o) {
  v1::GetStudyProgressRequest request;
  request.set_person_id(o.person);
  request.set_year(o.year);
  auto stub = v1::StudyService::NewStub(session.channel());
  auto p = session.Call<v1::StudyProgress>(
      [&](auto* c, auto* r) { return stub->GetStudyProgress(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(p));
  PrintFields(std::cout, {{"person", std::to_string(p.person_id())},
                          {"year", std::to_string(p.year())},
                          {"minutes", std::to_string(p.total_minutes())},
                          {"study days", std::to_string(p.study_days())},
                          {"streak", std::to_string(p.current_streak_days()) + " days (longest " +
                                         std::to_string(p.longest_streak_days()) + ")"},
                          {"notes", std::to_string(p.notes_chars()) + " / " +
                                        std::to_string(p.notes_quota_chars()) + " characters"},
                          {"points", std::to_string(p.points())}});
  Table table({"ITEM", "TITLE", "DONE", "REQUIRED", "DUE", "STATE"});
  for (const auto& item : p.items()) {
    std::string state = item.complete() ? "complete" : item.behind_schedule() ? "BEHIND" : "open";
    table.AddRow({std::to_string(item.plan_item_id()), item.title(),
                  std::to_string(item.done_minutes()), std::to_string(item.required_minutes()),
                  item.due_date(), state});
  }
  table.Print(std::cout);
}

}  // namespace

void AddStudyCommands(CLI::App& app, Session& session) {
  auto* study = app.add_subcommand("study", "Study plans and progress");

  auto p = std::make_shared<PlansOptions>();
  auto* plans = study->add_subcommand("plans", "The yearly study plans with their items");
  plans->add_option("--org", p->org, "Organisation (default: your own)");
  plans->add_option("--year", p->year, "Year (default: this year)");
  plans->add_flag("--all,-r", p->all, "Include the plans of organisations below it");
  plans->callback([&session, p] { Plans(session, *p); });

  auto g = std::make_shared<ProgressOptions>();
  auto* progress = study->add_subcommand("progress", "A person's study progress in a year");
  progress->add_option("--person", g->person, "Person (default: you)");
  progress->add_option("--year", g->year, "Year (default: this year)");
  progress->callback([&session, g] { Progress(session, *g); });
}

}  // namespace branchline::ctl
