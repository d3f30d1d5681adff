// people list | show | add | deactivate | transfer | memberships | import: people of the
// organisation tree.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "branchline/v1/people.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/people_import.h"
#include "clients/branchctl/table.h"

namespace branchline::ctl {
namespace {

struct ListOptions {
  uint64_t org = 0;
  bool all = false;
  std::string role;
  bool inactive = false;
};

struct AddOptions {
  uint64_t org = 0;
  std::string name, phone, employee_number, role = "employee", password, request_id;
};

struct MembershipOptions {
  uint64_t person = 0, org = 0;
  std::string role, date, request_id;
};

struct ImportOptions {
  std::string file;
  uint64_t org = 0;
  std::string request_id;
};

std::string Login(const v1::Person& p) { return p.phone().empty() ? "-" : p.phone(); }

void PrintPerson(Session& session, const v1::Person& p) {
  if (session.options().json) return PrintJson(ToJson(p));
  PrintFields(std::cout, {{"id", std::to_string(p.id())},
                          {"name", p.display_name()},
                          {"organisation", Names(session).Org(p.organization_id())},
                          {"role", EnumText(v1::Role_descriptor(), p.role())},
                          {"phone", Login(p)},
                          {"employee number", p.employee_number()},
                          {"active", p.active() ? "yes" : "no"}});
}

void List(Session& session, const ListOptions& o) {
  v1::ListPeopleRequest request;
  request.set_organization_id(OrgOrOwn(session, o.org));
  request.set_include_descendants(o.all);
  request.set_show_inactive(o.inactive);
  if (!o.role.empty())
    request.set_role(static_cast<v1::Role>(ParseEnum(v1::Role_descriptor(), o.role, "--role")));
  request.set_page_size(1000);
  auto stub = v1::PersonService::NewStub(session.channel());
  std::vector<v1::Person> people;
  do {
    auto page = session.Call<v1::ListPeopleResponse>(
        [&](auto* c, auto* r) { return stub->ListPeople(c, request, r); });
    people.insert(people.end(), page.people().begin(), page.people().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : people) list.push_back(ToJson(p));
    return PrintJson({{"people", list}});
  }
  Table table({"ID", "NAME", "ROLE", "PHONE", "EMPLOYEE NO", "ORGANISATION", "ACTIVE"});
  Names names(session);
  for (const auto& p : people) {
    table.AddRow({std::to_string(p.id()), p.display_name(),
                  EnumText(v1::Role_descriptor(), p.role()), Login(p), p.employee_number(),
                  names.Org(p.organization_id()), p.active() ? "yes" : "no"});
  }
  table.Print(std::cout);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CtlError(kExitUsage, "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Import(Session& session, const ImportOptions& o) {
  std::string text = o.file == "-" ? ReadWholeFile("/dev/stdin") : ReadWholeFile(o.file);
  ImportPlan plan = PlanImport(text, OrgOrOwn(session, o.org));
  std::vector<ImportLineResult> results = plan.local_failures;
  auto stub = v1::PersonService::NewStub(session.channel());
  constexpr size_t kMaxRows = 1000;  // the server's limit per ImportPeople call
  for (size_t start = 0, chunk = 0; start < plan.rows.size(); start += kMaxRows, ++chunk) {
    v1::ImportPeopleRequest request;
    request.set_request_id(o.request_id.empty() ? ImportRequestId(text, chunk)
                                                : o.request_id + "-" + std::to_string(chunk));
    size_t end = std::min(plan.rows.size(), start + kMaxRows);
    for (size_t i = start; i < end; ++i) *request.add_rows() = plan.rows[i];
    auto answer = session.Call<v1::ImportPeopleResponse>(
        [&](auto* c, auto* r) { return stub->ImportPeople(c, request, r); });
    for (const auto& row : answer.results()) {
      size_t index = start + row.row_index();
      ImportLineResult result;
      result.line = index < plan.row_lines.size() ? plan.row_lines[index] : 0;
      result.name = index < plan.rows.size() ? plan.rows[index].person().display_name() : "";
      result.created = row.status().code() == 0;
      result.person_id = row.person_id();
      if (!result.created) {
        std::string serialized;
        row.status().SerializeToString(&serialized);
        result.error = DescribeFailure(row.status().message(), FieldViolations(serialized));
      }
      results.push_back(result);
    }
  }
  std::sort(results.begin(), results.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  int created = 0, failed = 0;
  for (const auto& r : results) (r.created ? created : failed)++;
  if (session.options().json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : results) {
      nlohmann::json row = {
          {"line", r.line}, {"name", r.name}, {"outcome", r.created ? "created" : "failed"}};
      if (r.created) row["person_id"] = std::to_string(r.person_id);
      if (!r.created) row["error"] = r.error;
      rows.push_back(row);
    }
    PrintJson({{"rows", rows}, {"created", created}, {"failed", failed}});
  } else {
    Table table({"LINE", "OUTCOME", "PERSON", "NAME", "ERROR"});
    for (const auto& r : results) {
      table.AddRow({std::to_string(r.line), r.created ? "created" : "FAILED",
                    r.created ? std::to_string(r.person_id) : "-", r.name, r.error});
    }
    table.Print(std::cout);
    std::cout << created << " created, " << failed << " failed.\n";
  }
  if (failed > 0) throw CtlError(kExitPartial, std::to_string(failed) + " line(s) failed");
}

void ChangeMembership(Session& session, const MembershipOptions& o) {
  v1::ChangeMembershipRequest request;
  request.set_request_id(OrNew(o.request_id));
  request.set_person_id(o.person);
  request.set_organization_id(o.org);
  if (!o.role.empty()) {
    request.set_role(static_cast<v1::Role>(ParseEnum(v1::Role_descriptor(), o.role, "--role")));
  }
  if (!o.date.empty()) *request.mutable_effective_date() = LocalDateArgument("--date", o.date);
  auto stub = v1::PersonService::NewStub(session.channel());
  PrintPerson(session, session.Call<v1::Person>([&](auto* c, auto* r) {
    return stub->ChangeMembership(c, request, r);
  }));
}

void ListMemberships(Session& session, uint64_t person) {
  v1::ListMembershipsRequest request;
  request.set_person_id(person);
  auto stub = v1::PersonService::NewStub(session.channel());
  auto answer = session.Call<v1::ListMembershipsResponse>(
      [&](auto* c, auto* r) { return stub->ListMemberships(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(answer));
  Table table({"FROM", "TO", "ORGANISATION", "ROLE", "ENDED"});
  for (const auto& m : answer.memberships()) {
    table.AddRow({m.has_from_date() ? LocalDateText(m.from_date()) : "-",
                  m.has_to_date() ? LocalDateText(m.to_date()) : "(current)",
                  m.organization_name().empty() ? std::to_string(m.organization_id())
                                                : m.organization_name(),
                  EnumText(v1::Role_descriptor(), m.role()), m.end_reason()});
  }
  table.Print(std::cout);
}

}  // namespace

void AddPeopleCommands(CLI::App& app, Session& session) {
  auto* people = app.add_subcommand(
      "people", "People: list, show, add, deactivate, transfer, memberships, CSV import");

  auto l = std::make_shared<ListOptions>();
  auto* list = people->add_subcommand("list", "List the people of an organisation");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_flag("--all,-r", l->all, "Include every organisation below it");
  list->add_option("--role", l->role, "Only this role: " + EnumChoices(v1::Role_descriptor()));
  list->add_flag("--inactive", l->inactive, "Include deactivated people");
  list->callback([&session, l] { List(session, *l); });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = people->add_subcommand("show", "Show one person");
  show->add_option("id", *show_id, "Person id")->required();
  show->callback([&session, show_id] {
    v1::GetPersonRequest request;
    request.set_id(*show_id);
    auto stub = v1::PersonService::NewStub(session.channel());
    PrintPerson(session, session.Call<v1::Person>(
                             [&](auto* c, auto* r) { return stub->GetPerson(c, request, r); }));
  });

  auto a = std::make_shared<AddOptions>();
  auto* add = people->add_subcommand("add", "Add a person to an organisation");
  add->add_option("--org", a->org, "Organisation")->required();
  add->add_option("--name", a->name, "Display name, 1..50 characters")->required();
  add->add_option("--phone", a->phone, "Mobile number (a login)");
  add->add_option("--employee-number", a->employee_number, "Employee number (a login)");
  add->add_option("--role", a->role, "Role: " + EnumChoices(v1::Role_descriptor()))
      ->capture_default_str();
  add->add_option("--password", a->password, "Initial password, 8..128 characters");
  AddRequestIdOption(add, &a->request_id);
  add->callback([&session, a] {
    v1::CreatePersonRequest request;
    request.set_request_id(OrNew(a->request_id));
    v1::Person* p = request.mutable_person();
    p->set_organization_id(a->org);
    p->set_display_name(a->name);
    p->set_phone(a->phone);
    p->set_employee_number(a->employee_number);
    p->set_role(static_cast<v1::Role>(ParseEnum(v1::Role_descriptor(), a->role, "--role")));
    request.set_initial_password(a->password);
    auto stub = v1::PersonService::NewStub(session.channel());
    PrintPerson(session, session.Call<v1::Person>(
                             [&](auto* c, auto* r) { return stub->CreatePerson(c, request, r); }));
  });

  auto d = std::make_shared<AddOptions>();
  auto deactivate_id = std::make_shared<uint64_t>(0);
  auto* deactivate = people->add_subcommand(
      "deactivate", "Deactivate a person: no more sign-in, sessions end, history stays");
  deactivate->add_option("id", *deactivate_id, "Person id")->required();
  AddRequestIdOption(deactivate, &d->request_id);
  deactivate->callback([&session, d, deactivate_id] {
    v1::DeactivatePersonRequest request;
    request.set_request_id(OrNew(d->request_id));
    request.set_id(*deactivate_id);
    auto stub = v1::PersonService::NewStub(session.channel());
    PrintPerson(session, session.Call<v1::Person>([&](auto* c, auto* r) {
      return stub->DeactivatePerson(c, request, r);
    }));
  });

  auto t = std::make_shared<MembershipOptions>();
  auto* transfer = people->add_subcommand(
      "transfer",
      "Change a person's membership from a date: a transfer (组织关系转接), a new stage "
      "(--role), or both; rosters before the date keep them where they were");
  transfer->add_option("id", t->person, "Person id")->required();
  transfer->add_option("--org", t->org, "The new organisation (default: the same)");
  transfer->add_option("--role", t->role,
                       "The new role (default: the same): " + EnumChoices(v1::Role_descriptor()));
  transfer->add_option("--date", t->date,
                       "First day of the new membership, YYYY-MM-DD "
                       "(default: today)");
  AddRequestIdOption(transfer, &t->request_id);
  transfer->callback([&session, t] { ChangeMembership(session, *t); });

  auto memberships_id = std::make_shared<uint64_t>(0);
  auto* memberships =
      people->add_subcommand("memberships", "A person's memberships over time, newest first");
  memberships->add_option("id", *memberships_id, "Person id (default: yourself)");
  memberships->callback([&session, memberships_id] { ListMemberships(session, *memberships_id); });

  auto i = std::make_shared<ImportOptions>();
  auto* import = people->add_subcommand(
      "import",
      "Import people from a CSV file (UTF-8, header line: name,phone,employee_number,role,"
      "organization_id,password); reports every line, and exits 9 when some failed");
  import->add_option("file", i->file, "CSV file, or - for stdin")->required();
  import->add_option("--org", i->org,
                     "Organisation for lines without organization_id (default: your own)");
  import->add_option("--request-id", i->request_id,
                     "Idempotency key (default: derived from the file's content, so importing "
                     "the same file twice creates nobody twice)");
  import->callback([&session, i] { Import(session, *i);
});
}  // namespace branchline::ctl

}  // namespace branchline::ctl
