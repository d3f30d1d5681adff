// absence request | decide | withdraw | list: absences over a range of local dates
// (CalendarService): a driver's week on the road in one request instead of one leave per
// meeting.
#include <cstdio>
#include <iostream>

#include "branchline/v1/calendar.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {

v1::LocalDate LocalDateArgument(const std::string& flag, const std::string& text) {
  v1::LocalDate date;
  int year = 0, month = 0, day = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &rest) != 3 ||
      text.size() != 10) {
    throw CtlError(kExitUsage, flag + ": expected a date YYYY-MM-DD, got \"" + text + "\"");
  }
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

std::string LocalDateText(const v1::LocalDate& d) {
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  return text;
}

namespace {

struct RequestOptions {
  std::string type, from, to, reason, request_id;
};

struct DecideOptions {
  uint64_t id = 0;
  bool approve = false, refuse = false;
  std::string note, request_id;
};

struct ListOptions {
  uint64_t org = 0;
  bool mine = false;
  std::string state;
};

std::string TypeText(v1::AbsenceType t) { return EnumText(v1::AbsenceType_descriptor(), t); }
std::string StateText(v1::AbsenceState s) { return EnumText(v1::AbsenceState_descriptor(), s); }

const std::vector<std::string> kHeaders = {"ID", "PERSON", "TYPE", "FROM", "TO", "STATE", "REASON"};

std::vector<std::string> Row(const v1::AbsenceRequest& a, Names& names) {
  return {std::to_string(a.id()),
          names.Person(a.person_id()),
          TypeText(a.type()),
          LocalDateText(a.from_date()),
          LocalDateText(a.to_date()),
          StateText(a.state()),
          a.reason()};
}

void PrintAbsence(Session& session, const v1::AbsenceRequest& a) {
  if (session.options().json) return PrintJson(ToJson(a));
  int32_t offset = session.utc_offset_minutes();
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", std::to_string(a.id())},
      {"person", Names(session).Person(a.person_id())},
      {"organisation", Names(session).Org(a.organization_id())},
      {"type", TypeText(a.type())},
      {"from", LocalDateText(a.from_date())},
      {"to", LocalDateText(a.to_date())},
      {"state", StateText(a.state())},
      {"reason", a.reason()},
      {"requested", FormatLocal(a.create_time(), offset)}};
  if (a.decided_by()) {
    fields.emplace_back("decided by", std::to_string(a.decided_by()));
    fields.emplace_back("decided", FormatLocal(a.decide_time(), offset));
    if (!a.decision_note().empty()) fields.emplace_back("note", a.decision_note());
  }
  PrintFields(std::cout, fields);
}

void List(Session& session, const ListOptions& o) {
  v1::ListAbsencesRequest request;
  request.set_mine(o.mine);
  if (!o.mine) request.set_organization_id(OrgOrOwn(session, o.org));
  if (!o.state.empty()) {
    request.set_state(static_cast<v1::AbsenceState>(
        ParseEnum(v1::AbsenceState_descriptor(), o.state, "--state")));
  }
  request.set_page_size(1000);
  auto stub = v1::CalendarService::NewStub(session.channel());
  std::vector<v1::AbsenceRequest> absences;
  do {
    auto page = session.Call<v1::ListAbsencesResponse>(
        [&](auto* c, auto* r) { return stub->ListAbsences(c, request, r); });
    absences.insert(absences.end(), page.absences().begin(), page.absences().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : absences) list.push_back(ToJson(a));
    return PrintJson({{"absences", list}});
  }
  Table table(kHeaders);
  Names names(session);
  for (const auto& a : absences) table.AddRow(Row(a, names));
  table.Print(std::cout);
}

}  // namespace

void AddAbsenceCommands(CLI::App& app, Session& session) {
  auto* absence = app.add_subcommand(
      "absence", "Absences over a range of dates (出差, 出车, 病假 ...), approved once");

  auto q = std::make_shared<RequestOptions>();
  auto* request = absence->add_subcommand("request", "Ask to be away from FROM to TO (inclusive)");
  request->add_option("--type", q->type, "Why: " + EnumChoices(v1::AbsenceType_descriptor()))
      ->required();
  request->add_option("--from", q->from, "First local date away, YYYY-MM-DD")->required();
  request->add_option("--to", q->to, "Last local date away, YYYY-MM-DD (at most 62 days)")
      ->required();
  request->add_option("--reason", q->reason, "Why, 1..500 characters")->required();
  AddRequestIdOption(request, &q->request_id);
  request->callback([&session, q] {
    v1::RequestAbsenceRequest r;
    r.set_request_id(OrNew(q->request_id));
    r.set_type(
        static_cast<v1::AbsenceType>(ParseEnum(v1::AbsenceType_descriptor(), q->type, "--type")));
    *r.mutable_from_date() = LocalDateArgument("--from", q->from);
    *r.mutable_to_date() = LocalDateArgument("--to", q->to);
    r.set_reason(q->reason);
    auto stub = v1::CalendarService::NewStub(session.channel());
    PrintAbsence(session, session.Call<v1::AbsenceRequest>(
                              [&](auto* c, auto* out) { return stub->RequestAbsence(c, r, out); }));
  });

  auto d = std::make_shared<DecideOptions>();
  auto* decide = absence->add_subcommand("decide", "Approve or refuse a pending absence (once)");
  decide->add_option("id", d->id, "Absence id")->required();
  auto* approve = decide->add_flag("--approve", d->approve, "Approve it");
  auto* refuse = decide->add_flag("--refuse", d->refuse, "Refuse it (needs --note)");
  approve->excludes(refuse);
  decide->add_option("--note", d->note, "Reason of the decision");
  AddRequestIdOption(decide, &d->request_id);
  decide->callback([&session, d] {
    if (d->approve == d->refuse) throw CtlError(kExitUsage, "give --approve or --refuse");
    v1::DecideAbsenceRequest r;
    r.set_request_id(OrNew(d->request_id));
    r.set_id(d->id);
    r.set_approve(d->approve);
    r.set_note(d->note);
    auto stub = v1::CalendarService::NewStub(session.channel());
    PrintAbsence(session, session.Call<v1::AbsenceRequest>(
                              [&](auto* c, auto* out) { return stub->DecideAbsence(c, r, out); }));
  });

  auto w = std::make_shared<DecideOptions>();
  auto* withdraw =
      absence->add_subcommand("withdraw", "Withdraw your own pending or approved absence");
  withdraw->add_option("id", w->id, "Absence id")->required();
  AddRequestIdOption(withdraw, &w->request_id);
  withdraw->callback([&session, w] {
    v1::WithdrawAbsenceRequest r;
    r.set_request_id(OrNew(w->request_id));
    r.set_id(w->id);
    auto stub = v1::CalendarService::NewStub(session.channel());
    PrintAbsence(session, session.Call<v1::AbsenceRequest>([&](auto* c, auto* out) {
      return stub->WithdrawAbsence(c, r, out);
    }));
  });

  auto l = std::make_shared<ListOptions>();
  auto* list = absence->add_subcommand(
      "list", "Absences of an organisation's subtree (managers), or --mine");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_flag("--mine", l->mine, "Your own absences instead");
  list->add_option("--state", l->state, "Only: " + EnumChoices(v1::AbsenceState_descriptor()));
  list->callback([&session, l] { List(session, *l); });
}

}  // namespace branchline::ctl
