// duties area create | update; post create | update; group create | update | join | leave;
// end; board: members' responsibility areas (责任区), demonstration posts (示范岗) and groups
// (突击队, 创新工作室, 攻关小组) on an organisation's board (DutiesService).
#include <iostream>

#include "branchline/v1/duties.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/exit_codes.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"

namespace branchline::ctl {
namespace {

// The flags of every duties command; each command reads the ones it declares.
struct DutyOptions {
  uint64_t org = 0, id = 0, person = 0;
  std::string name, text, kind, from, to, role, request_id;
  std::vector<uint64_t> people, orgs;
  std::vector<std::string> members;
  bool subtree = false, past = false;
};

std::unique_ptr<v1::DutiesService::Stub> Stub(Session& session) {
  return v1::DutiesService::NewStub(session.channel());
}

// "emergency", "innovation", "problem-solving", "vanguard", else a custom kind's name.
void SetKind(v1::DutyGroup& g, const std::string& kind) {
  if (kind == "emergency") {
    g.set_kind(v1::DUTY_GROUP_KIND_EMERGENCY);
  } else if (kind == "innovation") {
    g.set_kind(v1::DUTY_GROUP_KIND_INNOVATION);
  } else if (kind == "problem-solving") {
    g.set_kind(v1::DUTY_GROUP_KIND_PROBLEM_SOLVING);
  } else if (kind == "vanguard") {
    g.set_kind(v1::DUTY_GROUP_KIND_VANGUARD);
  } else {
    g.set_kind(v1::DUTY_GROUP_KIND_CUSTOM);
    g.set_custom_kind(kind);
  }
}

std::string KindText(const v1::DutyGroup& g) {
  switch (g.kind()) {
    case v1::DUTY_GROUP_KIND_EMERGENCY:
      return "emergency";
    case v1::DUTY_GROUP_KIND_INNOVATION:
      return "innovation";
    case v1::DUTY_GROUP_KIND_PROBLEM_SOLVING:
      return "problem-solving";
    case v1::DUTY_GROUP_KIND_VANGUARD:
      return "vanguard";
    default:
      return g.custom_kind();
  }
}

// "ID" or "ID:ROLE" of --member; CtlError(kExitUsage) otherwise.
v1::DutyGroupMember MemberArgument(const std::string& text) {
  const auto colon = text.find(':');
  v1::DutyGroupMember m;
  try {
    size_t used = 0;
    const std::string id = text.substr(0, colon);
    m.set_person_id(std::stoull(id, &used));
    if (used != id.size()) throw std::invalid_argument(id);
  } catch (const std::exception&) {
    throw CtlError(kExitUsage, "--member: expected PERSON_ID[:ROLE], got \"" + text + "\"");
  }
  if (colon != std::string::npos) m.set_role(text.substr(colon + 1));
  return m;
}

std::string Period(const v1::LocalDate& from, bool has_to, const v1::LocalDate& to) {
  return LocalDateText(from) + " ~ " + (has_to ? LocalDateText(to) : "");
}

void PrintEntries(Session& session, const std::vector<v1::DutyBoardEntry>& entries) {
  if (session.options().json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) out.push_back(ToJson(e));
    return PrintJson({{"entries", out}});
  }
  Table table({"KIND", "ID", "NAME", "WHO", "PERIOD", "DETAIL"});
  for (const auto& e : entries) {
    if (e.has_area()) {
      const auto& a = e.area();
      std::string linked;
      for (const auto& n : a.linked_person_names()) linked += (linked.empty() ? "" : "、") + n;
      for (const auto& n : a.linked_organization_names()) {
        linked += (linked.empty() ? "" : "、") + n;
      }
      table.AddRow({a.ended() ? "area (ended)" : "area", std::to_string(a.id()), a.name(),
                    a.responsible_person_name(),
                    Period(a.from_date(), a.has_to_date(), a.to_date()),
                    a.duties() + (linked.empty() ? "" : " [" + linked + "]")});
    } else if (e.has_post()) {
      const auto& p = e.post();
      table.AddRow({p.ended() ? "post (ended)" : "post", std::to_string(p.id()), p.name(),
                    p.leader_person_name(), Period(p.from_date(), p.has_to_date(), p.to_date()),
                    p.description()});
    } else if (e.has_group()) {
      const auto& g = e.group();
      std::string members;
      for (const auto& m : g.members()) {
        if (m.has_to_date()) continue;
        members += (members.empty() ? "" : "、") + m.person_name() +
                   (m.role().empty() ? "" : "(" + m.role() + ")");
      }
      table.AddRow({(g.ended() ? "group (ended) " : "group ") + KindText(g), std::to_string(g.id()),
                    g.name(), members, Period(g.from_date(), g.has_to_date(), g.to_date()),
                    g.purpose()});
    }
  }
  table.Print(std::cout);
}

template <typename Item>
void PrintItem(Session& session, const Item& item, Item* (v1::DutyBoardEntry::*mutable_item)()) {
  v1::DutyBoardEntry e;
  *(e.*mutable_item)() = item;
  PrintEntries(session, {e});
}

void AddDates(CLI::App* command, DutyOptions* o) {
  command->add_option("--from", o->from, "First day, YYYY-MM-DD (default: today)");
  command->add_option("--to", o->to, "Last day, YYYY-MM-DD (default: open)");
}

void AddAreaCommands(CLI::App& duties, Session& session) {
  auto* area = duties.add_subcommand("area", "Responsibility areas (责任区)");
  area->require_subcommand(1);
  auto c = std::make_shared<DutyOptions>();
  auto* create = area->add_subcommand("create", "Create an area (managers)");
  create->add_option("--org", c->org, "Organisation (default: your own)");
  create->add_option("--name", c->name, "Name")->required();
  create->add_option("--responsible", c->person, "The responsible member")->required();
  create->add_option("--duties", c->text, "The duties")->required();
  create->add_option("--link-person", c->people, "A linked person (repeatable)");
  create->add_option("--link-org", c->orgs, "A linked unit (repeatable)");
  AddDates(create, c.get());
  AddRequestIdOption(create, &c->request_id);
  create->callback([&session, c] {
    v1::CreateResponsibilityAreaRequest r;
    r.set_request_id(OrNew(c->request_id));
    auto* a = r.mutable_area();
    a->set_organization_id(OrgOrOwn(session, c->org));
    a->set_name(c->name);
    a->set_responsible_person_id(c->person);
    a->set_duties(c->text);
    for (uint64_t id : c->people) a->add_linked_person_ids(id);
    for (uint64_t id : c->orgs) a->add_linked_organization_ids(id);
    if (!c->from.empty()) *a->mutable_from_date() = LocalDateArgument("--from", c->from);
    if (!c->to.empty()) *a->mutable_to_date() = LocalDateArgument("--to", c->to);
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::ResponsibilityArea>([&](auto* ctx, auto* out) {
      return stub->CreateResponsibilityArea(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_area);
  });
  auto u = std::make_shared<DutyOptions>();
  auto* update = area->add_subcommand("update", "Change an area's name, member, duties or dates");
  update->add_option("id", u->id, "The area")->required();
  update->add_option("--name", u->name, "New name");
  update->add_option("--responsible", u->person, "New responsible member");
  update->add_option("--duties", u->text, "New duties");
  AddDates(update, u.get());
  AddRequestIdOption(update, &u->request_id);
  update->callback([&session, u] {
    v1::UpdateResponsibilityAreaRequest r;
    r.set_request_id(OrNew(u->request_id));
    auto* a = r.mutable_area();
    a->set_id(u->id);
    auto* mask = r.mutable_update_mask();
    if (!u->name.empty()) {
      a->set_name(u->name);
      mask->add_paths("name");
    }
    if (u->person) {
      a->set_responsible_person_id(u->person);
      mask->add_paths("responsible_person_id");
    }
    if (!u->text.empty()) {
      a->set_duties(u->text);
      mask->add_paths("duties");
    }
    if (!u->from.empty()) {
      *a->mutable_from_date() = LocalDateArgument("--from", u->from);
      mask->add_paths("from_date");
    }
    if (!u->to.empty()) {
      *a->mutable_to_date() = LocalDateArgument("--to", u->to);
      mask->add_paths("to_date");
    }
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::ResponsibilityArea>([&](auto* ctx, auto* out) {
      return stub->UpdateResponsibilityArea(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_area);
  });
}

void AddPostCommands(CLI::App& duties, Session& session) {
  auto* post = duties.add_subcommand("post", "Demonstration posts (示范岗)");
  post->require_subcommand(1);
  auto c = std::make_shared<DutyOptions>();
  auto* create = post->add_subcommand("create", "Create a post (managers)");
  create->add_option("--org", c->org, "Organisation (default: your own)");
  create->add_option("--name", c->name, "The production post")->required();
  create->add_option("--leader", c->person, "The leader (a member)")->required();
  create->add_option("--description", c->text, "What it stands for");
  AddDates(create, c.get());
  AddRequestIdOption(create, &c->request_id);
  create->callback([&session, c] {
    v1::CreateDemonstrationPostRequest r;
    r.set_request_id(OrNew(c->request_id));
    auto* p = r.mutable_post();
    p->set_organization_id(OrgOrOwn(session, c->org));
    p->set_name(c->name);
    p->set_leader_person_id(c->person);
    p->set_description(c->text);
    if (!c->from.empty()) *p->mutable_from_date() = LocalDateArgument("--from", c->from);
    if (!c->to.empty()) *p->mutable_to_date() = LocalDateArgument("--to", c->to);
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::DemonstrationPost>([&](auto* ctx, auto* out) {
      return stub->CreateDemonstrationPost(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_post);
  });
  auto u = std::make_shared<DutyOptions>();
  auto* update = post->add_subcommand("update", "Change a post's name, leader or period");
  update->add_option("id", u->id, "The post")->required();
  update->add_option("--name", u->name, "New name");
  update->add_option("--leader", u->person, "New leader");
  update->add_option("--description", u->text, "New description");
  AddDates(update, u.get());
  AddRequestIdOption(update, &u->request_id);
  update->callback([&session, u] {
    v1::UpdateDemonstrationPostRequest r;
    r.set_request_id(OrNew(u->request_id));
    auto* p = r.mutable_post();
    p->set_id(u->id);
    auto* mask = r.mutable_update_mask();
    if (!u->name.empty()) {
      p->set_name(u->name);
      mask->add_paths("name");
    }
    if (u->person) {
      p->set_leader_person_id(u->person);
      mask->add_paths("leader_person_id");
    }
    if (!u->text.empty()) {
      p->set_description(u->text);
      mask->add_paths("description");
    }
    if (!u->from.empty()) {
      *p->mutable_from_date() = LocalDateArgument("--from", u->from);
      mask->add_paths("from_date");
    }
    if (!u->to.empty()) {
      *p->mutable_to_date() = LocalDateArgument("--to", u->to);
      mask->add_paths("to_date");
    }
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::DemonstrationPost>([&](auto* ctx, auto* out) {
      return stub->UpdateDemonstrationPost(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_post);
  });
}

void AddGroupCommands(CLI::App& duties, Session& session) {
  auto* group = duties.add_subcommand("group", "Groups (突击队, 创新工作室, 攻关小组)");
  group->require_subcommand(1);
  auto c = std::make_shared<DutyOptions>();
  auto* create = group->add_subcommand("create", "Create a group (managers)");
  create->add_option("--org", c->org, "Organisation (default: your own)");
  create->add_option("--name", c->name, "Name")->required();
  create
      ->add_option("--kind", c->kind,
                   "emergency, innovation, problem-solving, vanguard, or a name of your own")
      ->required();
  create->add_option("--purpose", c->text, "Purpose");
  create->add_option("--member", c->members, "PERSON_ID[:ROLE] (repeatable)");
  AddDates(create, c.get());
  AddRequestIdOption(create, &c->request_id);
  create->callback([&session, c] {
    v1::CreateDutyGroupRequest r;
    r.set_request_id(OrNew(c->request_id));
    auto* g = r.mutable_group();
    g->set_organization_id(OrgOrOwn(session, c->org));
    g->set_name(c->name);
    SetKind(*g, c->kind);
    g->set_purpose(c->text);
    for (const auto& m : c->members) *g->add_members() = MemberArgument(m);
    if (!c->from.empty()) *g->mutable_from_date() = LocalDateArgument("--from", c->from);
    if (!c->to.empty()) *g->mutable_to_date() = LocalDateArgument("--to", c->to);
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::DutyGroup>([&](auto* ctx, auto* out) {
      return stub->CreateDutyGroup(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_group);
  });
  auto u = std::make_shared<DutyOptions>();
  auto* update = group->add_subcommand("update", "Change a group's name, kind, purpose or dates");
  update->add_option("id", u->id, "The group")->required();
  update->add_option("--name", u->name, "New name");
  update->add_option("--kind", u->kind, "New kind");
  update->add_option("--purpose", u->text, "New purpose");
  AddDates(update, u.get());
  AddRequestIdOption(update, &u->request_id);
  update->callback([&session, u] {
    v1::UpdateDutyGroupRequest r;
    r.set_request_id(OrNew(u->request_id));
    auto* g = r.mutable_group();
    g->set_id(u->id);
    auto* mask = r.mutable_update_mask();
    if (!u->name.empty()) {
      g->set_name(u->name);
      mask->add_paths("name");
    }
    if (!u->kind.empty()) {
      SetKind(*g, u->kind);
      mask->add_paths("kind");
      mask->add_paths("custom_kind");
    }
    if (!u->text.empty()) {
      g->set_purpose(u->text);
      mask->add_paths("purpose");
    }
    if (!u->from.empty()) {
      *g->mutable_from_date() = LocalDateArgument("--from", u->from);
      mask->add_paths("from_date");
    }
    if (!u->to.empty()) {
      *g->mutable_to_date() = LocalDateArgument("--to", u->to);
      mask->add_paths("to_date");
    }
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::DutyGroup>([&](auto* ctx, auto* out) {
      return stub->UpdateDutyGroup(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_group);
  });
  auto j = std::make_shared<DutyOptions>();
  auto* join = group->add_subcommand("join", "A person of the subtree joins a group");
  join->add_option("id", j->id, "The group")->required();
  join->add_option("--person", j->person, "Who joins")->required();
  join->add_option("--role", j->role, "Their role in the group");
  join->add_option("--from", j->from, "First day, YYYY-MM-DD (default: today)");
  AddRequestIdOption(join, &j->request_id);
  join->callback([&session, j] {
    v1::JoinDutyGroupRequest r;
    r.set_request_id(OrNew(j->request_id));
    r.set_group_id(j->id);
    r.set_person_id(j->person);
    r.set_role(j->role);
    if (!j->from.empty()) *r.mutable_from_date() = LocalDateArgument("--from", j->from);
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::DutyGroup>([&](auto* ctx, auto* out) {
      return stub->JoinDutyGroup(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_group);
  });
  auto l = std::make_shared<DutyOptions>();
  auto* leave = group->add_subcommand("leave", "A member leaves a group");
  leave->add_option("id", l->id, "The group")->required();
  leave->add_option("--person", l->person, "Who leaves")->required();
  leave->add_option("--to", l->to, "Last day, YYYY-MM-DD (default: today)");
  AddRequestIdOption(leave, &l->request_id);
  leave->callback([&session, l] {
    v1::LeaveDutyGroupRequest r;
    r.set_request_id(OrNew(l->request_id));
    r.set_group_id(l->id);
    r.set_person_id(l->person);
    if (!l->to.empty()) *r.mutable_to_date() = LocalDateArgument("--to", l->to);
    auto stub = Stub(session);
    PrintItem(session, session.Call<v1::DutyGroup>([&](auto* ctx, auto* out) {
      return stub->LeaveDutyGroup(ctx, r, out);
    }),
              &v1::DutyBoardEntry::mutable_group);
  });
}

}  // namespace

void AddDutiesCommands(CLI::App& app, Session& session) {
  auto* duties = app.add_subcommand(
      "duties", "Members' duties: responsibility areas, demonstration posts, groups");
  duties->require_subcommand(1);
  AddAreaCommands(*duties, session);
  AddPostCommands(*duties, session);
  AddGroupCommands(*duties, session);

  auto e = std::make_shared<DutyOptions>();
  auto* end = duties->add_subcommand("end", "End an area, a post or a group (kept as history)");
  end->add_option("id", e->id, "The area, post or group")->required();
  end->add_option("--to", e->to, "Last day, YYYY-MM-DD (default: today)");
  AddRequestIdOption(end, &e->request_id);
  end->callback([&session, e] {
    v1::EndDutyRequest r;
    r.set_request_id(OrNew(e->request_id));
    r.set_id(e->id);
    if (!e->to.empty()) *r.mutable_to_date() = LocalDateArgument("--to", e->to);
    auto stub = Stub(session);
    PrintEntries(session, {session.Call<v1::DutyBoardEntry>(
                              [&](auto* ctx, auto* out) { return stub->EndDuty(ctx, r, out); })});
  });

  auto b = std::make_shared<DutyOptions>();
  auto* board = duties->add_subcommand("board", "An organisation's board of current duties");
  board->add_option("--org", b->org, "Organisation (default: your own)");
  board->add_flag("--subtree", b->subtree, "Also the organisations below it");
  board->add_flag("--past", b->past, "Also what has ended");
  board->callback([&session, b] {
    v1::GetDutyBoardRequest r;
    r.set_organization_id(OrgOrOwn(session, b->org));
    r.set_include_subtree(b->subtree);
    r.set_include_past(b->past);
    r.set_page_size(1000);
    auto stub = Stub(session);
    std::vector<v1::DutyBoardEntry> all;
    do {
      auto page = session.Call<v1::DutyBoard>(
          [&](auto* ctx, auto* out) { return stub->GetDutyBoard(ctx, r, out); });
      all.insert(all.end(), page.entries().begin(), page.entries().end());
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    PrintEntries(session, all);
  });

  auto m = std::make_shared<DutyOptions>();
  auto* mine = duties->add_subcommand("mine",
                                      "Your own duties (我的职责) on your organisation's "
                                      "and its ancestors' boards");
  mine->add_flag("--past", m->past, "Also what has ended and groups you left");
  mine->callback([&session, m] {
    v1::ListMyDutiesRequest r;
    r.set_include_past(m->past);
    auto stub = Stub(session);
    auto board = session.Call<v1::DutyBoard>(
        [&](auto* ctx, auto* out) { return stub->ListMyDuties(ctx, r, out); });
    PrintEntries(session, {board.entries().begin(), board.entries().end()});
  });
}

}  // namespace branchline::ctl
